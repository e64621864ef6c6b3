/**
 * Reading key files with a bound: a key file is small, and a path that names something else
 * (a device, a FIFO, a huge file) must not make us read or allocate without limit.
 */
import { open } from 'node:fs/promises';

/**
 * Reads up to `limit` + 1 bytes of `path`: enough to tell a file that is too large without
 * reading it all. Rejects with node's error (code ENOENT, EACCES, EISDIR, …).
 */
export async function readBounded(path: string, limit: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
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
