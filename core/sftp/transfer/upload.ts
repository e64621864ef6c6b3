/**
 * upload(): a local file or tree to a remote path, as OpenSSH's `sftp put` (-r, -p, reput)
 * and `scp` resolve targets: into an existing remote directory under the source's name,
 * otherwise to the target name itself. Single files reject with TransferError; trees report
 * each file's failure and go on (local-walk.ts, tree.ts, upload-file.ts).
 */
import { resolve } from 'node:path';
import { isDirectory, type FileAttributes } from '../attrs.js';
import type { SftpClient } from '../client.js';
import { SftpFailureError } from '../errors.js';
import {
  isFatal,
  transferContext,
  transferError,
  withLocalThread,
  type TransferContext,
} from './context.js';
import { TransferError } from './errors.js';
import type { LocalStats } from './local-fs.js';
import { walkLocal } from './local-walk.js';
import { localBasename, remoteJoin } from './paths.js';
import { runTree, throwIfNoTop } from './tree.js';
import type { TransferOptions, TransferResult } from './types.js';
import { uploadFile } from './upload-file.js';

export async function upload(
  client: SftpClient,
  localPath: string,
  remotePath: string,
  o: TransferOptions = {},
): Promise<TransferResult> {
  const ctx = transferContext(client, o);
  const what = `upload ${localPath}`;
  try {
    ctx.signal?.throwIfAborted();
    // the source itself is followed when it is a symlink
    const st = await ctx.local.stat(localPath);
    const target = await remoteTarget(ctx, localPath, remotePath);
    if (st.isDirectory()) {
      if (!ctx.recursive) {
        throw new TransferError(`${what}: is a directory (recursive transfer not requested)`);
      }
      return await uploadTree(ctx, localPath, target, st);
    }
    if (!st.isFile()) throw new TransferError(`${what}: not a regular file`);
    ctx.progress.setTotals(st.size, 1);
    const bytes = await uploadFile(ctx, localPath, target, st);
    return { files: 1, bytes, failures: [] };
  } catch (e) {
    throw transferError(ctx, `${what} to ${remotePath}`, e);
  }
}

/** `remotePath`, or the source's name inside it when it is an existing directory. */
async function remoteTarget(
  ctx: TransferContext,
  localPath: string,
  remotePath: string,
): Promise<string> {
  let a: FileAttributes;
  try {
    a = await ctx.client.stat(remotePath);
  } catch (e) {
    // as sftp's remote_is_dir: anything but a dead session means "not a directory"
    if (isFatal(e)) throw e;
    return remotePath;
  }
  if (!isDirectory(a)) return remotePath;
  const name = localBasename(resolve(localPath));
  return name === '' ? remotePath : remoteJoin(remotePath, name);
}

async function uploadTree(
  ctx: TransferContext,
  src: string,
  dst: string,
  st: LocalStats,
): Promise<TransferResult> {
  return withLocalThread(ctx, ctx.client.limits.maxWriteLength, async (tree) => {
    const top = await walkLocal(tree, src, dst, st);
    throwIfNoTop(top);
    return await runTree(tree, top, {
      verb: 'upload',
      size: (f) => f.stat.size,
      file: (f) => uploadFile(tree, f.src, f.dst, f.stat),
      link: (l) => remoteSymlink(tree, l.target, l.dst),
      finishDir: async (d) => {
        if (!d.created && !tree.preserve) return;
        const permissions = d.stat.mode & 0o1777;
        await tree.client.setstat(
          d.dst,
          tree.preserve
            ? {
                permissions,
                atime: Math.floor(d.stat.atimeMs / 1000),
                mtime: Math.floor(d.stat.mtimeMs / 1000),
              }
            : { permissions },
        );
      },
    });
  });
}

/** A remote symlink; one already there with the same target is fine (SFTP cannot replace one). */
async function remoteSymlink(ctx: TransferContext, target: string, path: string): Promise<void> {
  try {
    await ctx.client.symlink(target, path);
  } catch (e) {
    if (!(e instanceof SftpFailureError)) throw e;
    const existing = await ctx.client.readlink(path).catch(() => null);
    if (existing !== target) throw e;
  }
}
