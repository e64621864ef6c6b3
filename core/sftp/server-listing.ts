/**
 * What an SFTP server says about a file: ATTRS from a stat (OpenSSH sftp-common.c
 * stat_to_attrib: size, uid/gid, mode, atime/mtime, always all four), and READDIR's longname,
 * the `ls -l` line that OpenSSH's `sftp ls -l` prints as it is (sftp-common.c ls_file with
 * strmode(3)): mode, link count, owner and group names (numbers when unknown) padded to 8,
 * size, a date ("%b %e %H:%M" within the last six months, else "%b %e  %Y", local time), name.
 */
import type { Stats } from 'node:fs';
import type { FileAttributes } from './attrs.js';
import { FileType } from './constants.js';
import type { Accounts } from './server-accounts.js';

/** Seconds as SFTP v3's uint32 carries them (wrapping, as OpenSSH's C cast does). */
const u32Time = (ms: number): number => Math.floor(ms / 1000) >>> 0;

export function statAttrs(st: Stats): FileAttributes {
  return {
    size: st.size,
    uid: st.uid >>> 0,
    gid: st.gid >>> 0,
    permissions: st.mode >>> 0,
    atime: u32Time(st.atimeMs),
    mtime: u32Time(st.mtimeMs),
  };
}

const TYPE_CHAR: Readonly<Record<number, string>> = {
  [FileType.DIRECTORY]: 'd',
  [FileType.CHAR]: 'c',
  [FileType.BLOCK]: 'b',
  [FileType.REGULAR]: '-',
  [FileType.SYMLINK]: 'l',
  [FileType.SOCKET]: 's',
  [FileType.FIFO]: 'p',
};

/** strmode(3): ten characters and the trailing space. */
export function strmode(mode: number): string {
  const bit = (m: number, c: string) => (mode & m ? c : '-');
  const special = (x: number, s: number, set: string, unset: string, plain: string) =>
    mode & s ? (mode & x ? set : unset) : mode & x ? plain : '-';
  return (
    (TYPE_CHAR[mode & FileType.MASK] ?? '?') +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    special(0o100, 0o4000, 's', 'S', 'x') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    special(0o010, 0o2000, 's', 'S', 'x') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    special(0o001, 0o1000, 't', 'T', 'x') +
    ' '
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HALF_YEAR_S = (365 * 24 * 60 * 60) / 2;

function lsDate(mtimeS: number, nowS: number): string {
  const d = new Date(mtimeS * 1000);
  const head = `${MONTHS[d.getMonth()] ?? '???'} ${String(d.getDate()).padStart(2, ' ')}`;
  if (nowS - HALF_YEAR_S < mtimeS && nowS >= mtimeS) {
    const hh = String(d.getHours()).padStart(2, '0');
    const mm = String(d.getMinutes()).padStart(2, '0');
    return `${head} ${hh}:${mm}`;
  }
  return `${head}  ${d.getFullYear()}`;
}

/** The longname of one directory entry; `name` is the entry's bytes, copied in as they are. */
export function longname(
  name: Uint8Array,
  st: Stats,
  accounts: Accounts,
  nowS = Date.now() / 1000,
): Uint8Array {
  const user = accounts.users.get(st.uid) ?? String(st.uid);
  const group = accounts.groups.get(st.gid) ?? String(st.gid);
  const head =
    `${strmode(st.mode)} ${String(st.nlink).padStart(3, ' ')} ` +
    `${user.padEnd(8, ' ')} ${group.padEnd(8, ' ')} ${String(st.size).padStart(8, ' ')} ` +
    `${lsDate(Math.floor(st.mtimeMs / 1000), Math.floor(nowS))} `;
  const h = Buffer.from(head, 'utf8');
  const out = new Uint8Array(h.length + name.length);
  out.set(h, 0);
  out.set(name, h.length);
  return out;
}
