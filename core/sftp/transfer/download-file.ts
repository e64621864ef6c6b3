/**
 * One regular remote file to a local path, as OpenSSH's sftp-client.c sftp_download behaves,
 * but never writing half a file over the target: bytes go to `<target>.part` beside it,
 * written positionally from the pipelined reader's in-order sink, each reply's data with one
 * writev of the views it arrived in (each write awaited, which is the backpressure; a short
 * write continues with the rest), and only a complete file whose size verifies is renamed
 * over the target. A failure, a cancel or a local write error (ENOSPC) leaves the old target
 * as it was and the .part for a resume.
 *
 * In a tree, a new file that fits one READ is made on the tree's local thread once its data
 * is all here: create, write, close and rename in one call, instead of four trips through
 * libuv's thread pool.
 *
 * A .part that will replace a file is created 0600 (the file it replaces may be private) and
 * gets its mode when complete; a new file's .part is created with its final mode, as OpenSSH
 * creates the file itself, when open() gives that mode exactly under the umask.
 *
 * Resume (reget): continue `<target>.part` from its size; with no .part but a target smaller
 * than the remote, continue a copy of the target (OpenSSH would append to it in place). A
 * local file larger than the remote is a TransferError; an equal one needs no bytes.
 *
 * Modes: with preserve, the remote permission bits (& 0777: set[ug]id are dropped, as OpenSSH
 * does, since ownership is not kept) and atime/mtime; without, a replaced target keeps its
 * mode and a new file gets the remote's bits under the umask.
 */
import { constants as fsc } from 'node:fs';
import { partsLength, sliceParts, type ByteParts } from '../../wire/byte-parts.js';
import type { FileAttributes } from '../attrs.js';
import type { SftpHandle } from '../client.js';
import { SftpProtocolError } from '../errors.js';
import { pipelinedRead } from '../pipeline.js';
import { PIPELINED_WEIGHT, checkCancelled, type TransferContext } from './context.js';
import { TransferError, causeText } from './errors.js';
import { errnoCode, statOrNull, type LocalFileHandle, type LocalStats } from './local-fs.js';

export const PART_SUFFIX = '.part';

type Start =
  | { readonly from: 'fresh'; readonly offset: 0 }
  | { readonly from: 'part' | 'target'; readonly offset: number };

/**
 * Downloads `remote` (a regular file with these attributes) to `target`; the bytes moved.
 * `fresh`: the caller made target's directory just now, so neither the target nor a .part is
 * there to look for.
 */
export async function downloadFile(
  ctx: TransferContext,
  remote: string,
  target: string,
  attrs: FileAttributes,
  fresh = false,
): Promise<number> {
  const { local } = ctx;
  checkCancelled(ctx);
  const size = attrs.size ?? null;
  const part = target + PART_SUFFIX;
  const existing = fresh ? null : await statOrNull(local, target, true);
  const start: Start = fresh
    ? { from: 'fresh', offset: 0 }
    : await resumePoint(ctx, part, existing, size);
  const finalMode = modeFor(ctx, attrs, existing);
  // a new file's .part can be made with its final mode: the finished file shows the same
  const createMode = existing === null && opensAs(ctx, finalMode) ? finalMode : PRIVATE;

  if (start.from !== 'fresh' && start.offset === size) {
    // already whole: a .part only needs its rename; a target is left as it is
    const fp = ctx.progress.startFile(remote, size, start.offset);
    if (start.from === 'part') {
      const fh = await local.open(part, fsc.O_WRONLY);
      await settleLocal(ctx, fh, finalMode, attrs);
      await local.rename(part, target);
    }
    fp.done();
    ctx.onFileDone?.(remote, 0);
    return 0;
  }

  // places among the files talking to the server, given back once the data is all here
  const oneRead = restFitsOneRead(ctx, size, start.offset);
  const release = await ctx.remote.acquire(oneRead ? 1 : PIPELINED_WEIGHT);
  try {
    const job = { remote, part, target, attrs, size, start, finalMode, createMode };
    return await fetchInto(ctx, job, release);
  } finally {
    release();
  }
}

