/**
 * What `keyway sftp` prints, in OpenSSH sftp's words and layouts (sftp.c, sftp-client.c):
 * the status texts (fx2txt), local errno texts, `remote …` error lines, short listings in
 * columns, and df's table.
 */
import { StatusCode } from '../sftp/constants.js';
import { SftpError } from '../sftp/errors.js';
import type { StatVfs } from '../sftp/client.js';

const FX_TEXT: Readonly<Record<number, string>> = {
  [StatusCode.OK]: 'No error',
  [StatusCode.EOF]: 'End of file',
  [StatusCode.NO_SUCH_FILE]: 'No such file or directory',
  [StatusCode.PERMISSION_DENIED]: 'Permission denied',
  [StatusCode.FAILURE]: 'Failure',
  [StatusCode.BAD_MESSAGE]: 'Bad message',
  [StatusCode.NO_CONNECTION]: 'No connection',
  [StatusCode.CONNECTION_LOST]: 'Connection lost',
  [StatusCode.OP_UNSUPPORTED]: 'Operation unsupported',
};

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
};

/** The reason for a failure as sftp states it: fx2txt for a status, strerror for errno. */
export function reason(e: unknown): string {
  // a wrapper (a transfer's error) carries the cause that has the status or errno
  for (let cur: unknown = e, i = 0; i < 8 && cur !== undefined; i++) {
    if (cur instanceof SftpError && cur.status >= 0) return FX_TEXT[cur.status] ?? 'Unknown status';
    const code = (cur as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && ERRNO_TEXT[code] !== undefined) return ERRNO_TEXT[code];
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return e instanceof Error ? e.message : String(e);
}

/** The server's own message when it sent one, else the status text (realpath's wording). */
export function serverReason(e: unknown): string {
  if (e instanceof SftpError && e.serverMessage !== '') return e.serverMessage;
  return reason(e);
}

/** Short listing: names in columns `width` wide (`%-*s` cells), one line per row. */
export function columns(names: readonly string[], width: number): string[] {
  if (names.length === 0) return [];
  const longest = Math.max(...names.map((n) => [...n].length));
  const cols = Math.max(1, Math.floor(width / (longest + 2)));
  const cell = Math.min(Math.floor(width / cols), width);
  const lines: string[] = [];
  for (let i = 0; i < names.length; i += cols) {
    const row = names.slice(i, i + cols);
    lines.push(row.map((n) => n + ' '.repeat(Math.max(0, cell - [...n].length))).join(''));
  }
  return lines;
}

/** A size with a binary unit, three significant digits at most: `512`, `9.8K`, `123G`. */
export function scaled(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return String(Math.round(v));
  return `${v < 10 ? (Math.round(v * 10) / 10).toFixed(1) : String(Math.round(v))}${units[i]}`;
}

const capacity = (used: number, total: number): string =>
  total === 0 ? 'ERR' : `${String(Math.floor((100 * used) / total)).padStart(3)}%`;

/** df's two lines: a header and the numbers (1K blocks, -h scaled, -i inodes). */
export function formatDf(st: StatVfs, o: { human: boolean; inodes: boolean }): string[] {
  if (o.inodes) {
    const n = (v: number) => String(v).padStart(11);
    return [
      '     Inodes        Used       Avail      (root)    %Capacity',
      `${n(st.files)} ${n(st.files - st.ffree)} ${n(st.favail)} ${n(st.ffree)}         ${capacity(st.files - st.ffree, st.files)}`,
    ];
  }
  const used = st.blocks - st.bfree;
  const dcap = capacity(used, st.blocks);
  if (o.human) {
    const h = (blocks: number) => `${scaled(blocks * st.frsize).padStart(7)}B`;
    return [
      '    Size     Used    Avail   (root)    %Capacity',
      `${h(st.blocks)} ${h(used)} ${h(st.bavail)} ${h(st.bfree)}         ${dcap}`,
    ];
  }
  const k = (blocks: number) => String(Math.floor((blocks * st.frsize) / 1024)).padStart(12);
  return [
    '        Size         Used        Avail       (root)    %Capacity',
    `${k(st.blocks)} ${k(used)} ${k(st.bavail)} ${k(st.bfree)}         ${dcap}`,
  ];
}

export const HELP = `Available commands:
bye, exit, quit                    Leave sftp
cd [path]                          Change the remote directory (no path: the start one)
chmod mode path                    Set the permissions of remote 'path' (octal mode)
df [-hi] [path]                    Show usage of the file system holding 'path'
get [-afpR] remote [local]         Download files (-R directories, -p keep modes and times,
                                   -a resume)
help, ?                            Show this text
lcd [path]                         Change the local directory
lmkdir path                        Make a local directory
ln [-s] oldpath newpath            Make a hard link (-s: a symbolic link) on the server
lpwd                               Show the local directory
ls [-1afhlnrSt] [path]             List a remote directory (glob patterns allowed)
mkdir path                         Make a remote directory
progress                           Turn the progress meter on or off
put [-afpR] local [remote]         Upload files
pwd                                Show the remote directory
reget [-fpR] remote [local]        Resume a download
rename oldpath newpath             Rename a remote file
reput [-fpR] local [remote]        Resume an upload
rm path                            Remove remote files (glob patterns allowed)
rmdir path                         Remove a remote directory
symlink oldpath newpath            Make a symbolic link on the server
version                            Show the SFTP protocol version`;
