/**
 * The replies an SFTP server sends (draft-ietf-secsh-filexfer-02 §7), and how a failure
 * becomes a STATUS: node's errno codes map as OpenSSH's sftp-server errno_to_portable(), a
 * typed SftpError keeps its own status, anything else is SSH_FX_FAILURE. STATUS messages are
 * sftp-server's ("No such file", …) with an empty language tag.
 */
import type { FileAttributes } from './attrs.js';
import { writeAttrs } from './attrs.js';
import { PacketType, StatusCode } from './constants.js';
import { SftpError } from './errors.js';
import { encodePacket } from './packets.js';
import { errnoOf } from './server-paths.js';

const MESSAGES = [
  'Success',
  'End of file',
  'No such file',
  'Permission denied',
  'Failure',
  'Bad message',
  'No connection',
  'Connection lost',
  'Operation unsupported',
];

/** errno (node's `code`) → SSH_FX_*, as sftp-server.c errno_to_portable(). */
export function statusFromErrno(code: string | undefined): number {
  switch (code) {
    case undefined:
      return StatusCode.FAILURE;
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EBADF':
    case 'ELOOP':
      return StatusCode.NO_SUCH_FILE;
    case 'EPERM':
    case 'EACCES':
    case 'EFAULT':
      return StatusCode.PERMISSION_DENIED;
    case 'ENAMETOOLONG':
    case 'EINVAL':
      return StatusCode.BAD_MESSAGE;
    case 'ENOSYS':
      return StatusCode.OP_UNSUPPORTED;
    default:
      return StatusCode.FAILURE;
  }
}

/** The status for whatever an operation threw. */
export function statusOf(e: unknown): number {
  if (e instanceof SftpError && e.status >= 0) return e.status;
  return statusFromErrno(errnoOf(e));
}

export function statusPacket(id: number, status: number, message?: string): Uint8Array {
  const text = message ?? MESSAGES[status] ?? 'Unknown error';
  return encodePacket(PacketType.STATUS, (w) => {
    w.writeUint32(id).writeUint32(status).writeString(text).writeString('');
  });
}

export function handlePacket(id: number, handle: Uint8Array): Uint8Array {
  return encodePacket(PacketType.HANDLE, (w) => w.writeUint32(id).writeString(handle));
}

/** DATA without its payload: the 13-byte header; the data follows as its own write. */
export function dataHeader(id: number, length: number): Uint8Array {
  const b = new Uint8Array(13);
  const v = new DataView(b.buffer);
  v.setUint32(0, 9 + length, false);
  b[4] = PacketType.DATA;
  v.setUint32(5, id, false);
  v.setUint32(9, length, false);
  return b;
}

export interface NameEntry {
  readonly name: Uint8Array;
  readonly longname: Uint8Array;
  readonly attrs: FileAttributes;
}

export function namePacket(id: number, entries: readonly NameEntry[]): Uint8Array {
  let size = 16;
  for (const e of entries) size += e.name.length + e.longname.length + 64;
  return encodePacket(
    PacketType.NAME,
    (w) => {
      w.writeUint32(id).writeUint32(entries.length);
      for (const e of entries) {
        w.writeString(e.name).writeString(e.longname);
        writeAttrs(w, e.attrs);
      }
    },
    size,
  );
}

/** A NAME of one path with empty attributes, as REALPATH / READLINK / expand-path answer. */
export function singleName(id: number, path: Uint8Array): Uint8Array {
  return namePacket(id, [{ name: path, longname: path, attrs: {} }]);
}

export function attrsPacket(id: number, attrs: FileAttributes): Uint8Array {
  return encodePacket(PacketType.ATTRS, (w) => {
    w.writeUint32(id);
    writeAttrs(w, attrs);
  });
}