/** The file's rest from `offset` is known to fit one READ (a `size` of null is unknown). */
function restFitsOneRead(
  ctx: TransferContext,
  size: number | null,
  offset: number,
): size is number {
  return size !== null && size - offset <= ctx.client.limits.maxReadLength;
}

/** What downloadFile() settled before the transfer proper. */
interface FetchJob {
  readonly remote: string;
  readonly part: string;
  readonly target: string;
  readonly attrs: FileAttributes;
  readonly size: number | null;
  readonly start: Start;
  /** The finished file's mode, and the mode its .part is created with. */
  readonly finalMode: number;
  readonly createMode: number;
}

/**
 * downloadFile()'s transfer proper: opens both ends, reads, and finishes the .part. A file
 * read in one flight calls `release` once its data is all here and its handle closed, so its
 * writing behind leaves the place to the next file; a pipelined file writes as it reads and
 * keeps the place to its end.
 */
async function fetchInto(
  ctx: TransferContext,
  job: FetchJob,
  release: () => void,
): Promise<number> {
  const { client, local } = ctx;
  const { remote, part, target, attrs, size, start, finalMode, createMode } = job;
  // a new file that fits one READ can be made whole on the local thread once its data is here
  const whole =
    start.from === 'fresh' &&
    restFitsOneRead(ctx, size, 0) &&
    ctx.io !== undefined &&
    ctx.io.ready &&
    size <= ctx.io.maxLength;
  // the remote OPEN's round trip overlaps the local open
  const [opened, openedLocal] = await Promise.allSettled([
    client.open(remote, 'r'),
    whole ? null : openPart(ctx, part, target, start, createMode),
  ]);
  if (opened.status === 'rejected' || openedLocal.status === 'rejected') {
    if (opened.status === 'fulfilled') await client.close(opened.value).catch(() => {});
    if (openedLocal.status === 'fulfilled' && openedLocal.value !== null) {
      await openedLocal.value.close().catch(() => {});
      // a .part this call made (new, or a copy of the target) goes again: nothing changed
      if (start.from !== 'part') await local.unlink(part).catch(() => {});
    }
    throw opened.status === 'rejected'
      ? opened.reason
      : (openedLocal as PromiseRejectedResult).reason;
  }
  /** The open .part; null until it is needed, when the local thread was to make the file. */
  let fh: LocalFileHandle | null = openedLocal.value;
  /** The open remote handle; null once closed. */
  let h: SftpHandle | null = opened.value;

  const fp = ctx.progress.startFile(remote, size, start.offset);
  let received = 0;
  const sinkParts = async (parts: ByteParts, at: number, length: number): Promise<void> => {
    fh ??= await openPart(ctx, part, target, start, createMode);
    let done = 0;
    let rest = parts;
    for (;;) {
      const { bytesWritten } = await fh.writev(rest, at + done);
      if (bytesWritten <= 0) throw new Error(`write ${part}: no bytes written`);
      done += bytesWritten;
      received += bytesWritten;
      fp.advance(bytesWritten);
      if (done >= length) break;
      rest = sliceParts(rest, bytesWritten);
    }
  };
  try {
    let at = start.offset;
    if (restFitsOneRead(ctx, size, at)) {
      const small = await readSmall(ctx, h, remote, at, size - at);
      h = null;
      // all of it is here: the writing goes on without the server
      if (small.complete) release();
      if (small.complete && fh === null && (await writeWhole(ctx, job, small))) {
        fp.advance(size);
        fp.done();
        ctx.onFileDone?.(remote, size);
        return size;
      }
      for (const piece of small.pieces) {
        await sinkParts(piece.parts, at, piece.length);
        at += piece.length;
      }
      // short, shrunk or grown since its STAT: the rest as any file is read
      if (!small.complete) h = await client.open(remote, 'r');
    }
    if (h !== null) {
      await pipelinedRead(client, h, {
        offset: at,
        maxRequests: requestsFor(ctx, size, at),
        ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
        sinkParts,
      });
    }
    const all = start.offset + received;
    fh ??= await openPart(ctx, part, target, start, createMode); // an empty file
    await verifySize(ctx, remote, h, fh, part, start.from === 'fresh', all, size);
    await settleLocal(
      ctx,
      fh,
      start.from === 'fresh' && createMode === finalMode ? null : finalMode,
      attrs,
    );
  } catch (e) {
    if (h !== null) await client.close(h).catch(() => {});
    await fh?.close().catch(() => {});
    throw e;
  }
  // a read handle's CLOSE can only fail once the data is already here: its round trip
  // overlaps the rename
  await Promise.all([
    h === null ? undefined : client.close(h).catch(() => {}),
    local.rename(part, target),
  ]);
  fp.done();
  ctx.onFileDone?.(remote, received);
  return received;
}

