/**
 * The SFTP server's extended requests (OpenSSH PROTOCOL §4, and draft-ietf-secsh-filexfer-
 * extensions for copy-data and home-directory), as OpenSSH's sftp-server answers them:
 * posix-rename, statvfs / fstatvfs (from statfs(2); node has no statvfs), hardlink, fsync,
 * lsetstat, limits, expand-path (`~`, `~/…`, `~user/…`, relative to home), copy-data,
 * home-directory and users-groups-by-id.
 */
import type { StatsFs } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, rename, statfs } from 'node:fs/promises';
import type { SshReader } from '../wire/reader.js';
import { readAttrs } from './attrs.js';
import { MAX_PACKET_LENGTH, OPENSSH_MAX_RW, PacketType, StatusCode } from './constants.js';
import { StatvfsFlag } from './constants.js';
import { sftpErrorFromStatus } from './errors.js';
import { encodePacket } from './packets.js';
import { ok, onHandle, readPath, shown, type Handler } from './server-context.js';
import type { ServerContext } from './server-context.js';
import { applyAttrs } from './server-file-ops.js';
import { schedule } from './server-handles.js';
import { fsPath, normalizeVirtual, textToBytePath, type BytePath } from './server-paths.js';
import { singleName, statusOf, statusPacket } from './server-replies.js';

export const posixRename: Handler = async (c, id, r) => {
  const from = readPath(r);
  const to = readPath(r);
  c.log(`posix-rename old ${shown(from)} new ${shown(to)}`);
  await rename(fsPath(await c.paths.noFollow(from)), fsPath(await c.paths.noFollow(to)));
  return ok(id);
};

function statvfsReply(id: number, s: StatsFs, readOnly: boolean): Uint8Array {
  return encodePacket(PacketType.EXTENDED_REPLY, (w) => {
    w.writeUint32(id);
    const u = (n: number | bigint) => w.writeUint64(BigInt(n));
    u(s.bsize); // f_bsize
    u(s.frsize ?? s.bsize); // f_frsize
    u(s.blocks);
    u(s.bfree);
    u(s.bavail);
    u(s.files);
    u(s.ffree);
    u(s.ffree); // f_favail: statfs has no separate count
    u(0); // f_fsid
    u(readOnly ? StatvfsFlag.RDONLY : 0);
    u(255); // f_namemax
  });
}

export const statvfs: Handler = async (c, id, r) => {
  const p = await c.paths.follow(readPath(r));
  return statvfsReply(id, await statfs(fsPath(p)), c.readOnly);
};

export const fstatvfs: Handler = (c, id, r) =>
  onHandle(c, id, r.readString(), 'file', true, async (h) =>
    statvfsReply(id, await statfs(fsPath(h.path)), c.readOnly),
  );

export const hardlink: Handler = async (c, id, r) => {
  const from = readPath(r);
  const to = readPath(r);
  c.log(`hardlink old ${shown(from)} new ${shown(to)}`);
  await link(fsPath(await c.paths.noFollow(from)), fsPath(await c.paths.noFollow(to)));
  return ok(id);
};

export const fsync: Handler = async (c, id, r) => {
  const handle = r.readString();
  const h = c.handles.find(handle);
  if (h === undefined || h.thing.kind !== 'file') {
    return statusPacket(id, StatusCode.NO_SUCH_FILE);
  }
  return onHandle(c, id, handle, 'file', false, async (fh) => {
    if (fh.thing.kind === 'file') await fh.thing.fh.sync();
    return ok(id);
  });
};

export const lsetstat: Handler = async (c, id, r) => {
  const name = readPath(r);
  const a = readAttrs(r);
  if (a.size !== undefined) return statusPacket(id, StatusCode.BAD_MESSAGE);
  c.log(`lsetstat ${shown(name)}`);
  const p = fsPath(await c.paths.noFollow(name));
  const status = await applyAttrs(a, {
    truncate: () => Promise.resolve(),
    // Linux cannot change a symlink's mode (fchmodat AT_SYMLINK_NOFOLLOW fails the same way)
    chmod: async (m) => {
      if ((await lstat(p)).isSymbolicLink()) {
        throw Object.assign(new Error('symlink mode'), { code: 'EOPNOTSUPP' });
      }
      await chmod(p, m);
    },
    utimes: (at, mt) => lutimes(p, at, mt),
    chown: (u, g) => lchown(p, u, g),
  });
  return statusPacket(id, status);
};

export function limitsReply(id: number, maxHandles: number): Uint8Array {
  return encodePacket(PacketType.EXTENDED_REPLY, (w) => {
    w.writeUint32(id);
    w.writeUint64(BigInt(MAX_PACKET_LENGTH));
    w.writeUint64(BigInt(OPENSSH_MAX_RW));
    w.writeUint64(BigInt(OPENSSH_MAX_RW));
    w.writeUint64(BigInt(maxHandles));
  });
}

