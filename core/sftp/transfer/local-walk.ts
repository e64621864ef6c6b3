/**
 * The walk of a local tree for an upload (OpenSSH's upload_dir_internal as behaviour): read
 * each directory, make the matching remote directory as it goes (MKDIR with the mode | 0700;
 * when MKDIR fails, an existing directory there is fine, anything else skips the subtree),
 * and list the regular files and symlinks to move afterwards. Symlinks: 'preserve' reads the
 * link, 'follow' stats through it (a directory already on the path, by device and inode, is a
 * loop and a failure), 'skip' drops it silently. Other file types (fifos, sockets, devices)
 * are failures: "not a regular file".
 *
 * A directory's entries are stat'ed together (by the tree's local thread, local-io-thread.ts,
 * when there is one) and sibling directories are walked at once, with at most WALK_STEPS
 * local calls and remote MKDIRs in flight. The walk comes out as it goes (a WalkNode per
 * directory), in the order a one-at-a-time walk gives (parents first, each directory's
 * entries sorted by name).
 */
import { join } from 'node:path';
import { isDirectory } from '../attrs.js';
import { checkCancelled, type TransferContext } from './context.js';
import { TransferError } from './errors.js';
import type { LocalStats } from './local-fs.js';
import { limiter } from './limiter.js';
import { remoteJoin } from './paths.js';
import {
  emptyPlan,
  pending,
  recordFailure,
  type TreeItem,
  type TreePlan,
  type Walk,
  type WalkEntry,
  type WalkNode,
} from './tree.js';
import { MAX_DIR_DEPTH } from './types.js';

export interface LocalFile extends TreeItem {
  readonly stat: LocalStats;
}
export interface RemoteDir extends TreeItem {
  readonly stat: LocalStats;
  /** This call made it (so its final mode is set even without preserve, as OpenSSH). */
  readonly created: boolean;
}

/** A directory of the local tree as the walk comes through it. */
export type UploadNode = WalkNode<LocalFile, RemoteDir>;
type UploadEntry = WalkEntry<LocalFile, RemoteDir>;
type UploadPlan = TreePlan<RemoteDir>;

/** Local calls (readdir, lstat, stat, readlink) and MKDIRs of one walk in flight at most. */
export const WALK_STEPS = 16;

const key = (st: LocalStats): string => `${st.dev}:${st.ino}`;

/**
 * Starts the walk of the local tree at `src` (a directory, `st` its stat): resolves once the
 * top directory is made and read, with the rest on its way.
 */
export function walkLocal(
  ctx: TransferContext,
  src: string,
  dst: string,
  st: LocalStats,
): Promise<UploadNode> {
  return walkDir({ ctx, limit: limiter(WALK_STEPS) }, src, dst, st, 0, new Set());
}

async function walkDir(
  w: Walk,
  src: string,
  dst: string,
  st: LocalStats,
  depth: number,
  ancestors: ReadonlySet<string>,
): Promise<UploadNode> {
  const { ctx } = w;
  checkCancelled(ctx);
  const own: UploadPlan = emptyPlan();
  const fail = (path: string, what: string, e: unknown): UploadNode => {
    recordFailure(ctx, own.failures, path, what, e);
    return { own, entries: [] };
  };
  if (depth >= MAX_DIR_DEPTH) {
    const e = new TransferError(`maximum directory depth exceeded: ${depth}`);
    return fail(src, `upload ${src}`, e);
  }
  const created = await makeRemoteDir(w, src, dst, st, own);
  if (created === null) return { own, entries: [] };
  own.dirs.push({ src, dst, stat: st, created });

  let names: string[];
  try {
    names = await w.limit(() => ctx.local.readdir(src));
  } catch (e) {
    return fail(src, `read directory ${src}`, e);
  }
  const inside = new Set(ancestors).add(key(st));
  const entries = names
    .sort()
    .map((name) => pending(walkEntry(w, join(src, name), remoteJoin(dst, name), depth, inside)));
  return { own, entries };
}

/** One entry of a directory: its file, its subtree, or its link or failure as a plan. */
async function walkEntry(
  w: Walk,
  s: string,
  d: string,
  depth: number,
  inside: ReadonlySet<string>,
): Promise<UploadEntry> {
  const { ctx } = w;
  const plan: UploadPlan = emptyPlan();
  let entry: LocalStats;
  try {
    entry = await w.limit(() => lstatOf(ctx, s));
    if (entry.isSymbolicLink()) {
      if (ctx.symlinks === 'skip') return plan;
      if (ctx.symlinks === 'preserve') {
        plan.links.push({ src: s, dst: d, target: await w.limit(() => ctx.local.readlink(s)) });
        return plan;
      }
      entry = await w.limit(() => ctx.local.stat(s));
    }
  } catch (e) {
    recordFailure(ctx, plan.failures, s, `stat ${s}`, e);
    return plan;
  }
  if (entry.isFile()) return { src: s, dst: d, stat: entry };
  if (entry.isDirectory()) {
    if (!inside.has(key(entry))) return walkDir(w, s, d, entry, depth + 1, inside);
    const e = new TransferError(`${s}: symlink loop (a directory above it)`);
    recordFailure(ctx, plan.failures, s, `upload ${s}`, e);
  } else {
    const e = new TransferError(`${s}: not a regular file`);
    recordFailure(ctx, plan.failures, s, `upload ${s}`, e);
  }
  return plan;
}

/** lstat through the tree's local thread when it can take the call, else through ctx.local. */
async function lstatOf(ctx: TransferContext, path: string): Promise<LocalStats> {
  const viaThread = ctx.io?.lstat(path) ?? null;
  return (viaThread === null ? null : await viaThread) ?? ctx.local.lstat(path);
}

/** MKDIR, or accept a remote directory already there; null (and a failure) skips the subtree. */
async function makeRemoteDir(
  w: Walk,
  src: string,
  dst: string,
  st: LocalStats,
  plan: UploadPlan,
): Promise<boolean | null> {
  const { ctx } = w;
  try {
    await w.limit(() => ctx.client.mkdir(dst, { permissions: (st.mode & 0o1777) | 0o700 }));
    return true;
  } catch (e) {
    // SFTP v3 has no EEXIST: look at what is there
    const there = await w.limit(() => ctx.client.stat(dst)).catch(() => null);
    if (there !== null && isDirectory(there)) return false;
    const why = there === null ? e : new TransferError(`${dst} exists and is not a directory`, e);
    recordFailure(ctx, plan.failures, src, `mkdir ${dst}`, why);
    return null;
  }
}