/**
 * A new file read whole, made on the local thread: the .part created with its mode, written,
 * given its times (with preserve), closed and renamed, in one call. False when the thread
 * could not take it or went away first: the caller then writes it its usual way, which
 * replaces a .part the thread may have left.
 */
async function writeWhole(ctx: TransferContext, job: FetchJob, small: SmallRead): Promise<boolean> {
  const { part, target, attrs, finalMode, createMode } = job;
  const times: readonly [number, number] | null =
    ctx.preserve && attrs.atime !== undefined && attrs.mtime !== undefined
      ? [attrs.atime, attrs.mtime]
      : null;
  const chmod = createMode === finalMode ? null : finalMode;
  const data = small.pieces.flatMap((p) => p.parts);
  return ctx.io?.writeWhole({ part, target, mode: createMode, chmod, times }, data) ?? false;
}

/** What readSmall() received: pieces in file order from its offset, and whether that is all. */
interface SmallRead {
  readonly pieces: { readonly parts: ByteParts; readonly length: number }[];
  /** The file ended where its STAT said: nothing more to read. */
  readonly complete: boolean;
}

/**
 * A file whose rest (`length` bytes from `at`) fits one READ: that READ, a READ past it that
 * should meet EOF, and the CLOSE go out together, since the server answers a handle's requests
 * in order. One round trip after OPEN instead of two. `h` is closed when this returns; when
 * the file turned out shorter or longer than its STAT, `complete` is false and the caller
 * reads on from the pieces' end.
 */
async function readSmall(
  ctx: TransferContext,
  h: SftpHandle,
  remote: string,
  at: number,
  length: number,
): Promise<SmallRead> {
  const { client } = ctx;
  const chunk = client.limits.maxReadLength;
  const [data, probe] = await Promise.allSettled([
    length > 0 ? client.readParts(h, at, length) : Promise.resolve(null),
    client.readParts(h, at + length, chunk),
    client.close(h).catch(() => {}),
  ]);
  if (data.status === 'rejected') throw data.reason;
  if (probe.status === 'rejected') throw probe.reason;
  checkCancelled(ctx);
  const dataLength = data.value === null ? 0 : partsLength(data.value);
  const probeLength = probe.value === null ? 0 : partsLength(probe.value);
  if (dataLength > length || probeLength > chunk) {
    const [got, asked] = dataLength > length ? [dataLength, length] : [probeLength, chunk];
    throw new SftpProtocolError(`read ${remote}: ${got} bytes where ${asked} were asked`);
  }
  const pieces: SmallRead['pieces'][number][] = [];
  if (data.value !== null && dataLength > 0) pieces.push({ parts: data.value, length: dataLength });
  if (dataLength < length) return { pieces, complete: false };
  if (probe.value === null) return { pieces, complete: true };
  if (probeLength > 0) pieces.push({ parts: probe.value, length: probeLength });
  return { pieces, complete: false };
}

/**
 * READs worth having in flight: the pipeline's usual count, but for a file of known size no
 * more than cover it plus the one that meets EOF (a 1 KiB file costs two READs, not 32).
 * The pipeline still reads on to EOF if the file has grown since its STAT.
 */
function requestsFor(ctx: TransferContext, size: number | null, offset: number): number {
  const most = ctx.client.maxRequests;
  if (size === null) return most;
  const chunk = ctx.client.limits.maxReadLength;
  return Math.max(1, Math.min(most, Math.ceil(Math.max(0, size - offset) / chunk) + 1));
}

