/**
 * The walk of a local tree for an upload (OpenSSH's upload_dir_internal as behaviour): read
 * each directory, make the matching remote directory as it goes (MKDIR with the mode | 0700;
 * when MKDIR fails, an existing directory there is fine, anything else skips the subtree),
 * and list the regular files and symlinks to move afterwards. Symlinks: 'preserve' reads the
 * link, 'follow' stats through it (a directory already on the path, by device and inode, is a
 * loop and a failure), 'skip' drops it silently. Other file types (fifos, sockets, devices)
 * are failures: "not a regular file".
 */
import { join } from 'node:path';
import { isDirectory } from '../attrs.js';
import { checkCancelled, type TransferContext } from './context.js';
import { TransferError } from './errors.js';
import type { LocalStats } from './local-fs.js';
import { remoteJoin } from './paths.js';
import { recordFailure, type TreeItem, type TreePlan } from './tree.js';
import { MAX_DIR_DEPTH } from './types.js';

export interface LocalFile extends TreeItem {
  readonly stat: LocalStats;
}
export interface RemoteDir extends TreeItem {
  readonly stat: LocalStats;
  /** This call made it (so its final mode is set even without preserve, as OpenSSH). */
  readonly created: boolean;
}

export type UploadPlan = TreePlan<LocalFile, RemoteDir>;

const key = (st: LocalStats): string => `${st.dev}:${st.ino}`;

export async function walkLocal(
  ctx: TransferContext,
  src: string,
  dst: string,
  st: LocalStats,
  depth: number,
  ancestors: ReadonlySet<string>,
  plan: UploadPlan,
): Promise<void> {
  checkCancelled(ctx);
  const fail = (path: string, what: string, e: unknown): void =>
    recordFailure(ctx, plan.failures, path, what, e);
  if (depth >= MAX_DIR_DEPTH) {
    fail(src, `upload ${src}`, new TransferError(`maximum directory depth exceeded: ${depth}`));
    return;
  }
  const created = await makeRemoteDir(ctx, src, dst, st, plan);
  if (created === null) return;
  plan.dirs.push({ src, dst, stat: st, created });

  let names: string[];
  try {
    names = await ctx.local.readdir(src);
  } catch (e) {
    fail(src, `read directory ${src}`, e);
    return;
  }
  const inside = new Set(ancestors).add(key(st));
  for (const name of names.sort()) {
    const s = join(src, name);
    const d = remoteJoin(dst, name);
    let entry: LocalStats;
    try {
      entry = await ctx.local.lstat(s);
      if (entry.isSymbolicLink()) {
        if (ctx.symlinks === 'skip') continue;
        if (ctx.symlinks === 'preserve') {
          plan.links.push({ src: s, dst: d, target: await ctx.local.readlink(s) });
          continue;
        }
        entry = await ctx.local.stat(s);
      }
    } catch (e) {
      fail(s, `stat ${s}`, e);
      continue;
    }
    if (entry.isDirectory()) {
      if (inside.has(key(entry))) {
        fail(s, `upload ${s}`, new TransferError(`${s}: symlink loop (a directory above it)`));
      } else {
        await walkLocal(ctx, s, d, entry, depth + 1, inside, plan);
      }
    } else if (entry.isFile()) {
      plan.files.push({ src: s, dst: d, stat: entry });
    } else {
      fail(s, `upload ${s}`, new TransferError(`${s}: not a regular file`));
    }
  }
}

/** MKDIR, or accept a remote directory already there; null (and a failure) skips the subtree. */
async function makeRemoteDir(
  ctx: TransferContext,
  src: string,
  dst: string,
  st: LocalStats,
  plan: UploadPlan,
): Promise<boolean | null> {
  try {
    await ctx.client.mkdir(dst, { permissions: (st.mode & 0o1777) | 0o700 });
    return true;
  } catch (e) {
    // SFTP v3 has no EEXIST: look at what is there
    const there = await ctx.client.stat(dst).catch(() => null);
    if (there !== null && isDirectory(there)) return false;
    const why = there === null ? e : new TransferError(`${dst} exists and is not a directory`, e);
    recordFailure(ctx, plan.failures, src, `mkdir ${dst}`, why);
    return null;
  }
}
