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
 *
 * A file whose rest fits one WRITE is read whole before the OPEN (in a tree, by its local
 * thread: local-io-thread.ts), and its WRITE goes out with the FSETSTAT and CLOSE that
 * finish it (uploadSmall): one round trip after OPEN, not two.
 */
import { isRegularFile, type FileAttributes } from '../attrs.js';
import type { SftpClient, SftpHandle } from '../client.js';
import { OpenFlag } from '../constants.js';
import { SftpNoSuchFileError } from '../errors.js';
import { pipelinedWrite } from '../pipeline.js';
import { PIPELINED_WEIGHT, checkCancelled, isFatal, type TransferContext } from './context.js';
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
  const offset = ctx.resume
    ? await ctx.remote(() => remoteResumePoint(client, localPath, remote, st.size))
    : 0;
  const mode = st.mode & 0o777;
  const finalAttrs: FileAttributes = {
    permissions: mode,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  };

  if (ctx.resume && offset === st.size) {
    const fp = ctx.progress.startFile(localPath, st.size, offset);
    if (ctx.preserve) await ctx.remote(() => client.setstat(remote, finalAttrs));
    fp.done();
    ctx.onFileDone?.(localPath, 0);
    return 0;
  }

  const flags = ctx.resume
    ? OpenFlag.WRITE | OpenFlag.CREAT
    : OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.TRUNC;
  const job: UploadJob = { localPath, remote, st, offset, flags, mode, finalAttrs };
  const small = st.size - offset <= client.limits.maxWriteLength;
  // a tree's small files are read by its local thread when it can take them (before the
  // remote OPEN, as below: a local error must not have truncated the remote file)
  const reading = small ? (ctx.io?.readWhole(localPath, offset, st.size - offset) ?? null) : null;
  if (reading !== null) {
    const whole = await reading;
    if (whole.data !== null) {
      const data = whole.data;
      let n: number;
      try {
        n = await ctx.remote(() => uploadSmall(ctx, null, { ...job, data }));
      } catch (e) {
        whole.retire();
        throw e;
      }
      whole.release(); // answered: nothing holds the data any more
      return n;
    }
    whole.release();
    // not the size its stat said, or the reader is gone: read as any file is
  }

  // the local file opens first: a local error must not have truncated the remote file
  const fh = await local.open(localPath, 'r');
  if (small) {
    // read ahead, before taking a place among the files talking to the server
    const buffer = takeBuffer(ctx);
    const data = await readWhole(fh, offset, st.size - offset, buffer);
    if (data !== null) {
      const n = await ctx.remote(() => uploadSmall(ctx, fh, { ...job, data }));
      giveBack(ctx, buffer); // answered: nothing holds the data any more
      return n;
    }
    giveBack(ctx, buffer);
    // not the size its stat said: read as any file is
  }
  return ctx.remote(() => uploadPipelined(ctx, fh, job), PIPELINED_WEIGHT);
}

/** What uploadFile() settled before the transfer proper. */
interface UploadJob {
  readonly localPath: string;
  readonly remote: string;
  readonly st: LocalStats;
  /** Where the WRITEs start: 0, or the remote size on resume. */
  readonly offset: number;
  /** OPEN's flags, and the permission bits it creates the file with. */
  readonly flags: number;
  readonly mode: number;
  /** What -p sets once the file is complete. */
  readonly finalAttrs: FileAttributes;
}

/** Any file: pipelined WRITEs of chunks read as they go, from `fh` (closed on return). */
async function uploadPipelined(
  ctx: TransferContext,
  fh: LocalFileHandle,
  u: UploadJob,
): Promise<number> {
  const { client } = ctx;
  const { localPath, remote, st, offset } = u;
  let h: SftpHandle;
  try {
    checkCancelled(ctx);
    h = await client.open(remote, u.flags, { permissions: u.mode });
  } catch (e) {
    await fh.close().catch(() => {});
    throw e;
  }

  const fp = ctx.progress.startFile(localPath, st.size, offset);
  const acked = new AckedPrefix(offset);
  const reader = new ChunkReader(fh, offset, client.limits.maxWriteLength, st.size);
  let sent: number;
  try {
    const r = await pipelinedWrite(client, h, {
      offset,
      onWritten: (at, n) => {
        acked.ack(at, n);
        reader.written(at, n);
        fp.advance(n);
      },
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
      source: reader.next,
    });
    sent = r.bytes;
  } catch (e) {
    await fh.close().catch(() => {});
    if (!isFatal(e)) {
      await client.fsetstat(h, { size: acked.end }).catch(() => {});
      await client.close(h).catch(() => {});
    }
    throw e;
  }
  // the local close overlaps the remote round trip
  await Promise.all([
    fh.close().catch(() => {}),
    finishRemote(
      client,
      h,
      remote,
      ctx.preserve ? u.finalAttrs : null,
      ctx.resume ? offset + sent : null,
      `upload ${localPath} to ${remote}`,
    ),
  ]);
  fp.done();
  ctx.onFileDone?.(localPath, sent);
  return sent;
}

