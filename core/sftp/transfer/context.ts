/**
 * What every step of one download() / upload() call shares: the client, the local
 * filesystem, the resolved options and the progress tracker. Also the rules that sort errors:
 * which end the whole call (the session is gone, or the caller cancelled) and which are one
 * file's failure, recorded while a tree goes on.
 */
import type { SftpClient } from '../client.js';
import { SftpConnectionLostError, SftpNoConnectionError, SftpProtocolError } from '../errors.js';
import { TransferCancelledError, TransferError, causeText } from './errors.js';
import { limiter, type Limited } from './limiter.js';
import { nodeLocalFs, type LocalFs } from './local-fs.js';
import { ProgressTracker } from './progress.js';
import { LocalIoThread } from './local-io-thread.js';
import {
  DEFAULT_CONCURRENCY,
  SMALL_FILE_FACTOR,
  type SymlinkPolicy,
  type TransferOptions,
} from './types.js';

export interface TransferContext {
  readonly client: SftpClient;
  readonly local: LocalFs;
  readonly recursive: boolean;
  readonly preserve: boolean;
  readonly resume: boolean;
  readonly symlinks: SymlinkPolicy;
  /**
   * Places among the files talking to the server at once, SMALL_FILE_FACTOR × the
   * `concurrency` option of them: a file whose data fits one READ or WRITE (or a single
   * request, such as a resume's STAT) takes one, a pipelined file PIPELINED_WEIGHT, so
   * `concurrency` pipelined files fill them. A file holds its places from its OPEN until its
   * data has all been sent or received; its local reading ahead or writing behind goes on
   * without them.
   */
  readonly remote: Limited;
  /** The most files one call has in hand at once: two for each place. */
  readonly filesInHand: number;
  readonly signal: AbortSignal | undefined;
  readonly progress: ProgressTracker;
  readonly onFileDone: ((path: string, bytes: number) => void) | undefined;
  /**
   * A tree's thread for local work (an upload's lstat calls and small files' reads, a
   * download's small files' writes), when the local fs is node's.
   */
  readonly io?: LocalIoThread | undefined;
  /** The local umask, read once per call (on first use). */
  umask(): number;
}

export function transferContext(client: SftpClient, o: TransferOptions): TransferContext {
  const concurrency = o.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError('concurrency must be a positive integer');
  }
  const symlinks = o.symlinks ?? 'preserve';
  if (symlinks !== 'preserve' && symlinks !== 'follow' && symlinks !== 'skip') {
    throw new RangeError(`unknown symlink policy '${String(symlinks)}'`);
  }
  const local = o.local ?? nodeLocalFs;
  let umask: number | undefined;
  return {
    client,
    local,
    recursive: o.recursive === true,
    preserve: o.preserve === true,
    resume: o.resume === true,
    symlinks,
    remote: limiter(SMALL_FILE_FACTOR * concurrency),
    filesInHand: 2 * SMALL_FILE_FACTOR * concurrency,
    signal: o.signal,
    progress: new ProgressTracker(o.onProgress),
    onFileDone: o.onFileDone,
    umask: () => (umask ??= local.umask()),
  };
}

/** The places (TransferContext.remote) a file of several READs or WRITEs takes. */
export const PIPELINED_WEIGHT = SMALL_FILE_FACTOR;

/**
 * Runs a tree with the local thread in its context (local-io-thread.ts), with
 * `maxLength`-byte slots, one for each file runTree has in hand at once (filesInHand),
 * when the local fs is node's own; the tree's calls end with it. With another LocalFs (an
 * app's, or a test's that injects failures) the tree runs as it is.
 */
export async function withLocalThread<T>(
  ctx: TransferContext,
  maxLength: number,
  run: (tree: TransferContext) => Promise<T>,
): Promise<T> {
  if (ctx.local !== nodeLocalFs) return run(ctx);
  const io = new LocalIoThread(maxLength, ctx.filesInHand);
  try {
    return await run({ ...ctx, io });
  } finally {
    io.close();
  }
}

/** The SFTP session is unusable: nothing further in this call can succeed. */
export function isFatal(e: unknown): boolean {
  return (
    e instanceof SftpConnectionLostError ||
    e instanceof SftpNoConnectionError ||
    e instanceof SftpProtocolError
  );
}

/**
 * The error a call (or one file of a tree) ends with: TransferCancelledError once the signal
 * fired, a TransferError as it is, anything else wrapped in a TransferError naming `what`.
 */
export function transferError(ctx: TransferContext, what: string, e: unknown): Error {
  if (e instanceof TransferCancelledError) return e;
  if (ctx.signal?.aborted === true) return new TransferCancelledError(`${what}: cancelled`, e);
  if (e instanceof TransferError) return e;
  return new TransferError(`${what}: ${causeText(e)}`, e);
}

/** Throws the signal's reason when the caller has cancelled. */
export function checkCancelled(ctx: TransferContext): void {
  ctx.signal?.throwIfAborted();
}
