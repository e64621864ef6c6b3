/**
 * The SFTP server's requests on paths (draft-ietf-secsh-filexfer-02 §6.5–§6.10): STAT, LSTAT,
 * SETSTAT, REMOVE, MKDIR, RMDIR, REALPATH, RENAME, READLINK, SYMLINK, as OpenSSH's sftp-server
 * does them. RENAME keeps an existing target (a regular file is moved by link(2) + unlink(2),
 * so the check and the move are one step; anything else only when the target does not
 * exist); SYMLINK takes (targetpath, linkpath), OpenSSH's order, the reverse of the draft's.
 * Every path goes through the PathMap, which applies the root jail when there is one.
 */
import { chmod, chown, link, lstat, mkdir, readlink, rename, rmdir } from 'node:fs/promises';
import { stat, symlink, truncate, unlink, utimes } from 'node:fs/promises';
import { readAttrs } from './attrs.js';
import { StatusCode } from './constants.js';
import { ok, readPath, shown, type Handler } from './server-context.js';
import { applyAttrs } from './server-file-ops.js';
import { statAttrs } from './server-listing.js';
import { errnoOf, fsPath, type BytePath } from './server-paths.js';
import { attrsPacket, singleName, statusPacket } from './server-replies.js';

export const statRequest: Handler = async (c, id, r) => {
  const p = await c.paths.follow(readPath(r));
  return attrsPacket(id, statAttrs(await stat(fsPath(p))));
};

export const lstatRequest: Handler = async (c, id, r) => {
  const p = await c.paths.noFollow(readPath(r));
  return attrsPacket(id, statAttrs(await lstat(fsPath(p))));
};

export const setstat: Handler = async (c, id, r) => {
  const name = readPath(r);
  const a = readAttrs(r);
  c.log(`setstat ${shown(name)}`);
  const p = fsPath(await c.paths.follow(name));
  const status = await applyAttrs(a, {
    truncate: (n) => truncate(p, n),
    chmod: (m) => chmod(p, m),
    utimes: (at, mt) => utimes(p, at, mt),
    chown: (u, g) => chown(p, u, g),
  });
  return statusPacket(id, status);
};

export const remove: Handler = async (c, id, r) => {
  const name = readPath(r);
  c.log(`remove ${shown(name)}`);
  await unlink(fsPath(await c.paths.noFollow(name)));
  return ok(id);
};

export const mkdirRequest: Handler = async (c, id, r) => {
  const name = readPath(r);
  const a = readAttrs(r);
  const mode = a.permissions !== undefined ? a.permissions & 0o7777 : 0o777;
  c.log(`mkdir ${shown(name)} mode 0${mode.toString(8)}`);
  await mkdir(fsPath(await c.paths.noFollow(name)), mode);
  return ok(id);
};

export const rmdirRequest: Handler = async (c, id, r) => {
  const name = readPath(r);
  c.log(`rmdir ${shown(name)}`);
  await rmdir(fsPath(await c.paths.noFollow(name)));
  return ok(id);
};

export const realpathRequest: Handler = async (c, id, r) => {
  const p = await c.paths.canonical(readPath(r));
  return singleName(id, fsPath(p));
};

async function exists(p: Buffer): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** sftp-server's process_rename: never replaces an existing target. */
export async function safeRename(from: BytePath, to: BytePath): Promise<number> {
  const a = fsPath(from);
  const b = fsPath(to);
  const st = await lstat(a);
  if (st.isFile()) {
    try {
      await link(a, b);
    } catch (e) {
      const code = errnoOf(e);
      if (code !== 'EXDEV' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EPERM') {
        throw e;
      }
      // no hard links here: stat then rename, which can race
      if (await exists(b)) return StatusCode.FAILURE;
      await rename(a, b);
      return StatusCode.OK;
    }
    try {
      await unlink(a);
    } catch (e) {
      await unlink(b).catch(() => {});
      throw e;
    }
    return StatusCode.OK;
  }
  if (await exists(b)) return StatusCode.FAILURE;
  await rename(a, b);
  return StatusCode.OK;
}

export const renameRequest: Handler = async (c, id, r) => {
  const from = readPath(r);
  const to = readPath(r);
  c.log(`rename old ${shown(from)} new ${shown(to)}`);
  const status = await safeRename(await c.paths.noFollow(from), await c.paths.noFollow(to));
  return statusPacket(id, status);
};

export const readlinkRequest: Handler = async (c, id, r) => {
  const p = await c.paths.noFollow(readPath(r));
  const target = (await readlink(fsPath(p), { encoding: 'buffer' })).toString('latin1');
  return singleName(id, fsPath(c.paths.linkTargetToClient(target)));
};

export const symlinkRequest: Handler = async (c, id, r) => {
  const target = readPath(r);
  const linkpath = readPath(r);
  c.log(`symlink old ${shown(target)} new ${shown(linkpath)}`);
  const at = await c.paths.noFollow(linkpath);
  await symlink(fsPath(c.paths.symlinkTarget(target, linkpath)), fsPath(at));
  return ok(id);
};
