/**
 * The walk of a remote tree for a download (OpenSSH's download_dir_internal as behaviour):
 * READDIR each directory, make the matching local directory as it goes (mode | 0700 so it
 * can be filled; an existing directory is fine, anything else there skips the subtree), and
 * list the regular files and symlinks to move afterwards. Symlinks: 'preserve' reads the
 * link, 'follow' STATs through it (remote loops end at the depth limit), 'skip' drops it
 * silently. Other file types are failures ("not a regular file"). Entry names are checked:
 * a server cannot name '..' or a path with '/' to write outside the target.
 */
import { join } from 'node:path';
import { isDirectory, isRegularFile, isSymlink, type FileAttributes } from '../attrs.js';
import { checkCancelled, type TransferContext } from './context.js';
import { TransferError } from './errors.js';
import { errnoCode } from './local-fs.js';
import { badEntryName, remoteJoin } from './paths.js';
import { recordFailure, type TreeItem, type TreePlan } from './tree.js';
import { MAX_DIR_DEPTH } from './types.js';

export interface RemoteFile extends TreeItem {
  readonly attrs: FileAttributes;
}
export interface LocalDir extends TreeItem {
  readonly attrs: FileAttributes;
}

export type DownloadPlan = TreePlan<RemoteFile, LocalDir>;

/** Whether these attributes say regular file (a server that sends no mode is believed). */
export const looksRegular = (a: FileAttributes): boolean =>
  a.permissions === undefined || isRegularFile(a);

export async function walkRemote(
  ctx: TransferContext,
  src: string,
  dst: string,
  attrs: FileAttributes,
  depth: number,
  plan: DownloadPlan,
): Promise<void> {
  checkCancelled(ctx);
  const fail = (path: string, what: string, e: unknown): void =>
    recordFailure(ctx, plan.failures, path, what, e);
  if (depth >= MAX_DIR_DEPTH) {
    fail(src, `download ${src}`, new TransferError(`maximum directory depth exceeded: ${depth}`));
    return;
  }
  if (!(await makeLocalDir(ctx, src, dst, attrs, depth, plan))) return;

  let entries;
  try {
    entries = await ctx.client.list(src);
  } catch (e) {
    fail(src, `read directory ${src}`, e);
    return;
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const name = entry.filename;
    if (name === '.' || name === '..') continue;
    const s = remoteJoin(src, name);
    const bad = badEntryName(name);
    if (bad !== null || seen.has(name)) {
      const why = bad ?? `'${name}' is listed twice`;
      fail(s, `download ${s}`, new TransferError(`${src}: ${why}`));
      continue;
    }
    seen.add(name);
    const d = join(dst, name);
    let a = entry.attrs;
    if (isSymlink(a)) {
      if (ctx.symlinks === 'skip') continue;
      if (ctx.symlinks === 'preserve') {
        try {
          plan.links.push({ src: s, dst: d, target: await ctx.client.readlink(s) });
        } catch (e) {
          fail(s, `readlink ${s}`, e);
        }
        continue;
      }
      try {
        a = await ctx.client.stat(s);
      } catch (e) {
        fail(s, `stat ${s}`, e);
        continue;
      }
    }
    if (isDirectory(a)) await walkRemote(ctx, s, d, a, depth + 1, plan);
    else if (looksRegular(a)) plan.files.push({ src: s, dst: d, attrs: a });
    else fail(s, `download ${s}`, new TransferError(`${s}: not a regular file`));
  }
}

/** mkdir, or accept a directory already there; false (and a failure) skips the subtree. */
async function makeLocalDir(
  ctx: TransferContext,
  src: string,
  dst: string,
  attrs: FileAttributes,
  depth: number,
  plan: DownloadPlan,
): Promise<boolean> {
  const mode = (attrs.permissions ?? 0o777) & 0o1777;
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
      return false;
    }
  }
  plan.dirs.push({ src, dst, attrs });
  return true;
}
