/**
 * ATTRS (draft-ietf-secsh-filexfer-02 §5): the optional size, owner, mode and times of a file.
 * A field is present exactly when it is defined; times are whole seconds since the epoch, as
 * version 3 carries them. Sizes beyond 2^53 (no real file) are a protocol error rather than a
 * silently rounded number.
 */
import { SshReader } from '../wire/reader.js';
import type { SshWriter } from '../wire/writer.js';
import { AttrFlag, FileType } from './constants.js';
import { SftpProtocolError } from './errors.js';

export interface ExtendedAttribute {
  readonly type: string;
  readonly data: Uint8Array;
}

export interface FileAttributes {
  readonly size?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** st_mode: file type bits and permission bits. */
  readonly permissions?: number;
  readonly atime?: number;
  readonly mtime?: number;
  readonly extended?: readonly ExtendedAttribute[];
}

/** Most extended pairs a peer may send in one ATTRS (OpenSSH's sftp-server sends none). */
export const MAX_EXTENDED_ATTRIBUTES = 1024;

const U32 = 0xffff_ffff;

function checkU32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > U32) {
    throw new RangeError(`${what} must be an integer in 0..2^32-1, got ${v}`);
  }
  return v;
}

export function writeAttrs(w: SshWriter, a: FileAttributes): void {
  let flags = 0;
  if (a.size !== undefined) flags |= AttrFlag.SIZE;
  if (a.uid !== undefined || a.gid !== undefined) {
    if (a.uid === undefined || a.gid === undefined) {
      throw new RangeError('uid and gid go together in SFTP v3 attributes');
    }
    flags |= AttrFlag.UIDGID;
  }
  if (a.permissions !== undefined) flags |= AttrFlag.PERMISSIONS;
  if (a.atime !== undefined || a.mtime !== undefined) {
    if (a.atime === undefined || a.mtime === undefined) {
      throw new RangeError('atime and mtime go together in SFTP v3 attributes');
    }
    flags |= AttrFlag.ACMODTIME;
  }
  if (a.extended !== undefined && a.extended.length > 0) flags |= AttrFlag.EXTENDED;
  w.writeUint32(flags >>> 0);
  if (a.size !== undefined) {
    if (!Number.isSafeInteger(a.size) || a.size < 0) throw new RangeError(`bad size ${a.size}`);
    w.writeUint64(BigInt(a.size));
  }
  if (a.uid !== undefined && a.gid !== undefined) {
    w.writeUint32(checkU32(a.uid, 'uid'));
    w.writeUint32(checkU32(a.gid, 'gid'));
  }
  if (a.permissions !== undefined) w.writeUint32(checkU32(a.permissions, 'permissions'));
  if (a.atime !== undefined && a.mtime !== undefined) {
    w.writeUint32(checkU32(Math.floor(a.atime), 'atime'));
    w.writeUint32(checkU32(Math.floor(a.mtime), 'mtime'));
  }
  if (a.extended !== undefined && a.extended.length > 0) {
    w.writeUint32(a.extended.length);
    for (const e of a.extended) {
      w.writeString(e.type);
      w.writeString(e.data);
    }
  }
}

export function readAttrs(r: SshReader): FileAttributes {
  const flags = r.readUint32();
  const out: {
    size?: number;
    uid?: number;
    gid?: number;
    permissions?: number;
    atime?: number;
    mtime?: number;
    extended?: ExtendedAttribute[];
  } = {};
  if (flags & AttrFlag.SIZE) {
    const size = r.readUint64();
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new SftpProtocolError(`attributes: file size ${size} is beyond 2^53`);
    }
    out.size = Number(size);
  }
  if (flags & AttrFlag.UIDGID) {
    out.uid = r.readUint32();
    out.gid = r.readUint32();
  }
  if (flags & AttrFlag.PERMISSIONS) out.permissions = r.readUint32();
  if (flags & AttrFlag.ACMODTIME) {
    out.atime = r.readUint32();
    out.mtime = r.readUint32();
  }
  if (flags & AttrFlag.EXTENDED) {
    const count = r.readUint32();
    // Each pair is at least 8 bytes: a count beyond what is left is a lie, refused up front.
    if (count > MAX_EXTENDED_ATTRIBUTES || count * 8 > r.remaining) {
      throw new SftpProtocolError(`attributes: ${count} extended attributes claimed`);
    }
    const ext: ExtendedAttribute[] = [];
    for (let i = 0; i < count; i++) {
      const type = Buffer.from(r.readString()).toString('utf8');
      ext.push({ type, data: r.readString().slice() });
    }
    out.extended = ext;
  }
  return out;
}

/** Attributes from a byte string holding exactly one ATTRS. */
export function decodeAttrs(b: Uint8Array): FileAttributes {
  const r = new SshReader(b, 'ATTRS');
  const a = readAttrs(r);
  r.expectEnd();
  return a;
}

export function fileType(a: FileAttributes): number | undefined {
  return a.permissions === undefined ? undefined : a.permissions & FileType.MASK;
}
export const isDirectory = (a: FileAttributes): boolean => fileType(a) === FileType.DIRECTORY;
export const isRegularFile = (a: FileAttributes): boolean => fileType(a) === FileType.REGULAR;
export const isSymlink = (a: FileAttributes): boolean => fileType(a) === FileType.SYMLINK;
