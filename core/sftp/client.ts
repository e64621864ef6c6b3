/**
 * The SFTP version 3 client (draft-ietf-secsh-filexfer-02) with OpenSSH's extensions (OpenSSH
 * PROTOCOL §4). One method per request; each resolves with the decoded reply or rejects with
 * the typed error for the server's STATUS, naming the request and its path. Requests are
 * pipelined: any number may be outstanding, and replies settle them in whatever order the
 * server sends them. Bulk transfers run through pipeline.ts on top of readParts() / write().
 *
 * Paths go out as bytes (SftpPath: a string is UTF-8). An extension the server did not
 * advertise (with the version Keyway implements) rejects with SftpOpUnsupportedError and
 * nothing is sent.
 */
import type { Session } from '../connection/session.js';
import type { ByteParts } from '../wire/byte-parts.js';
import type { SshWriter } from '../wire/writer.js';
import type { FileAttributes } from './attrs.js';
import { writeAttrs } from './attrs.js';
import {
  EXTENSION_VERSIONS,
  Extension,
  PacketType,
  StatusCode,
  type ExtensionName,
} from './constants.js';
import { SftpOpUnsupportedError, type SftpError } from './errors.js';
import { pathBytes, pathText, type SftpPath } from './path-bytes.js';
import { SftpChannel, type SftpStream } from './client-channel.js';
import {
  DEFAULT_LIMITS,
  effectiveLimits,
  readLimits,
  readNameLists,
  readStatVfs,
  writeIdLists,
  type SftpLimits,
  type StatVfs,
} from './client-extensions.js';
import {
  attrsReply,
  dataPartsReply,
  dataReply,
  extendedReply,
  handleReply,
  namesReply,
  oneNameReply,
  rawExtendedReply,
  statusOnly,
  type NameEntry,
  type ReplySpec,
} from './client-replies.js';
import { openFlags, type OpenMode } from './open-flags.js';

export type { SftpStream } from './client-channel.js';
export type { SftpLimits, StatVfs } from './client-extensions.js';
export type { OpenMode } from './open-flags.js';

/** One directory entry from READDIR (§7: filename, longname as `ls -l` prints it, attrs). */
export type DirEntry = NameEntry;

export interface SftpClientOptions {
  /** Most requests outstanding per transfer stream (default 64). */
  readonly maxRequests?: number;
  /** Byte budget of reads/writes in flight per transfer (default 8 MiB). */
  readonly maxBytesInFlight?: number;
}

export const DEFAULT_MAX_REQUESTS = 64;
export const DEFAULT_MAX_BYTES_IN_FLIGHT = 8 * 1024 * 1024;

/** A file or directory handle from OPEN / OPENDIR; opaque to callers. */
export class SftpHandle {
  readonly bytes: Uint8Array;
  /** The path it was opened with, for error messages. */
  readonly path: string;
  constructor(bytes: Uint8Array, path: string) {
    this.bytes = bytes;
    this.path = path;
  }
}

type Body = (w: SshWriter) => void;

const pathBody =
  (p: SftpPath): Body =>
  (w) =>
    w.writeString(pathBytes(p));
const twoPaths =
  (a: SftpPath, b: SftpPath): Body =>
  (w) => {
    w.writeString(pathBytes(a));
    w.writeString(pathBytes(b));
  };
const handleBody =
  (h: SftpHandle): Body =>
  (w) =>
    w.writeString(h.bytes);
const both = (a: SftpPath, b: SftpPath): string => `${pathText(a)} -> ${pathText(b)}`;

export class SftpClient {
  readonly version: number;
  /** Extensions from VERSION: name → version string (the first, if one is listed twice). */
  readonly extensions: ReadonlyMap<string, string>;
  /** Resolves when the session ends: null when we closed it, else the error that ended it. */
  readonly closed: Promise<SftpError | null>;
  readonly maxRequests: number;
  readonly maxBytesInFlight: number;

  private readonly channel: SftpChannel;
  private readonly advertised: ReadonlySet<string>;
  private currentLimits: SftpLimits = DEFAULT_LIMITS;

  private constructor(
    channel: SftpChannel,
    version: number,
    ext: readonly (readonly [string, string])[],
    o: SftpClientOptions,
  ) {
    this.channel = channel;
    this.version = version;
    const map = new Map<string, string>();
    for (const [name, v] of ext) if (!map.has(name)) map.set(name, v);
    this.extensions = map;
    this.advertised = new Set(ext.map(([name, v]) => `${name}\0${v}`));
    this.closed = channel.closed;
    this.maxRequests = positive(o.maxRequests, DEFAULT_MAX_REQUESTS, 'maxRequests');
    this.maxBytesInFlight = positive(
      o.maxBytesInFlight,
      DEFAULT_MAX_BYTES_IN_FLIGHT,
      'maxBytesInFlight',
    );
  }

