/**
 * One regular local file to a remote path, as OpenSSH's sftp-client.c sftp_upload behaves: the
 * remote file is written directly, opened with WRITE|CREAT|TRUNC and the local permission bits
 * (& 0777) on OPEN, or without TRUNC for a resume (reput), which continues from the remote
 * file's size at that offset. The local file is read with positional reads into fresh buffers
 * of the server's write length (pipelinedWrite sends them without a copy). With preserve, a
 * complete file gets FSETSTAT of its mode and times before CLOSE.
 *
 * A failed or cancelled upload is cut back (FSETSTAT size) to the highest offset below which
 * every WRITE was acknowledged, as OpenSSH does for reput, so a later resume never leaves a
 * hole. A remote file larger than the local one is a TransferError; an equal one needs no
 * bytes.
 */
import { isRegularFile, type FileAttributes } from '../attrs.js';
import type { SftpClient, SftpHandle } from '../client.js';
import { OpenFlag } from '../constants.js';
import { SftpNoSuchFileError } from '../errors.js';
import { pipelinedWrite } from '../pipeline.js';
import { checkCancelled, isFatal, type TransferContext } from './context.js';
import { TransferError } from './errors.js';
import type { LocalFileHandle, LocalStats } from './local-fs.js';

/** Uploads `localPath` (a regular file, `st` its stat) to `remote`; the bytes moved. */
export async function uploadFile(
  ctx: TransferContext,
  localPath: string,
  remote: string,
  st: LocalStats,
): Promise<number> {
  const { client, local } = ctx;
  checkCancelled(ctx);
  const offset = ctx.resume ? await remoteResumePoint(client, localPath, remote, st.size) : 0;
  const mode = st.mode & 0o777;
  const finalAttrs: FileAttributes = {
    permissions: mode,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  };

  if (ctx.resume && offset === st.size) {
    const fp = ctx.progress.startFile(localPath, st.size, offset);
    if (ctx.preserve) await client.setstat(remote, finalAttrs);
    fp.done();
    ctx.onFileDone?.(localPath, 0);
    return 0;
  }

  const fh = await local.open(localPath, 'r');
  let h: SftpHandle;
  try {
    const flags = ctx.resume
      ? OpenFlag.WRITE | OpenFlag.CREAT
      : OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.TRUNC;
    h = await client.open(remote, flags, { permissions: mode });
  } catch (e) {
    await fh.close().catch(() => {});
    throw e;
  }

  const fp = ctx.progress.startFile(localPath, st.size, offset);
  const acked = new AckedPrefix(offset);
  let sent: number;
  try {
    const r = await pipelinedWrite(client, h, {
      offset,
      onWritten: (at, n) => {
        acked.ack(at, n);
        fp.advance(n);
      },
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
      source: chunkReader(fh, offset, client.limits.maxWriteLength),
    });
    sent = r.bytes;
    const size = (await client.fstat(h)).size;
    if (size !== undefined && size !== offset + sent) {
      throw new TransferError(
        `upload ${localPath} to ${remote}: the remote file has ${size} bytes where ` +
          `${offset + sent} were written`,
      );
    }
    if (ctx.preserve) await client.fsetstat(h, finalAttrs);
  } catch (e) {
    await fh.close().catch(() => {});
    if (!isFatal(e)) {
      await client.fsetstat(h, { size: acked.end }).catch(() => {});
      await client.close(h).catch(() => {});
    }
    throw e;
  }
  await fh.close().catch(() => {});
  await client.close(h);
  fp.done();
  ctx.onFileDone?.(localPath, sent);
  return sent;
}

/** reput: the remote file's size (0 when there is none yet), checked against the local size. */
async function remoteResumePoint(
  client: SftpClient,
  localPath: string,
  remote: string,
  localSize: number,
): Promise<number> {
  let a: FileAttributes;
  try {
    a = await client.stat(remote);
  } catch (e) {
    if (e instanceof SftpNoSuchFileError) return 0;
    throw e;
  }
  if (a.permissions !== undefined && !isRegularFile(a)) {
    throw new TransferError(`cannot resume upload to ${remote}: it is not a regular file`);
  }
  const size = a.size ?? 0;
  if (size > localSize) {
    throw new TransferError(
      `cannot resume upload of ${localPath}: the remote file (${size} bytes) is larger than ` +
        `the local file (${localSize} bytes)`,
      undefined,
      { path: remote },
    );
  }
  return size;
}

/** Reads the file from `start` into fresh buffers of `chunkSize` (the last may be shorter). */
function chunkReader(
  fh: LocalFileHandle,
  start: number,
  chunkSize: number,
): () => Promise<Uint8Array | null> {
  let pos = start;
  return async () => {
    const buf = Buffer.allocUnsafe(chunkSize);
    let n = 0;
    while (n < chunkSize) {
      const { bytesRead } = await fh.read(buf, n, chunkSize - n, pos + n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n === 0) return null;
    pos += n;
    return n === chunkSize ? buf : buf.subarray(0, n);
  };
}

/** The end of the prefix of the file in which every byte has been acknowledged. */
class AckedPrefix {
  private readonly ahead = new Map<number, number>();
  constructor(public end: number) {}

  ack(at: number, n: number): void {
    if (at !== this.end) {
      this.ahead.set(at, n);
      return;
    }
    this.end += n;
    for (;;) {
      const next = this.ahead.get(this.end);
      if (next === undefined) return;
      this.ahead.delete(this.end);
      this.end += next;
    }
  }
}