/** A file small enough for one WRITE, read whole, on its way. */
interface SmallUpload extends UploadJob {
  readonly data: Uint8Array;
}

/**
 * One transfer's buffers for small files' contents, each one WRITE long. A file takes one and
 * gives it back once its WRITE is answered (until then the data is in flight without a copy,
 * or gathered); after a failure it is dropped instead. A tree of small files otherwise
 * allocated a buffer per file outside the JavaScript heap, which kept the collector running,
 * as ChunkReader's reuse avoids for large files.
 */
const smallBuffers = new WeakMap<TransferContext, Buffer[]>();

function takeBuffer(ctx: TransferContext): Buffer {
  return smallBuffers.get(ctx)?.pop() ?? Buffer.allocUnsafe(ctx.client.limits.maxWriteLength);
}

function giveBack(ctx: TransferContext, buffer: Buffer): void {
  const free = smallBuffers.get(ctx);
  if (free === undefined) smallBuffers.set(ctx, [buffer]);
  else free.push(buffer);
}

/**
 * `length` bytes of `fh` from `offset`, read into `buffer`, or null when the file does not end
 * there (it shrank or grew since its stat). Read before the remote OPEN, so a local error
 * truncates nothing. Each read asks for one byte more than the file should have left, so the
 * read that reaches `length` comes back short, which on a regular file is its end: no
 * separate read to find EOF (unless the buffer has no room for that byte).
 */
async function readWhole(
  fh: LocalFileHandle,
  offset: number,
  length: number,
  buffer: Buffer,
): Promise<Uint8Array | null> {
  try {
    const want = Math.min(length + 1, buffer.length);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buffer, n, want - n, offset + n);
      n += bytesRead;
      if (n > length) return null; // grown
      if (bytesRead === 0) return n === length ? buffer.subarray(0, length) : null;
      if (n === length) break;
    }
    if (want > length) return buffer.subarray(0, length); // that last read was short: EOF
    const { bytesRead } = await fh.read(Buffer.allocUnsafe(1), 0, 1, offset + length);
    return bytesRead === 0 ? buffer.subarray(0, length) : null;
  } catch (e) {
    await fh.close().catch(() => {});
    throw e;
  }
}

/**
 * A file that fits one WRITE, read whole (`fh`, if it is still open, is closed meanwhile):
 * after OPEN, the WRITE, (FSETSTAT,) and CLOSE go out together, since the server answers a
 * handle's requests in order: one round trip after OPEN instead of two. A failed WRITE cuts
 * the remote file back to where this call started, by path (the handle is closed by then).
 */
async function uploadSmall(
  ctx: TransferContext,
  fh: LocalFileHandle | null,
  u: SmallUpload,
): Promise<number> {
  const { client } = ctx;
  const closingLocal = fh === null ? Promise.resolve() : fh.close().catch(() => {});
  let h: SftpHandle;
  try {
    checkCancelled(ctx);
    h = await client.open(u.remote, u.flags, { permissions: u.mode });
  } catch (e) {
    await closingLocal;
    throw e;
  }
  const fp = ctx.progress.startFile(u.localPath, u.st.size, u.offset);
  const n = u.data.length;
  const writing = n > 0 ? client.writeChunk(h, u.offset, u.data) : Promise.resolve();
  const finishing = finishRemote(
    client,
    h,
    u.remote,
    ctx.preserve ? u.finalAttrs : null,
    ctx.resume ? u.offset + n : null,
    `upload ${u.localPath} to ${u.remote}`,
    writing,
  );
  const [finished] = await Promise.allSettled([finishing, closingLocal]);
  if (finished.status === 'rejected') {
    const e: unknown = finished.reason;
    if (e instanceof WriteFailed) {
      if (!isFatal(e.cause)) await client.setstat(u.remote, { size: u.offset }).catch(() => {});
      throw e.cause;
    }
    throw e;
  }
  fp.advance(n);
  fp.done();
  ctx.onFileDone?.(u.localPath, n);
  return n;
}