  /** INIT/VERSION over an already-started subsystem stream; then limits@openssh.com if advertised. */
  static async start(stream: SftpStream, o: SftpClientOptions = {}): Promise<SftpClient> {
    const channel = new SftpChannel(stream);
    try {
      const hello = await channel.init();
      const client = new SftpClient(channel, hello.version, hello.extensions, o);
      if (client.hasExtension(Extension.LIMITS, EXTENSION_VERSIONS[Extension.LIMITS])) {
        client.currentLimits = effectiveLimits(await client.queryLimits());
      }
      return client;
    } catch (e) {
      channel.end();
      throw e;
    }
  }

  /** The limits transfers work to: limits@openssh.com's, else 34000/32768/32768/0. */
  get limits(): SftpLimits {
    return this.currentLimits;
  }

  /** Requests sent and not yet answered. */
  get outstanding(): number {
    return this.channel.outstanding;
  }

  /** Whether VERSION listed `name` (with `version`, when given). */
  hasExtension(name: string, version?: string): boolean {
    if (version === undefined) return this.extensions.has(name);
    return this.advertised.has(`${name}\0${version}`);
  }

  /** Closes every pending request with SftpConnectionLostError and closes the stream. */
  end(): void {
    this.channel.end();
  }

  /** The stream has more buffered than its mark: bulk senders wait for ready(). */
  get writeBlocked(): boolean {
    return this.channel.writeBlocked;
  }

  /** Resolves once the stream takes more requests without buffering past its mark. */
  ready(): Promise<void> {
    return this.channel.ready();
  }

  // ---- files (§6.3–6.4) ----

  async open(path: SftpPath, mode: OpenMode, attrs: FileAttributes = {}): Promise<SftpHandle> {
    const pflags = openFlags(mode);
    const name = pathText(path);
    const bytes = await this.channel.request(
      PacketType.OPEN,
      'open',
      name,
      (w) => {
        w.writeString(pathBytes(path));
        w.writeUint32(pflags);
        writeAttrs(w, attrs);
      },
      handleReply,
    );
    return new SftpHandle(bytes, name);
  }

  close(h: SftpHandle): Promise<void> {
    return this.channel.request(PacketType.CLOSE, 'close', h.path, handleBody(h), statusOnly);
  }

  /** Up to `length` bytes at `offset` (a view of the reply); null at EOF; may be short. */
  read(h: SftpHandle, offset: number, length: number): Promise<Uint8Array | null> {
    return this.readAs(h, offset, length, dataReply);
  }

  /**
   * read() for bulk transfers: the data as the views it arrived in, never joined into one
   * buffer (a 255 KiB reply comes in several channel chunks); null at EOF; may be short.
   */
  readParts(h: SftpHandle, offset: number, length: number): Promise<ByteParts | null> {
    return this.readAs(h, offset, length, dataPartsReply);
  }

