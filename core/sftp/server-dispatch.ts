/**
 * The SFTP server's dispatch table: request type (draft-ietf-secsh-filexfer-02 §4) or
 * extension name (OpenSSH PROTOCOL §4) → handler, with which ones write (refused with
 * PERMISSION_DENIED in read-only mode, as sftp-server -R; OPEN checks its own flags).
 *
 * What a client gets wrong in one request costs it that request only: an unknown type or
 * extension is OP_UNSUPPORTED, a truncated or malformed body BAD_MESSAGE, and any failure a
 * STATUS. OpenSSH's sftp-server ends the session on a malformed body; answering keeps the
 * session usable and is no less safe.
 */
import { ProtocolError } from '../errors.js';
import { SshReader } from '../wire/reader.js';
import { EXTENSION_VERSIONS, PacketType, SFTP_VERSION, StatusCode } from './constants.js';
import type { ExtensionName } from './constants.js';
import { Extension } from './constants.js';
import { SftpProtocolError } from './errors.js';
import { encodePacket } from './packets.js';
import type { Handler, Reply, ServerContext } from './server-context.js';
import * as ext from './server-extensions.js';
import * as file from './server-file-ops.js';
import * as path from './server-path-ops.js';
import { statusOf, statusPacket } from './server-replies.js';

interface Entry {
  readonly name: string;
  readonly write: boolean;
  readonly run: Handler;
}

const e = (name: string, write: boolean, run: Handler): Entry => ({ name, write, run });

const REQUESTS: ReadonlyMap<number, Entry> = new Map([
  [PacketType.OPEN, e('open', false, file.open)],
  [PacketType.CLOSE, e('close', false, file.close)],
  [PacketType.READ, e('read', false, file.read)],
  [PacketType.WRITE, e('write', true, file.write)],
  [PacketType.LSTAT, e('lstat', false, path.lstatRequest)],
  [PacketType.FSTAT, e('fstat', false, file.fstat)],
  [PacketType.SETSTAT, e('setstat', true, path.setstat)],
  [PacketType.FSETSTAT, e('fsetstat', true, file.fsetstat)],
  [PacketType.OPENDIR, e('opendir', false, file.opendirRequest)],
  [PacketType.READDIR, e('readdir', false, file.readdir)],
  [PacketType.REMOVE, e('remove', true, path.remove)],
  [PacketType.MKDIR, e('mkdir', true, path.mkdirRequest)],
  [PacketType.RMDIR, e('rmdir', true, path.rmdirRequest)],
  [PacketType.REALPATH, e('realpath', false, path.realpathRequest)],
  [PacketType.STAT, e('stat', false, path.statRequest)],
  [PacketType.RENAME, e('rename', true, path.renameRequest)],
  [PacketType.READLINK, e('readlink', false, path.readlinkRequest)],
  [PacketType.SYMLINK, e('symlink', true, path.symlinkRequest)],
]);

const EXTENSIONS: ReadonlyMap<string, Entry> = new Map<ExtensionName, Entry>([
  [Extension.POSIX_RENAME, e('posix-rename', true, ext.posixRename)],
  [Extension.STATVFS, e('statvfs', false, ext.statvfs)],
  [Extension.FSTATVFS, e('fstatvfs', false, ext.fstatvfs)],
  [Extension.HARDLINK, e('hardlink', true, ext.hardlink)],
  [Extension.FSYNC, e('fsync', true, ext.fsync)],
  [Extension.LSETSTAT, e('lsetstat', true, ext.lsetstat)],
  [Extension.LIMITS, e('limits', false, ext.limits)],
  [Extension.EXPAND_PATH, e('expand-path', false, ext.expandPath)],
  [Extension.COPY_DATA, e('copy-data', true, ext.copyData)],
  [Extension.HOME_DIRECTORY, e('home-directory', false, ext.homeDirectory)],
  [Extension.USERS_GROUPS_BY_ID, e('users-groups-by-id', false, ext.usersGroupsById)],
]);

/** VERSION: version 3 and the extensions in OpenSSH's order (write ones not when read-only). */
export function versionPacket(readOnly: boolean): Uint8Array {
  return encodePacket(PacketType.VERSION, (w) => {
    w.writeUint32(SFTP_VERSION);
    for (const [name, version] of Object.entries(EXTENSION_VERSIONS)) {
      if (readOnly && EXTENSIONS.get(name)?.write === true) continue;
      w.writeString(name).writeString(version);
    }
  });
}

/**
 * Serves one request (not INIT); resolves once its reply has been sent. The body must hold
 * at least the request id (the caller checks).
 */
export async function serveRequest(
  c: ServerContext,
  type: number,
  body: Uint8Array,
): Promise<void> {
  const r = new SshReader(body, 'SFTP request');
  const id = r.readUint32();
  let reply: Reply | void;
  try {
    let entry: Entry | undefined;
    if (type === PacketType.EXTENDED) {
      const name = Buffer.from(r.readString()).toString('latin1');
      entry = EXTENSIONS.get(name);
      if (entry === undefined) c.log(`unknown extended request ${JSON.stringify(name)}`);
    } else {
      entry = REQUESTS.get(type);
      if (entry === undefined) c.log(`unknown request type ${type}`);
    }
    if (entry === undefined) reply = statusPacket(id, StatusCode.OP_UNSUPPORTED);
    else if (c.readOnly && entry.write) {
      c.log(`refusing ${entry.name} request in read-only mode`);
      reply = statusPacket(id, StatusCode.PERMISSION_DENIED);
    } else reply = await entry.run(c, id, r);
  } catch (err) {
    const malformed = err instanceof ProtocolError || err instanceof SftpProtocolError;
    reply = statusPacket(id, malformed ? StatusCode.BAD_MESSAGE : statusOf(err));
  }
  if (reply !== undefined) c.send(reply);
}