/** Where to start: fresh, or (resume) from the .part's or the target's size. */
async function resumePoint(
  ctx: TransferContext,
  part: string,
  existing: LocalStats | null,
  size: number | null,
): Promise<Start> {
  if (!ctx.resume) return { from: 'fresh', offset: 0 };
  const partStat = await statOrNull(ctx.local, part, false);
  let start: Start = { from: 'fresh', offset: 0 };
  let path = part;
  if (partStat?.isFile() === true) {
    start = { from: 'part', offset: partStat.size };
  } else if (existing?.isFile() === true) {
    start = { from: 'target', offset: existing.size };
    path = part.slice(0, -PART_SUFFIX.length);
  }
  if (size !== null && start.offset > size) {
    throw new TransferError(
      `cannot resume download to ${path}: the local file (${start.offset} bytes) is larger ` +
        `than the remote file (${size} bytes)`,
      undefined,
      { path },
    );
  }
  return start;
}

/** A .part's mode until it is complete, when it replaces a file (which may be private). */
const PRIVATE = 0o600;

/**
 * Whether open() creates a file with exactly this mode under the umask, one its owner can
 * still read and write (a resume opens the .part again).
 */
function opensAs(ctx: TransferContext, mode: number): boolean {
  return (mode & 0o600) === 0o600 && (mode & ~ctx.umask()) === mode;
}

/** The permission bits the finished file gets. */
function modeFor(ctx: TransferContext, attrs: FileAttributes, existing: LocalStats | null): number {
  const remoteBits = (attrs.permissions ?? 0o666) & 0o777;
  if (ctx.preserve && attrs.permissions !== undefined) return remoteBits;
  if (existing?.isFile() === true) return existing.mode & 0o7777;
  return remoteBits & ~ctx.umask() & 0o777;
}

/**
 * Mode (null: it has it already) and (with preserve) times on the .part, then close it: the
 * rename publishes both.
 */
async function settleLocal(
  ctx: TransferContext,
  fh: LocalFileHandle,
  mode: number | null,
  attrs: FileAttributes,
): Promise<void> {
  try {
    if (mode !== null) await fh.chmod(mode);
    if (ctx.preserve && attrs.atime !== undefined && attrs.mtime !== undefined) {
      await fh.utimes(attrs.atime, attrs.mtime);
    }
  } catch (e) {
    await fh.close().catch(() => {});
    throw e;
  }
  await fh.close();
}

/**
 * The .part holds exactly what was received, and that is the remote size; a file that changed
 * size while it was read is accepted when FSTAT now agrees with what arrived.
 */
async function verifySize(
  ctx: TransferContext,
  remote: string,
  h: SftpHandle | null,
  fh: LocalFileHandle,
  part: string,
  fresh: boolean,
  whole: number,
  size: number | null,
): Promise<void> {
  // a fresh .part holds exactly the bytes written; a resumed one is checked on disk
  const onDisk = fresh ? whole : (await fh.stat()).size;
  if (onDisk !== whole) {
    throw new TransferError(`${part}: ${onDisk} bytes on disk where ${whole} were written`);
  }
  if (size === null || size === whole) return;
  let now: number | undefined;
  try {
    // (a file read in one flight is closed already, but it ended where its STAT said)
    now = (await (h === null ? ctx.client.stat(remote) : ctx.client.fstat(h))).size;
  } catch (e) {
    throw new TransferError(
      `download ${remote}: received ${whole} bytes of ${size}, and fstat failed: ${causeText(e)}`,
      e,
    );
  }
  if (now !== whole) {
    throw new TransferError(
      `download ${remote}: received ${whole} bytes, but the remote file has ${now ?? size}`,
    );
  }
}

/**
 * The .part to write: a copy of the target to continue, the existing .part, or a new one
 * (with `mode`; O_EXCL, so a link planted under the .part's name is never followed; a stale
 * .part is removed and the create tried once more).
 */
async function openPart(
  ctx: TransferContext,
  part: string,
  target: string,
  start: Start,
  mode: number,
): Promise<LocalFileHandle> {
  const { local } = ctx;
  if (start.from === 'target') await local.copyFile(target, part);
  if (start.from !== 'fresh') return local.open(part, fsc.O_WRONLY);
  const create = () => local.open(part, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
  try {
    return await create();
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') throw e;
  }
  await local.unlink(part);
  return create();
}
