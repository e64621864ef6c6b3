/**
 * Reply bodies of OpenSSH's SFTP extensions (OpenSSH PROTOCOL §4.4 statvfs / fstatvfs, §4.8
 * limits, §4.12 users-groups-by-id), read from an EXTENDED_REPLY after the request id, and the
 * limits a client uses once it has them.
 */
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';
import { DEFAULT_CHUNK, MAX_PACKET_LENGTH } from './constants.js';
import { SftpProtocolError } from './errors.js';
import { lossyText } from './client-replies.js';

export interface SftpLimits {
  readonly maxPacketLength: number;
  readonly maxReadLength: number;
  readonly maxWriteLength: number;
  /** 0: the server sets no limit of its own. */
  readonly maxOpenHandles: number;
}

/** struct statvfs as statvfs@openssh.com carries it; fsid may lose precision past 2^53. */
export interface StatVfs {
  readonly bsize: number;
  readonly frsize: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
  readonly favail: number;
  readonly fsid: number;
  /** StatvfsFlag bits (RDONLY, NOSUID). */
  readonly flag: number;
  readonly namemax: number;
}

/** What PROTOCOL §4.8 says servers should allow at least: used when a server gives no limits. */
export const DEFAULT_LIMITS: SftpLimits = {
  maxPacketLength: 34000,
  maxReadLength: DEFAULT_CHUNK,
  maxWriteLength: DEFAULT_CHUNK,
  maxOpenHandles: 0,
};

/** Room for a READ/WRITE's header in a packet, as OpenSSH's sftp leaves (SFTP_MAX_MSG_LENGTH - 1024). */
const HEADER_ROOM = 1024;

/** uint64 as a number: values past 2^53 lose their low bits (only fsid ever is that large). */
const u64 = (r: SshReader): number => Number(r.readUint64());

/** statvfs@openssh.com / fstatvfs@openssh.com reply: eleven uint64s. */
export function readStatVfs(r: SshReader): StatVfs {
  const v: StatVfs = {
    bsize: u64(r),
    frsize: u64(r),
    blocks: u64(r),
    bfree: u64(r),
    bavail: u64(r),
    files: u64(r),
    ffree: u64(r),
    favail: u64(r),
    fsid: u64(r),
    flag: u64(r),
    namemax: u64(r),
  };
  r.expectEnd();
  return v;
}

/** limits@openssh.com reply: the server's four numbers as sent (0 = no limit). */
export function readLimits(r: SshReader): SftpLimits {
  const v: SftpLimits = {
    maxPacketLength: u64(r),
    maxReadLength: u64(r),
    maxWriteLength: u64(r),
    maxOpenHandles: u64(r),
  };
  r.expectEnd();
  return v;
}

/**
 * The limits a client works to: the server's, with 0 replaced by the defaults and reads and
 * writes kept to what one of our packets can hold (255 KiB), as OpenSSH's sftp does.
 */
export function effectiveLimits(l: SftpLimits): SftpLimits {
  const maxPacketLength = Math.min(
    l.maxPacketLength || DEFAULT_LIMITS.maxPacketLength,
    MAX_PACKET_LENGTH,
  );
  const room = Math.max(maxPacketLength - HEADER_ROOM, DEFAULT_CHUNK);
  return {
    maxPacketLength,
    maxReadLength: Math.min(l.maxReadLength || DEFAULT_CHUNK, MAX_PACKET_LENGTH - HEADER_ROOM),
    maxWriteLength: Math.min(l.maxWriteLength || DEFAULT_CHUNK, room),
    maxOpenHandles: l.maxOpenHandles,
  };
}

/** users-groups-by-id@openssh.com request: two strings, each a run of uint32 ids. */
export function writeIdLists(w: SshWriter, uids: readonly number[], gids: readonly number[]): void {
  for (const ids of [uids, gids]) {
    const inner = new SshWriter(4 * ids.length + 4);
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
        throw new RangeError(`id ${id} is not a uint32`);
      }
      inner.writeUint32(id);
    }
    w.writeString(inner.toBytes());
  }
}

/** Its reply: two strings, each a run of strings, one name per id asked ('' for unknown). */
export function readNameLists(
  r: SshReader,
  uidCount: number,
  gidCount: number,
): { users: string[]; groups: string[] } {
  const users = readNameList(r.readString(), uidCount, 'usernames');
  const groups = readNameList(r.readString(), gidCount, 'groupnames');
  r.expectEnd();
  return { users, groups };
}

function readNameList(b: Uint8Array, count: number, what: string): string[] {
  const r = new SshReader(b, what);
  const out: string[] = [];
  while (r.remaining > 0) out.push(lossyText(r.readString()));
  if (out.length !== count) {
    throw new SftpProtocolError(`${what}: ${out.length} names for ${count} ids`);
  }
  return out;
}
