/**
 * download(): a remote file or tree to a local path, as OpenSSH's `sftp get` (-r, -p, reget)
 * and `scp` resolve targets: into an existing local directory under the source's name,
 * otherwise to the target name itself. Single files reject with TransferError; trees report
 * each file's failure and go on (remote-walk.ts, tree.ts, download-file.ts).
 */
import { join } from 'node:path';
import { isDirectory, type FileAttributes } from '../attrs.js';
import type { SftpClient } from '../client.js';
import {
  transferContext,
  transferError,
  withLocalThread,
  type TransferContext,
} from './context.js';
import { downloadFile } from './download-file.js';
import { TransferError, causeText } from './errors.js';
import { errnoCode, statOrNull } from './local-fs.js';
import { remoteBasename } from './paths.js';
import { looksRegular, walkRemote } from './remote-walk.js';
import { runTree, throwIfNoTop } from './tree.js';
import type { TransferOptions, TransferResult } from './types.js';

export async function download(
  client: SftpClient,
  remotePath: string,
  localPath: string,
  o: TransferOptions = {},
): Promise<TransferResult> {
  const ctx = transferContext(client, o);
  const what = `download ${remotePath}`;
  try {
    ctx.signal?.throwIfAborted();
    // the source itself is followed when it is a symlink
    const attrs = await client.stat(remotePath);
    const target = await localTarget(ctx, remotePath, localPath);
    if (isDirectory(attrs)) {
      if (!ctx.recursive) {
        throw new TransferError(`${what}: is a directory (recursive transfer not requested)`);
      }
      return await downloadTree(ctx, remotePath, target, attrs);
    }
    if (!looksRegular(attrs)) throw new TransferError(`${what}: not a regular file`);
    ctx.progress.setTotals(attrs.size ?? null, 1);
    const bytes = await downloadFile(ctx, remotePath, target, attrs);
    return { files: 1, bytes, failures: [] };
  } catch (e) {
    throw transferError(ctx, `${what} to ${localPath}`, e);
  }
}

/** `localPath`, or the source's name inside it when it is an existing directory. */
async function localTarget(
  ctx: TransferContext,
  remotePath: string,
  localPath: string,
): Promise<string> {
  const st = await statOrNull(ctx.local, localPath, true);
  if (st?.isDirectory() !== true) return localPath;
  let name = remoteBasename(remotePath);
  if (name === '') name = remoteBasename(await ctx.client.realpath(remotePath));
  // '/' has no name: its contents go into the directory itself
  return name === '' ? localPath : join(localPath, name);
}

async function downloadTree(
  ctx: TransferContext,
  src: string,
  dst: string,
  attrs: FileAttributes,
): Promise<TransferResult> {
  return withLocalThread(ctx, ctx.client.limits.maxReadLength, async (tree) => {
    const top = await walkRemote(tree, src, dst, attrs);
    throwIfNoTop(top);
    return await runTree(tree, top, {
      verb: 'download',
      size: (f) => f.attrs.size ?? null,
      file: (f) => downloadFile(tree, f.src, f.dst, f.attrs, f.fresh),
      link: (l) => localSymlink(tree, l.target, l.dst),
      finishDir: async (d) => {
        const perm = d.attrs.permissions;
        if (tree.preserve && perm !== undefined) await tree.local.chmod(d.dst, perm & 0o1777);
        if (tree.preserve && d.attrs.atime !== undefined && d.attrs.mtime !== undefined) {
          await tree.local.utimes(d.dst, d.attrs.atime, d.attrs.mtime);
        }
      },
    });
  });
}

/** A local symlink; one already there with the same target is fine, another link is replaced. */
async function localSymlink(ctx: TransferContext, target: string, path: string): Promise<void> {
  try {
    await ctx.local.symlink(target, path);
    return;
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') throw e;
    const st = await ctx.local.lstat(path);
    if (!st.isSymbolicLink()) {
      throw new TransferError(`${path} exists and is not a symlink: ${causeText(e)}`, e);
    }
    if ((await ctx.local.readlink(path)) === target) return;
  }
  await ctx.local.unlink(path);
  await ctx.local.symlink(target, path);
}