export const limits: Handler = (c, id) => Promise.resolve(limitsReply(id, c.handles.max));

/** Another user's home as this client sees it (none outside the jail). */
async function homeOf(c: ServerContext, user: string): Promise<BytePath | null> {
  const account = (await c.accounts.get()).byName.get(user);
  if (account === undefined) return null;
  return c.paths.toClient(textToBytePath(account.home));
}

export const expandPath: Handler = async (c, id, r) => {
  let p = readPath(r);
  const home = c.paths.home;
  if (p === '') p = '.';
  else if (p === '~') p = home;
  else if (p.startsWith('~/')) p = `${home}/${p.slice(2)}`;
  else if (p.startsWith('~')) {
    const slash = p.indexOf('/');
    const user = Buffer.from(p.slice(1, slash < 0 ? undefined : slash), 'latin1').toString();
    const dir = await homeOf(c, user);
    if (dir === null) return statusPacket(id, StatusCode.NO_SUCH_FILE, 'no such user');
    p = slash < 0 ? dir : `${dir}/${p.slice(slash + 1)}`;
  }
  return singleName(id, fsPath(await c.paths.canonical(p)));
};

export const homeDirectory: Handler = async (c, id, r) => {
  const user = Buffer.from(readPath(r), 'latin1').toString();
  const dir = user === '' ? c.paths.home : await homeOf(c, user);
  if (dir === null) return statusPacket(id, StatusCode.FAILURE);
  return singleName(id, fsPath(c.paths.jailed ? normalizeVirtual('/', dir) : dir));
};

function idList(r: SshReader): number[] {
  const b = r.readString();
  if (b.length % 4 !== 0) {
    throw sftpErrorFromStatus(StatusCode.BAD_MESSAGE, 'id list is not whole uint32s');
  }
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 4) out.push(v.getUint32(i, false));
  return out;
}

export const usersGroupsById: Handler = async (c, id, r) => {
  const uids = idList(r);
  const gids = idList(r);
  const a = await c.accounts.get();
  return encodePacket(PacketType.EXTENDED_REPLY, (w) => {
    w.writeUint32(id);
    const names = (ids: number[], m: ReadonlyMap<number, string>) =>
      encodePacket(0, (n) => ids.forEach((i) => n.writeString(m.get(i) ?? ''))).subarray(5);
    w.writeString(names(uids, a.users));
    w.writeString(names(gids, a.groups));
  });
};

const COPY_CHUNK = 64 * 1024;

export const copyData: Handler = (c, id, r) => {
  const rh = c.handles.find(r.readString());
  const readOff = r.readUint64();
  const readLen = r.readUint64();
  const wh = c.handles.find(r.readString());
  const writeOff = r.readUint64();
  if (rh === undefined || wh === undefined) {
    c.send(statusPacket(id, StatusCode.NO_SUCH_FILE)); // sftp-server: EBADF
    return Promise.resolve();
  }
  const work = async (): Promise<Uint8Array> => {
    if (rh.thing.kind !== 'file' || wh.thing.kind !== 'file' || rh.closed || wh.closed) {
      return statusPacket(id, StatusCode.NO_SUCH_FILE);
    }
    const src = rh.thing.fh;
    const dst = wh.thing.fh;
    const [sr, sw] = await Promise.all([src.stat(), dst.stat()]);
    if (rh === wh || rh.path === wh.path || (sr.dev === sw.dev && sr.ino === sw.ino)) {
      c.log(`copy-data: refusing to read and write the same file ${shown(rh.path)}`);
      return statusPacket(id, StatusCode.FAILURE);
    }
    const limit = BigInt(Number.MAX_SAFE_INTEGER);
    if (readOff > limit || writeOff > limit) return statusPacket(id, StatusCode.FAILURE);
    const untilEof = readLen === 0n;
    let left = readLen;
    let from = Number(readOff);
    let to = Number(writeOff);
    const buf = Buffer.allocUnsafe(COPY_CHUNK);
    while (untilEof || left > 0n) {
      const want = untilEof || left > BigInt(COPY_CHUNK) ? COPY_CHUNK : Number(left);
      const { bytesRead } = await src.read(buf, 0, want, from);
      if (bytesRead === 0) return statusPacket(id, untilEof ? StatusCode.OK : StatusCode.EOF);
      let done = 0;
      while (done < bytesRead) {
        const at = wh.thing.append ? null : to + done;
        const { bytesWritten } = await dst.write(buf, done, bytesRead - done, at);
        if (bytesWritten === 0) return statusPacket(id, StatusCode.FAILURE);
        done += bytesWritten;
      }
      from += bytesRead;
      to += bytesRead;
      if (!untilEof) left -= BigInt(bytesRead);
    }
    return ok(id);
  };
  return schedule(
    rh === wh ? [rh] : [rh, wh],
    false,
    work,
    (e) => statusPacket(id, statusOf(e)),
    (reply) => c.send(reply),
  );
};