/** finishRemote's `writing` failed: its error, told apart from the finish's own. */
class WriteFailed {
  constructor(readonly cause: unknown) {}
}

/**
 * FSETSTAT of mode and times (preserve) and CLOSE, sent together (after `writing`, a WRITE
 * already sent, whose failure comes out as WriteFailed): the server answers requests on one
 * handle in order, so they cost one round trip. A resumed file (`written`: its whole
 * size) is FSTAT'ed first in the same batch, since bytes before the offset were not written by
 * this call: a size that disagrees is cut back to what was written, by path since the handle
 * is closed by then, and reported. A fresh file was truncated on OPEN and every WRITE was
 * acknowledged, so it needs no FSTAT (OpenSSH's sftp sends none).
 */
async function finishRemote(
  client: SftpClient,
  h: SftpHandle,
  remote: string,
  attrs: FileAttributes | null,
  written: number | null,
  what: string,
  writing: Promise<void> = Promise.resolve(),
): Promise<void> {
  const [wrote, stat, set, closed] = await Promise.allSettled([
    writing,
    written === null ? Promise.resolve(null) : client.fstat(h),
    attrs === null ? Promise.resolve() : client.fsetstat(h, attrs),
    client.close(h),
  ]);
  if (wrote.status === 'rejected') throw new WriteFailed(wrote.reason);
  if (stat.status === 'rejected') throw stat.reason;
  const size = stat.value?.size;
  if (written !== null && size !== undefined && size !== written) {
    await client.setstat(remote, { size: written }).catch(() => {});
    throw new TransferError(
      `${what}: the remote file has ${size} bytes where ${written} were written`,
    );
  }
  if (set.status === 'rejected') throw set.reason;
  if (closed.status === 'rejected') throw closed.reason;
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

/**
 * Reads the file from `start` into buffers of at most `chunkSize`, sized to what the stat
 * says is left, so a small file costs one small buffer rather than a whole write length.
 * Past the expected end one small read checks for EOF; a file that has grown since its stat
 * goes on being read in full chunks until EOF, as OpenSSH's upload reads to EOF.
 *
 * Whole-size buffers come back through written() once the server has acknowledged their
 * WRITE, and are read into again: a large upload reuses the few buffers in flight instead of
 * allocating one per chunk, which kept the garbage collector busy.
 */
class ChunkReader {
  private pos: number;
  private grown = false;
  private readonly free: Buffer[] = [];
  private readonly lent = new Map<number, Buffer>();

  constructor(
    private readonly fh: LocalFileHandle,
    start: number,
    private readonly chunkSize: number,
    private readonly expectedSize: number,
  ) {
    this.pos = start;
  }

  readonly next = async (): Promise<Uint8Array | null> => {
    const left = this.expectedSize - this.pos;
    const want = this.grown
      ? this.chunkSize
      : left > 0
        ? Math.min(this.chunkSize, left)
        : EOF_PROBE;
    const buf = (want === this.chunkSize ? this.free.pop() : undefined) ?? Buffer.allocUnsafe(want);
    let n = 0;
    while (n < want) {
      const { bytesRead } = await this.fh.read(buf, n, want - n, this.pos + n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n === 0) {
      if (want === this.chunkSize) this.free.push(buf);
      return null;
    }
    if (left <= 0) this.grown = true;
    if (n === this.chunkSize) this.lent.set(this.pos, buf);
    this.pos += n;
    return n === want ? buf : buf.subarray(0, n);
  };

  /** The server acknowledged `n` bytes at `at`: a whole chunk's buffer may be read into again. */
  written(at: number, n: number): void {
    const buf = this.lent.get(at);
    if (buf === undefined || n !== buf.length) return;
    this.lent.delete(at);
    this.free.push(buf);
  }
}

/** Bytes read past a file's expected end to see whether it has grown. */
const EOF_PROBE = 4096;

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
