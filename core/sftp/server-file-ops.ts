/**
 * The SFTP server's requests on open files and directories (draft-ietf-secsh-filexfer-02
 * §6.3–§6.7, §6.9): OPEN, CLOSE, READ, WRITE, FSTAT, FSETSTAT, OPENDIR, READDIR, as OpenSSH's
 * sftp-server does them: open flags map one to one onto open(2)'s, mode 0666 unless given;
 * a READ is one pread of at most 255 KiB (EOF at the end, an empty DATA for length 0); a WRITE
 * must write everything; READDIR answers up to 100 entries with `ls -l` longnames ('.' and
 * '..' first, as readdir(3) gives them), then EOF.
 *
 * Files open O_NONBLOCK, so a FIFO or a terminal cannot park a worker thread of this process;
 * for regular files the flag changes nothing.
 */
import { constants as fsc } from 'node:fs';
import { lstat, open as fsOpen, opendir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { FileAttributes } from './attrs.js';
import { readAttrs } from './attrs.js';
import { OPENSSH_MAX_RW, OpenFlag, StatusCode } from './constants.js';
import type { Handler, Reply, ServerContext } from './server-context.js';
import { ok, onHandle, readPath, shown } from './server-context.js';
import type { OpenHandle } from './server-handles.js';
import { longname, statAttrs } from './server-listing.js';
import { fsPath, type BytePath } from './server-paths.js';
import {
  attrsPacket,
  dataHeader,
  handlePacket,
  namePacket,
  statusOf,
  statusPacket,
  type NameEntry,
} from './server-replies.js';

/** How many entries one READDIR answers (sftp-server's 100). */
export const READDIR_BATCH = 100;
/** Offsets past 2^53 (no real file reaches them): reads see EOF, writes fail. */
const MAX_OFFSET = BigInt(Number.MAX_SAFE_INTEGER);

/** SSH_FXF_* → open(2) flags (sftp-server.c flags_from_portable). */
export function openFlags(pflags: number): number {
  const rw = OpenFlag.READ | OpenFlag.WRITE;
  let f = (pflags & rw) === rw ? fsc.O_RDWR : pflags & OpenFlag.WRITE ? fsc.O_WRONLY : fsc.O_RDONLY;
  if (pflags & OpenFlag.APPEND) f |= fsc.O_APPEND;
  if (pflags & OpenFlag.CREAT) f |= fsc.O_CREAT;
  if (pflags & OpenFlag.TRUNC) f |= fsc.O_TRUNC;
  if (pflags & OpenFlag.EXCL) f |= fsc.O_EXCL;
  return f;
}

function flagNames(pflags: number): string {
  const names: [number, string][] = [
    [OpenFlag.READ, 'READ'],
    [OpenFlag.WRITE, 'WRITE'],
    [OpenFlag.APPEND, 'APPEND'],
    [OpenFlag.CREAT, 'CREATE'],
    [OpenFlag.TRUNC, 'TRUNCATE'],
    [OpenFlag.EXCL, 'EXCL'],
  ];
  return names
    .filter(([bit]) => pflags & bit)
    .map(([, n]) => n)
    .join(',');
}

const fileOf = (h: OpenHandle): FileHandle => {
  if (h.thing.kind !== 'file') throw new Error('not a file handle');
  return h.thing.fh;
};

export const open: Handler = async (c, id, r) => {
  const name = readPath(r);
  const pflags = r.readUint32();
  const a = readAttrs(r);
  const flags = openFlags(pflags);
  const mode = a.permissions !== undefined ? a.permissions & 0o7777 : 0o666;
  c.log(`open ${shown(name)} flags ${flagNames(pflags)} mode 0${mode.toString(8)}`);
  const writes = (flags & (fsc.O_WRONLY | fsc.O_RDWR)) !== 0;
  if (c.readOnly && (writes || (flags & (fsc.O_CREAT | fsc.O_TRUNC)) !== 0)) {
    return statusPacket(id, StatusCode.PERMISSION_DENIED);
  }
  if (!c.handles.reserve()) return statusPacket(id, StatusCode.FAILURE);
  let fh: FileHandle;
  let real: BytePath;
  try {
    real = await c.paths.follow(name);
    const extra = fsc.O_NONBLOCK | (c.paths.jailed ? fsc.O_NOFOLLOW : 0);
    fh = await fsOpen(fsPath(real), flags | extra, mode);
  } catch (e) {
    c.handles.release();
    throw e;
  }
  const h = c.handles.add(real, { kind: 'file', fh, append: (pflags & OpenFlag.APPEND) !== 0 });
  return handlePacket(id, h.handle);
};

export const opendirRequest: Handler = async (c, id, r) => {
  const name = readPath(r);
  c.log(`opendir ${shown(name)}`);
  if (!c.handles.reserve()) return statusPacket(id, StatusCode.FAILURE);
  let real: BytePath;
  try {
    real = await c.paths.follow(name);
    // encoding 'buffer' gives names as bytes (the types only list text encodings)
    const dir = await opendir(fsPath(real), {
      encoding: 'buffer' as BufferEncoding,
      bufferSize: 128,
    });
    const h = c.handles.add(real, { kind: 'dir', dir, virgin: { value: true } });
    return handlePacket(id, h.handle);
  } catch (e) {
    c.handles.release();
    throw e;
  }
};

export const close: Handler = (c, id, r) =>
  onHandle(c, id, r.readString(), 'any', false, async (h) => {
    c.handles.remove(h);
    c.log(`close ${shown(h.path)}`);
    await h.close();
    return ok(id);
  });

export const read: Handler = (c, id, r) => {
  const handle = r.readString();
  const off = r.readUint64();
  const len = Math.min(r.readUint32(), OPENSSH_MAX_RW);
  return onHandle(c, id, handle, 'file', true, async (h) => {
    if (len === 0) return [dataHeader(id, 0)];
    if (off > MAX_OFFSET) return statusPacket(id, StatusCode.EOF);
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await fileOf(h).read(buf, 0, len, Number(off));
    if (bytesRead === 0) return statusPacket(id, StatusCode.EOF);
    return [dataHeader(id, bytesRead), buf.subarray(0, bytesRead)];
  });
};

export const write: Handler = (c, id, r) => {
  const handle = r.readString();
  const off = r.readUint64();
  const data = r.readString();
  return onHandle(c, id, handle, 'file', false, async (h) => {
    if (off + BigInt(data.length) > MAX_OFFSET) return statusPacket(id, StatusCode.FAILURE);
    const fh = fileOf(h);
    const append = h.thing.kind === 'file' && h.thing.append;
    let done = 0;
    while (done < data.length) {
      const at = append ? null : Number(off) + done;
      const { bytesWritten } = await fh.write(data, done, data.length - done, at);
      if (bytesWritten === 0) return statusPacket(id, StatusCode.FAILURE);
      done += bytesWritten;
    }
    return ok(id);
  });
};

export const fstat: Handler = (c, id, r) =>
  onHandle(c, id, r.readString(), 'file', true, async (h) =>
    attrsPacket(id, statAttrs(await fileOf(h).stat())),
  );

/**
 * Applies attributes in sftp-server's order: size, mode, times, owner. A failing step does
 * not stop the others; the reply carries the last failure.
 */
export async function applyAttrs(
  a: FileAttributes,
  ops: {
    truncate(size: number): Promise<void>;
    chmod(mode: number): Promise<void>;
    utimes(atime: number, mtime: number): Promise<void>;
    chown(uid: number, gid: number): Promise<void>;
  },
): Promise<number> {
  let status: number = StatusCode.OK;
  const step = async (f: () => Promise<void>) => {
    try {
      await f();
    } catch (e) {
      status = statusOf(e);
    }
  };
  const { size, permissions, atime, mtime, uid, gid } = a;
  if (size !== undefined) await step(() => ops.truncate(size));
  if (permissions !== undefined) await step(() => ops.chmod(permissions & 0o7777));
  if (atime !== undefined && mtime !== undefined) await step(() => ops.utimes(atime, mtime));
  if (uid !== undefined && gid !== undefined) await step(() => ops.chown(uid, gid));
  return status;
}

export const fsetstat: Handler = (c, id, r) => {
  const handle = r.readString();
  const a = readAttrs(r);
  return onHandle(c, id, handle, 'file', false, async (h) => {
    const fh = fileOf(h);
    c.log(`fsetstat ${shown(h.path)}`);
    const status = await applyAttrs(a, {
      truncate: (n) => fh.truncate(n),
      chmod: (m) => fh.chmod(m),
      utimes: (at, mt) => fh.utimes(at, mt),
      chown: (u, g) => fh.chown(u, g),
    });
    return statusPacket(id, status);
  });
};

async function entry(
  name: Uint8Array,
  at: BytePath,
  accounts: Awaited<ReturnType<ServerContext['accounts']['get']>>,
): Promise<NameEntry | null> {
  try {
    const st = await lstat(fsPath(at));
    return { name, longname: longname(name, st, accounts), attrs: statAttrs(st) };
  } catch {
    return null; // gone since it was listed: skipped, as sftp-server does
  }
}

export const readdir: Handler = (c, id, r) =>
  onHandle(c, id, r.readString(), 'dir', false, async (h): Promise<Reply> => {
    if (h.thing.kind !== 'dir') return statusPacket(id, StatusCode.FAILURE);
    const { dir, virgin } = h.thing;
    const accounts = await c.accounts.get();
    const base = h.path === '/' ? '' : h.path;
    let entries: NameEntry[] = [];
    let ended = false;
    // Entries that vanish before their lstat are skipped; a batch that lost them all reads on.
    while (entries.length === 0 && !ended) {
      const wanted: Promise<NameEntry | null>[] = [];
      if (virgin.value) {
        virgin.value = false;
        const up = c.paths.root === h.path ? h.path : `${base}/..`;
        wanted.push(entry(Buffer.from('.'), h.path, accounts));
        wanted.push(entry(Buffer.from('..'), up, accounts));
      }
      while (wanted.length < READDIR_BATCH) {
        const d = await dir.read();
        if (d === null) {
          ended = true;
          break;
        }
        const name = d.name as unknown as Buffer;
        wanted.push(entry(name, `${base}/${name.toString('latin1')}`, accounts));
      }
      entries = (await Promise.all(wanted)).filter((e): e is NameEntry => e !== null);
    }
    if (entries.length === 0) return statusPacket(id, StatusCode.EOF);
    return namePacket(id, entries);
  });
