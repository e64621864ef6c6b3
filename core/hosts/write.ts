/**
 * Adding a host key to a known_hosts file, atomically (DESIGN.md "Bad input": a crash leaves
 * the old file or the new one, never half of one):
 *
 *   read the file → write old text + the new line to a temp file in the same directory
 *   (exclusive create, the old file's mode or 0600, fsync) → rename over the file → fsync dir.
 *
 * The line is OpenSSH's (hostfile.c format_host_entry): `name keytype base64`, the name being
 * `host` or `[host]:port` in lowercase, or its `|1|salt|hash` when hashing is asked for.
 *
 * Writers in this process are serialised per file. Another process (ssh, a second Keyway) may
 * rewrite the file meanwhile: just before the rename we re-read it and start over if it
 * changed, and after the rename we check our line is there, so a lost update is retried rather
 * than silently dropped. A symlinked file is updated at its target. A path that exists but is not
 * a regular file (UserKnownHostsFile /dev/null) is appended to in place and never replaced.
 * A missing parent directory (~/.ssh) is created with mode 0700.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { KnownHostsError } from '../errors.js';
import { SshReader } from '../wire/reader.js';
import { hashHostName, isRecordableHost, knownHostName } from './patterns.js';

export interface FileInfo {
  readonly regular: boolean;
  /** Permission bits. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** The file operations the writer uses; tests replace some to inject failures. */
export interface KnownHostsFs {
  /** The whole file, or undefined when it does not exist. */
  read(path: string): Promise<Uint8Array | undefined>;
  /** undefined when the path does not exist. */
  stat(path: string): Promise<FileInfo | undefined>;
  /** The path with symlinks resolved, or undefined when it does not exist. */
  realpath(path: string): Promise<string | undefined>;
  /** Creates one directory with this mode; an existing one is fine. */
  mkdir(path: string, mode: number): Promise<void>;
  /**
   * Creates `path` exclusively with `mode`, writes `data`, fsyncs and closes it. With `owner`,
   * gives it that owner when we may (as root: `sudo` must not leave a root-owned known_hosts).
   */
  writeNew(path: string, data: Uint8Array, mode: number, owner?: FileInfo): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Appends in place (O_APPEND), for paths that are not regular files. */
  append(path: string, data: Uint8Array): Promise<void>;
  /** fsyncs a directory so a rename in it is durable; best effort. */
  syncDir(path: string): Promise<void>;
}

function errno(e: unknown): string | undefined {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw e;
  }
}

export const nodeKnownHostsFs: KnownHostsFs = {
  read: (path) => orUndefined(fsp.readFile(path)),
  stat: async (path) => {
    const st = await orUndefined(fsp.stat(path));
    return st && { regular: st.isFile(), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  },
  realpath: (path) => orUndefined(fsp.realpath(path)),
  mkdir: async (path, mode) => {
    try {
      await fsp.mkdir(path, { mode });
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw e;
    }
  },
  writeNew: async (path, data, mode, owner) => {
    const fh = await fsp.open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      mode,
    );
    try {
      if (owner !== undefined && process.getuid?.() === 0) await fh.chown(owner.uid, owner.gid);
      await fh.chmod(mode); // the umask may have narrowed the mode given to open()
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  append: (path, data) => fsp.appendFile(path, data),
  syncDir: async (path) => {
    try {
      const fh = await fsp.open(path, constants.O_RDONLY);
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch {
      // Some platforms and file systems cannot fsync a directory; the rename still happened.
    }
  },
};

/** The known_hosts line for a key: `name keytype base64` (no newline). */
export function formatKnownHostsLine(
  host: string,
  port: number,
  key: { readonly blob: Uint8Array },
  hash = false,
): string {
  if (!isRecordableHost(host)) {
    throw new KnownHostsError(`will not record the unsafe host name "${host}"`, { host });
  }
  const type = new SshReader(key.blob, 'public key blob').readAscii();
  const name = knownHostName(host, port);
  const b64 = Buffer.from(key.blob.buffer, key.blob.byteOffset, key.blob.byteLength).toString(
    'base64',
  );
  return `${hash ? hashHostName(name) : name} ${type} ${b64}`;
}

const encoder = new TextEncoder();
const queues = new Map<string, Promise<unknown>>();
const MAX_ATTEMPTS = 5;

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function hasLine(text: Uint8Array | undefined, line: string): boolean {
  return text !== undefined && Buffer.from(text).toString('utf8').split(/\r?\n/).includes(line);
}

async function appendOnce(file: string, line: string, fs: KnownHostsFs): Promise<void> {
  const target = (await fs.realpath(file)) ?? resolve(file);
  const dir = dirname(target);
  if ((await fs.stat(dir)) === undefined) await fs.mkdir(dir, 0o700);
  const st = await fs.stat(target);
  if (st !== undefined && !st.regular) {
    await fs.append(target, encoder.encode(line + '\n'));
    return;
  }
  const mode = st?.mode ?? 0o600;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const old = await fs.read(target);
    const oldLen = old?.length ?? 0;
    const sep = oldLen > 0 && old?.[oldLen - 1] !== 0x0a ? '\n' : '';
    const add = encoder.encode(sep + line + '\n');
    const data = new Uint8Array(oldLen + add.length);
    if (old) data.set(old);
    data.set(add, oldLen);
    const tmp = join(
      dir,
      `.${basename(target)}.${process.pid}.${nodeRandomBytes(6).toString('hex')}.tmp`,
    );
    let renamed = false;
    try {
      await fs.writeNew(tmp, data, mode, st);
      if (!sameBytes(await fs.read(target), old)) continue; // someone else wrote: start over
      await fs.rename(tmp, target);
      renamed = true;
    } finally {
      if (!renamed) await fs.unlink(tmp).catch(() => undefined);
    }
    await fs.syncDir(dir);
    if (hasLine(await fs.read(target), line)) return;
  }
  throw new KnownHostsError(`${file} kept changing while the new host key was being added`, {
    file,
  });
}

/**
 * Appends one line to a known_hosts file atomically (see the module comment). Failures are
 * KnownHostsError naming the file; the file is then exactly as it was.
 */
export async function appendKnownHostsLine(
  file: string,
  line: string,
  fs: KnownHostsFs = nodeKnownHostsFs,
): Promise<void> {
  if (/[\r\n]/.test(line)) throw new KnownHostsError('a known_hosts line cannot contain a newline');
  const key = resolve(file);
  const run = (queues.get(key) ?? Promise.resolve()).then(() => appendOnce(file, line, fs));
  const settled = run.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  try {
    await run;
  } catch (e) {
    if (e instanceof KnownHostsError) throw e;
    throw new KnownHostsError(
      `cannot add the host key to ${file}: ${e instanceof Error ? e.message : String(e)}`,
      {
        file,
        errno: errno(e),
      },
      { cause: e },
    );
  }
}