  private readAs<T>(
    h: SftpHandle,
    offset: number,
    length: number,
    spec: ReplySpec<T | null>,
  ): Promise<T | null> {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      return Promise.reject(new RangeError(`offset ${offset} is not a uint64`));
    }
    if (!Number.isInteger(length) || length < 0 || length > 0xffff_ffff) {
      return Promise.reject(new RangeError(`read length ${length} is not a uint32`));
    }
    return this.channel.request(
      PacketType.READ,
      'read',
      h.path,
      (w) => {
        w.writeString(h.bytes);
        w.writeUint64(BigInt(offset));
        w.writeUint32(length);
      },
      spec,
      h.bytes.length + 16,
    );
  }

  /** Writes `data` at `offset`, as several WRITEs of at most limits.maxWriteLength, in flight together. */
  async write(h: SftpHandle, offset: number, data: Uint8Array): Promise<void> {
    checkOffset(offset);
    const max = this.limits.maxWriteLength;
    if (data.length <= max) return this.writeChunk(h, offset, data);
    const parts: Promise<void>[] = [];
    for (let at = 0; at < data.length; at += max) {
      parts.push(this.writeChunk(h, offset + at, data.subarray(at, at + max)));
    }
    const results = await Promise.allSettled(parts);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  /** One WRITE; `data` must not exceed limits.maxWriteLength and must not change until answered. */
  writeChunk(h: SftpHandle, offset: number, data: Uint8Array): Promise<void> {
    return this.channel.requestWrite(h.bytes, offset, data, statusOnly, h.path);
  }

  // ---- attributes (§6.8–6.9) ----

  stat(p: SftpPath): Promise<FileAttributes> {
    return this.channel.request(PacketType.STAT, 'stat', pathText(p), pathBody(p), attrsReply);
  }
  lstat(p: SftpPath): Promise<FileAttributes> {
    return this.channel.request(PacketType.LSTAT, 'lstat', pathText(p), pathBody(p), attrsReply);
  }
  fstat(h: SftpHandle): Promise<FileAttributes> {
    return this.channel.request(PacketType.FSTAT, 'fstat', h.path, handleBody(h), attrsReply);
  }
  setstat(p: SftpPath, a: FileAttributes): Promise<void> {
    return this.channel.request(
      PacketType.SETSTAT,
      'setstat',
      pathText(p),
      withAttrs(pathBody(p), a),
      statusOnly,
    );
  }
  fsetstat(h: SftpHandle, a: FileAttributes): Promise<void> {
    return this.channel.request(
      PacketType.FSETSTAT,
      'fsetstat',
      h.path,
      withAttrs(handleBody(h), a),
      statusOnly,
    );
  }
  /** lsetstat@openssh.com: setstat that does not follow a final symlink. */
  lsetstat(p: SftpPath, a: FileAttributes): Promise<void> {
    return this.ext(Extension.LSETSTAT, pathText(p), withAttrs(pathBody(p), a), statusOnly);
  }

  // ---- directories (§6.7) ----

  async opendir(p: SftpPath): Promise<SftpHandle> {
    const name = pathText(p);
    const bytes = await this.channel.request(
      PacketType.OPENDIR,
      'opendir',
      name,
      pathBody(p),
      handleReply,
    );
    return new SftpHandle(bytes, name);
  }

  /** One batch of entries; null once the directory has been read to its end. */
  readdir(h: SftpHandle): Promise<DirEntry[] | null> {
    return this.channel.request(PacketType.READDIR, 'readdir', h.path, handleBody(h), namesReply);
  }

  /** opendir + readdir until EOF + close; entries in server order, '.' and '..' kept. */
  async list(p: SftpPath, onBatch?: (batch: DirEntry[]) => void): Promise<DirEntry[]> {
    const h = await this.opendir(p);
    const all: DirEntry[] = [];
    try {
      for (;;) {
        const batch = await this.readdir(h);
        if (batch === null) break;
        for (const e of batch) all.push(e);
        onBatch?.(batch);
      }
    } catch (e) {
      await this.close(h).catch(() => {});
      throw e;
    }
    await this.close(h);
    return all;
  }

  // ---- names (§6.5–6.6, §6.10) ----

  remove(p: SftpPath): Promise<void> {
    return this.channel.request(PacketType.REMOVE, 'remove', pathText(p), pathBody(p), statusOnly);
  }
  mkdir(p: SftpPath, a: FileAttributes = {}): Promise<void> {
    return this.channel.request(
      PacketType.MKDIR,
      'mkdir',
      pathText(p),
      withAttrs(pathBody(p), a),
      statusOnly,
    );
  }
  rmdir(p: SftpPath): Promise<void> {
    return this.channel.request(PacketType.RMDIR, 'rmdir', pathText(p), pathBody(p), statusOnly);
  }
  async realpath(p: SftpPath): Promise<string> {
    const n = await this.channel.request(
      PacketType.REALPATH,
      'realpath',
      pathText(p),
      pathBody(p),
      oneNameReply,
    );
    return n.filename;
  }
  /** SSH_FXP_RENAME (OpenSSH refuses when the target exists). */
  rename(from: SftpPath, to: SftpPath): Promise<void> {
    return this.channel.request(
      PacketType.RENAME,
      'rename',
      both(from, to),
      twoPaths(from, to),
      statusOnly,
    );
  }
  /** posix-rename@openssh.com: rename(2), replacing the target. */
  posixRename(from: SftpPath, to: SftpPath): Promise<void> {
    return this.ext(Extension.POSIX_RENAME, both(from, to), twoPaths(from, to), statusOnly);
  }
  async readlink(p: SftpPath): Promise<string> {
    const n = await this.channel.request(
      PacketType.READLINK,
      'readlink',
      pathText(p),
      pathBody(p),
      oneNameReply,
    );
    return n.filename;
  }
  /** A symlink at `linkPath` pointing to `target` (sent in OpenSSH's order: target first). */
  symlink(target: SftpPath, linkPath: SftpPath): Promise<void> {
    return this.channel.request(
      PacketType.SYMLINK,
      'symlink',
      both(linkPath, target),
      twoPaths(target, linkPath),
      statusOnly,
    );
  }

  // ---- OpenSSH extensions (PROTOCOL §4) ----

  statvfs(p: SftpPath): Promise<StatVfs> {
    return this.ext(Extension.STATVFS, pathText(p), pathBody(p), extendedReply(readStatVfs));
  }
  fstatvfs(h: SftpHandle): Promise<StatVfs> {
    return this.ext(Extension.FSTATVFS, h.path, handleBody(h), extendedReply(readStatVfs));
  }
  hardlink(from: SftpPath, to: SftpPath): Promise<void> {
    return this.ext(Extension.HARDLINK, both(from, to), twoPaths(from, to), statusOnly);
  }
  fsync(h: SftpHandle): Promise<void> {
    return this.ext(Extension.FSYNC, h.path, handleBody(h), statusOnly);
  }
  /** limits@openssh.com as the server sent it (0 = no limit); `limits` holds what is used. */
  queryLimits(): Promise<SftpLimits> {
    return this.ext(Extension.LIMITS, undefined, () => {}, extendedReply(readLimits));
  }
  /** expand-path@openssh.com: '~', '~user/…' and relative paths, canonicalised. */
  async expandPath(p: SftpPath): Promise<string> {
    const n = await this.ext(Extension.EXPAND_PATH, pathText(p), pathBody(p), oneNameReply);
    return n.filename;
  }
  /** copy-data: the server copies `length` bytes (0: to EOF) between two open handles. */
  async copyData(
    from: SftpHandle,
    fromOffset: number,
    length: number,
    to: SftpHandle,
    toOffset: number,
  ): Promise<void> {
    checkOffset(fromOffset);
    checkOffset(length);
    checkOffset(toOffset);
    const body: Body = (w) => {
      w.writeString(from.bytes);
      w.writeUint64(BigInt(fromOffset));
      w.writeUint64(BigInt(length));
      w.writeString(to.bytes);
      w.writeUint64(BigInt(toOffset));
    };
    return this.ext(Extension.COPY_DATA, `${from.path} -> ${to.path}`, body, statusOnly);
  }
  /** home-directory: `user`'s home ('' or omitted: ours; sftp-server before 9.8 fails on ''). */
  async homeDirectory(user = ''): Promise<string> {
    const n = await this.ext(
      Extension.HOME_DIRECTORY,
      user === '' ? undefined : user,
      (w) => w.writeString(user),
      oneNameReply,
    );
    return n.filename;
  }
  /** users-groups-by-id@openssh.com: names in the order asked, '' where the server knows none. */
  usersGroupsById(
    uids: readonly number[],
    gids: readonly number[],
  ): Promise<{ users: string[]; groups: string[] }> {
    return this.ext(
      Extension.USERS_GROUPS_BY_ID,
      undefined,
      (w) => writeIdLists(w, uids, gids),
      extendedReply((r) => readNameLists(r, uids.length, gids.length)),
    );
  }
  /**
   * Any other extension, sent whether advertised or not: the raw EXTENDED_REPLY data, or null
   * for a STATUS OK.
   */
  extended(name: string, body: Uint8Array): Promise<Uint8Array | null> {
    return this.channel.request(
      PacketType.EXTENDED,
      name,
      undefined,
      (w) => {
        w.writeString(name);
        w.writeBytes(body);
      },
      rawExtendedReply,
      name.length + body.length + 16,
    );
  }

  private ext<T>(
    name: ExtensionName,
    path: string | undefined,
    body: Body,
    spec: ReplySpec<T>,
  ): Promise<T> {
    if (!this.hasExtension(name, EXTENSION_VERSIONS[name])) {
      const details = path === undefined ? { request: name } : { request: name, path };
      return Promise.reject(
        new SftpOpUnsupportedError(
          StatusCode.OP_UNSUPPORTED,
          `${name}: the server does not support this extension`,
          '',
          details,
        ),
      );
    }
    return this.channel.request(
      PacketType.EXTENDED,
      name,
      path,
      (w) => {
        w.writeString(name);
        body(w);
      },
      spec,
    );
  }
}

/** Opens a session channel on a connection, requests subsystem "sftp" and starts the client. */
export async function openSftp(
  conn: { openSession(): Promise<Session> },
  o: SftpClientOptions = {},
): Promise<SftpClient> {
  const session = await conn.openSession();
  try {
    await session.subsystem('sftp');
  } catch (e) {
    session.close();
    throw e;
  }
  // sftp-server's stderr is its log: drained so it never holds the channel's window shut
  session.stderr.resume();
  return SftpClient.start(
    { readable: session.stdout, writable: session.stdin, close: () => session.close() },
    o,
  );
}

function withAttrs(first: Body, a: FileAttributes): Body {
  return (w) => {
    first(w);
    writeAttrs(w, a);
  };
}

function checkOffset(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`offset ${n} is not a uint64`);
}

function positive(v: number | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what} must be a positive integer`);
  return v;
}
