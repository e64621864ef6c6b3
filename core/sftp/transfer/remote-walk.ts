/**
 * The walk of a remote tree for a download (OpenSSH's download_dir_internal as behaviour):
 * READDIR each directory, make the matching local directory as it goes (mode | 0700 so it
 * can be filled; an existing directory is fine, anything else there skips the subtree), and
 * list the regular files and symlinks to move afterwards. Symlinks: 'preserve' reads the
 * link, 'follow' STATs through it (remote loops end at the depth limit), 'skip' drops it
 * silently. Other file types are failures ("not a regular file"). Entry names are checked:
 * a server cannot name '..' or a path with '/' to write outside the target.
 *
 * Sibling directories are walked at once and a directory's READLINKs and STATs go together,
 * with at most WALK_REQUESTS of them (and listings) in flight, so a tree of many small
 * directories costs a few round trips per level rather than several per directory. The walk
 * comes out as it goes (a WalkNode per directory), in the order a one-at-a-time walk gives:
 * parents before their contents, each directory's entries in listing order.
 */
import { join } from 'node:path';
import { isDirectory, isRegularFile, isSymlink, type FileAttributes } from '../attrs.js';
import type { DirEntry } from '../client.js';
import { checkCancelled, type TransferContext } from './context.js';
import { TransferError } from './errors.js';
import { errnoCode } from './local-fs.js';
import { limiter } from './limiter.js';
import { badEntryName, remoteJoin } from './paths.js';
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

export interface RemoteFile extends TreeItem {
  readonly attrs: FileAttributes;
  /** The walk made the directory it goes into: nothing is at `dst` (or its .part) yet. */
  readonly fresh: boolean;
}
export interface LocalDir extends TreeItem {
  readonly attrs: FileAttributes;
}

/** A directory of the remote tree as the walk comes through it. */
export type DownloadNode = WalkNode<RemoteFile, LocalDir>;
type DownloadEntry = WalkEntry<RemoteFile, LocalDir>;
type DownloadPlan = TreePlan<LocalDir>;

/** Listings, READLINKs and STATs of one walk in flight at most. */
export const WALK_REQUESTS = 16;

/** Whether these attributes say regular file (a server that sends no mode is believed). */
export const looksRegular = (a: FileAttributes): boolean =>
  a.permissions === undefined || isRegularFile(a);

/**
 * Starts the walk of the tree at `src` (a directory with these attributes): resolves once the
 * top directory is made and listed, with the rest on its way.
 */
export function walkRemote(
  ctx: TransferContext,
  src: string,
  dst: string,
  attrs: FileAttributes,
): Promise<DownloadNode> {
  return walkDir({ ctx, limit: limiter(WALK_REQUESTS) }, src, dst, attrs, 0);
}

async function walkDir(
  w: Walk,
  src: string,
  dst: string,
  attrs: FileAttributes,
  depth: number,
): Promise<DownloadNode> {
  const { ctx } = w;
  checkCancelled(ctx);
  const own: DownloadPlan = emptyPlan();
  const fail = (path: string, what: string, e: unknown): DownloadNode => {
    recordFailure(ctx, own.failures, path, what, e);
    return { own, entries: [] };
  };
  // a failure among the entries, in its place in the walk
  const failed = (path: string, why: string): DownloadPlan => {
    const one: DownloadPlan = emptyPlan();
    recordFailure(ctx, one.failures, path, `download ${path}`, new TransferError(why));
    return one;
  };
  if (depth >= MAX_DIR_DEPTH) {
    const e = new TransferError(`maximum directory depth exceeded: ${depth}`);
    return fail(src, `download ${src}`, e);
  }
  const made = await makeLocalDir(ctx, src, dst, attrs, depth, own);
  if (made === null) return { own, entries: [] };

  let listed: DirEntry[];
  try {
    listed = await w.limit(() => ctx.client.list(src));
  } catch (e) {
    return fail(src, `read directory ${src}`, e);
  }
  const seen = new Set<string>();
  const entries: (DownloadEntry | Promise<DownloadEntry>)[] = [];
  for (const entry of listed) {
    const name = entry.filename;
    if (name === '.' || name === '..') continue;
    const s = remoteJoin(src, name);
    const bad = badEntryName(name);
    if (bad !== null || seen.has(name)) {
      entries.push(failed(s, `${src}: ${bad ?? `'${name}' is listed twice`}`));
      continue;
    }
    seen.add(name);
    const d = join(dst, name);
    const a = entry.attrs;
    if (isSymlink(a)) {
      if (ctx.symlinks !== 'skip') entries.push(pending(walkLink(w, s, d, depth, made)));
    } else if (isDirectory(a)) {
      entries.push(pending(walkDir(w, s, d, a, depth + 1)));
    } else if (looksRegular(a)) {
      entries.push({ src: s, dst: d, attrs: a, fresh: made });
    } else {
      entries.push(failed(s, `${s}: not a regular file`));
    }
  }
  return { own, entries };
}

/** A symlink in the tree: read ('preserve') or followed to what it names ('follow'). */
async function walkLink(
  w: Walk,
  s: string,
  d: string,
  depth: number,
  fresh: boolean,
): Promise<DownloadEntry> {
  const { ctx } = w;
  const plan: DownloadPlan = emptyPlan();
  if (ctx.symlinks === 'preserve') {
    try {
      plan.links.push({ src: s, dst: d, target: await w.limit(() => ctx.client.readlink(s)) });
    } catch (e) {
      recordFailure(ctx, plan.failures, s, `readlink ${s}`, e);
    }
    return plan;
  }
  let a: FileAttributes;
  try {
    a = await w.limit(() => ctx.client.stat(s));
  } catch (e) {
    recordFailure(ctx, plan.failures, s, `stat ${s}`, e);
    return plan;
  }
  if (isDirectory(a)) return walkDir(w, s, d, a, depth + 1);
  if (looksRegular(a)) return { src: s, dst: d, attrs: a, fresh };
  const e = new TransferError(`${s}: not a regular file`);
  recordFailure(ctx, plan.failures, s, `download ${s}`, e);
  return plan;
}

/**
 * mkdir, or accept a directory already there: true when this walk made it, false when it
 * was there, null (and a failure) to skip the subtree.
 */
async function makeLocalDir(
  ctx: TransferContext,
  src: string,
  dst: string,
  attrs: FileAttributes,
  depth: number,
  plan: DownloadPlan,
): Promise<boolean | null> {
  const mode = (attrs.permissions ?? 0o777) & 0o1777;
  let made = true;
  try {
    await ctx.local.mkdir(dst, mode | 0o700);
  } catch (e) {
    let why: unknown = e;
    if (errnoCode(e) === 'EEXIST') {
      // the top may be a link to a directory the caller named; inside the tree, only real ones
      const st = await (depth === 0 ? ctx.local.stat(dst) : ctx.local.lstat(dst)).catch(() => null);
      if (st?.isDirectory() === true) why = null;
      else why = new TransferError(`${dst} exists and is not a directory`, e);
    }
    if (why !== null) {
      recordFailure(ctx, plan.failures, src, `mkdir ${dst}`, why);
      return null;
    }
    made = false;
  }
  plan.dirs.push({ src, dst, attrs });
  return made;
}
