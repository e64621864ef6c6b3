/**
 * Reading key files with a bound: a key file is small, and a path that names something else
 * (a device, a FIFO, a huge file) must not make us read or allocate without limit.
 */
import { open } from 'node:fs/promises';
import { KeyPermissionError } from './errors.js';

/**
 * Reads up to `limit` + 1 bytes of `path`: enough to tell a file that is too large without
 * reading it all. Rejects with node's error (code ENOENT, EACCES, EISDIR, …), and for a
 * private key (`privateKey`) open to others with KeyPermissionError.
 */
export async function readBounded(
  path: string,
  limit: number,
  opts: { readonly privateKey?: boolean } = {},
): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    if (opts.privateKey) checkPrivateKeyMode(path, await handle.stat());
    const buf = new Uint8Array(limit + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await handle.close();
  }
}

/**
 * ssh's rule for private key files (sshkey_perm_ok): a file owned by the user running us must
 * not be open to group or others. Files owned by someone else (root's keys read by root, a
 * shared mount), devices and systems without POSIX modes are not judged.
 */
export function checkPrivateKeyMode(path: string, st: FileModeInfo): void {
  if (openToOthers(st)) throw new KeyPermissionError(path, st.mode);
}

export interface FileModeInfo {
  readonly uid: number;
  readonly mode: number;
  isFile(): boolean;
}

/** The rule above, for any secret file: ours, a regular file, and group or others may use it. */
export function openToOthers(st: FileModeInfo): boolean {
  if (process.platform === 'win32' || !st.isFile()) return false;
  return st.uid === process.getuid?.() && (st.mode & 0o077) !== 0;
}
