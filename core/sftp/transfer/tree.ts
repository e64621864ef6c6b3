/**
 * Running a tree (OpenSSH's download_dir / upload_dir, reordered): the walk makes each
 * directory before listing it, and its files move as the walk finds them, in walk order, with
 * `concurrency` of them talking to the server at once (each one pipelined; files that fit one
 * READ or WRITE, SMALL_FILE_FACTOR times as many) and as many more doing their local part
 * meanwhile (an upload's next files read ahead, a download's last ones
 * written behind). Once every file is done, symlinks are made (last, so no file is ever
 * written through a link the tree itself created), then directories get their final mode and
 * times, deepest first (after their contents, which would change their mtime).
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

/** What a walk meets besides files: directories made (parents first), links, failures. */
export interface TreePlan<D extends TreeItem> {
  readonly dirs: D[];
  readonly links: LinkItem[];
  readonly failures: TransferFailure[];
}

export function emptyPlan<D extends TreeItem>(): TreePlan<D> {
  return { dirs: [], links: [], failures: [] };
}

/** Adds `from`'s contents after `into`'s. */
function appendPlan<D extends TreeItem>(into: TreePlan<D>, from: TreePlan<D>): void {
  for (const d of from.dirs) into.dirs.push(d);
  for (const l of from.links) into.links.push(l);
  for (const e of from.failures) into.failures.push(e);
}

/**
 * A directory as a walk comes through it: `own` is the directory itself (made, or why not),
 * `entries` what is in it, in walk order. A subdirectory's walk is still on its way while the
 * files before it move: the files are taken in walk order as they come (filesOf), so a tree's
 * first files go while the rest is being listed.
 */
export interface WalkNode<F extends TreeItem, D extends TreeItem> {
  readonly own: TreePlan<D>;
  readonly entries: readonly (WalkEntry<F, D> | Promise<WalkEntry<F, D>>)[];
}
export type WalkEntry<F extends TreeItem, D extends TreeItem> = F | TreePlan<D> | WalkNode<F, D>;

const isNode = <F extends TreeItem, D extends TreeItem>(e: WalkEntry<F, D>): e is WalkNode<F, D> =>
  'entries' in e;
const isPlan = <F extends TreeItem, D extends TreeItem>(e: WalkEntry<F, D>): e is TreePlan<D> =>
  'failures' in e;

/**
 * A walk step's promise, to put in `entries`: its failure (a dead session, a cancel) is
 * thrown where the walk order reaches it, and until then counts as handled.
 */
export function pending<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/**
 * The files under `node` in walk order, waiting for subtrees as it reaches them; the rest goes
 * into `plan`.
 */
async function* filesOf<F extends TreeItem, D extends TreeItem>(
  node: WalkNode<F, D>,
  plan: TreePlan<D>,
): AsyncGenerator<F, void, undefined> {
  appendPlan(plan, node.own);
  for (const entry of node.entries) {
    const e = entry instanceof Promise ? await entry : entry;
    if (isNode(e)) yield* filesOf(e, plan);
    else if (isPlan(e)) appendPlan(plan, e);
    else yield e;
  }
}

/**
 * Every file under `node`, once every step of its walk has ended, failed ones included; null
 * when a step failed (the call then ends with that failure, which filesOf throws).
 */
async function walkEnd<F extends TreeItem, D extends TreeItem>(
  node: WalkNode<F, D>,
): Promise<F[] | null> {
  const files: F[] = [];
  let whole = true;
  const visit = async (n: WalkNode<F, D>): Promise<void> => {
    for (const entry of n.entries) {
      let e: WalkEntry<F, D>;
      try {
        e = await entry;
      } catch {
        whole = false;
        continue; // a failed step started nothing further
      }
      if (isNode(e)) await visit(e);
      else if (!isPlan(e)) files.push(e);
    }
  };
  await visit(node);
  return whole ? files : null;
}

/** What a walk's steps share: the call's context and the bound on its requests in flight. */
export interface Walk {
  readonly ctx: TransferContext;
  readonly limit: Limited;
}

export interface TreeSteps<F extends TreeItem, D extends TreeItem> {
  readonly verb: string;
  /** A file's size as the walk saw it, for the progress totals. */
  readonly size: (f: F) => number | null;
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

/**
 * Moves the files of the tree walked from `top` as the walk finds them, then makes its links
 * and finishes its directories. The progress totals are set once the walk is done; the call
 * returns only after it is, even when it ends early.
 */
export async function runTree<F extends TreeItem, D extends TreeItem>(
  ctx: TransferContext,
  top: WalkNode<F, D>,
  steps: TreeSteps<F, D>,
): Promise<TransferResult> {
  const walked = walkEnd(top).then((all) => {
    if (all !== null) ctx.progress.setTotals(totalOf(all.map(steps.size)), all.length);
  });
  try {
    return await moveTree(ctx, top, steps);
  } finally {
    await walked;
  }
}

async function moveTree<F extends TreeItem, D extends TreeItem>(
  ctx: TransferContext,
  top: WalkNode<F, D>,
  steps: TreeSteps<F, D>,
): Promise<TransferResult> {
  const plan = emptyPlan<D>();
  const source = filesOf(top, plan);
  const failures = plan.failures;
  let files = 0;
  let bytes = 0;
  let stop: { error: unknown } | null = null;

  const worker = async (): Promise<void> => {
    while (stop === null && ctx.signal?.aborted !== true) {
      let next: IteratorResult<F, void>;
      try {
        next = await source.next();
      } catch (e) {
        stop ??= { error: e }; // the walk itself failed for good
        return;
      }
      if (next.done === true) return;
      const f = next.value;
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
  await Promise.all(Array.from({ length: ctx.filesInHand }, worker));
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
export function throwIfNoTop(top: WalkNode<TreeItem, TreeItem>): void {
  const first = top.own.failures[0];
  if (top.own.dirs.length === 0 && first !== undefined) throw first.error;
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
