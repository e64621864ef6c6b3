/**
 * Running a walked tree (OpenSSH's download_dir / upload_dir, reordered): the walk has made
 * every directory already; here the regular files move with `concurrency` of them talking to
 * the server at once (each one pipelined) and as many more doing their local part meanwhile
 * (an upload's next files read ahead, a download's last ones written behind). Then symlinks
 * are made (last, so no file is ever written through a link the tree itself created), then
 * directories get their final mode and times, deepest first (after their contents, which would
 * change their mtime).
 *
 * A file's failure is recorded and the batch goes on; a dead session or a cancel ends it.
 */
import { isFatal, transferError, type TransferContext } from './context.js';
import type { Limited } from './limiter.js';
import { TransferCancelledError } from './errors.js';
import type { TransferFailure, TransferResult } from './types.js';

export interface TreeItem {
  /** Source path (what failures and progress name). */
  readonly src: string;
  readonly dst: string;
}
export interface LinkItem extends TreeItem {
  /** The link's target, exactly as read. */
  readonly target: string;
}

/** What a walk produced: directories made (parents first), files and links to do. */
export interface TreePlan<F extends TreeItem, D extends TreeItem> {
  readonly dirs: D[];
  readonly files: F[];
  readonly links: LinkItem[];
  readonly failures: TransferFailure[];
}

export function emptyPlan<F extends TreeItem, D extends TreeItem>(): TreePlan<F, D> {
  return { dirs: [], files: [], links: [], failures: [] };
}

/** What a walk's steps share: the call's context and the bound on its requests in flight. */
export interface Walk {
  readonly ctx: TransferContext;
  readonly limit: Limited;
}

/** Adds `from`'s contents after `into`'s. */
export function appendPlan<F extends TreeItem, D extends TreeItem>(
  into: TreePlan<F, D>,
  from: TreePlan<F, D>,
): void {
  for (const d of from.dirs) into.dirs.push(d);
  for (const f of from.files) into.files.push(f);
  for (const l of from.links) into.links.push(l);
  for (const e of from.failures) into.failures.push(e);
}

export interface TreeSteps<F extends TreeItem, D extends TreeItem> {
  readonly verb: string;
  readonly file: (f: F) => Promise<number>;
  readonly link: (l: LinkItem) => Promise<void>;
  readonly finishDir: (d: D) => Promise<void>;
}

/** Records one failure; a dead session or a cancel is thrown instead, to end the call. */
export function recordFailure(
  ctx: TransferContext,
  failures: TransferFailure[],
  path: string,
  what: string,
  e: unknown,
): void {
  if (ctx.signal?.aborted === true || isFatal(e)) throw e;
  failures.push({ path, error: transferError(ctx, what, e) });
}

export async function runTree<F extends TreeItem, D extends TreeItem>(
  ctx: TransferContext,
  plan: TreePlan<F, D>,
  steps: TreeSteps<F, D>,
): Promise<TransferResult> {
  const failures = plan.failures;
  let files = 0;
  let bytes = 0;
  let next = 0;
  let stop: { error: unknown } | null = null;

  const worker = async (): Promise<void> => {
    while (stop === null && ctx.signal?.aborted !== true) {
      const f = plan.files[next++];
      if (f === undefined) return;
      try {
        const n = await steps.file(f);
        bytes += n;
        files++;
      } catch (e) {
        try {
          recordFailure(ctx, failures, f.src, `${steps.verb} ${f.src} to ${f.dst}`, e);
        } catch (fatal) {
          stop ??= { error: fatal };
        }
      }
    }
  };
  // as many again as talk to the server (ctx.remote) read ahead or write behind meanwhile
  const n = Math.min(2 * ctx.concurrency, plan.files.length);
  await Promise.all(Array.from({ length: n }, worker));
  if (ctx.signal?.aborted === true) {
    throw new TransferCancelledError(`${steps.verb}: cancelled`, ctx.signal.reason);
  }
  const stopped = stop as { error: unknown } | null;
  if (stopped !== null) throw stopped.error;

  for (const l of plan.links) {
    try {
      await steps.link(l);
    } catch (e) {
      recordFailure(ctx, failures, l.src, `symlink ${l.dst} -> ${l.target}`, e);
    }
  }
  for (const d of [...plan.dirs].reverse()) {
    try {
      await steps.finishDir(d);
    } catch (e) {
      recordFailure(ctx, failures, d.src, `set attributes of ${d.dst}`, e);
    }
  }
  return { files, bytes, failures };
}

/** The top directory could not be made: nothing can be copied, so the call fails with why. */
export function throwIfNoTop(plan: TreePlan<TreeItem, TreeItem>): void {
  const first = plan.failures[0];
  if (plan.dirs.length === 0 && first !== undefined) throw first.error;
}

/** Sum of the files' sizes, or null when one is unknown. */
export function totalOf(sizes: readonly (number | null)[]): number | null {
  let total = 0;
  for (const s of sizes) {
    if (s === null) return null;
    total += s;
  }
  return total;
}
