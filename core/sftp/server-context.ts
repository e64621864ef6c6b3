/**
 * What an SFTP server's request handlers share: the session's state (paths, handles,
 * accounts, options), how a reply leaves, and the small helpers every handler uses to read
 * a path or reach a handle (draft-ietf-secsh-filexfer-02 §6).
 */
import type { SshReader } from '../wire/reader.js';
import { StatusCode } from './constants.js';
import { sftpErrorFromStatus } from './errors.js';
import type { AccountCache } from './server-accounts.js';
import { schedule, type HandleTable, type OpenHandle } from './server-handles.js';
import { bytePath, type BytePath, type PathMap } from './server-paths.js';
import { statusOf, statusPacket } from './server-replies.js';

/** One packet, or a packet in pieces (DATA's header, then the file's bytes). */
export type Reply = Uint8Array | readonly Uint8Array[];

export interface ServerContext {
  readonly paths: PathMap;
  readonly handles: HandleTable;
  readonly accounts: AccountCache;
  readonly readOnly: boolean;
  log(line: string): void;
  send(reply: Reply): void;
}

/** A request handler: its reply, or nothing when it has sent it itself (handle order). */
export type Handler = (c: ServerContext, id: number, r: SshReader) => Promise<Reply | void>;

/** A path from the wire; a NUL byte (which no POSIX name holds) is a bad message. */
export function readPath(r: SshReader): BytePath {
  const b = r.readString();
  if (b.includes(0)) {
    throw sftpErrorFromStatus(StatusCode.BAD_MESSAGE, 'path contains a NUL byte');
  }
  return bytePath(b);
}

/** For log lines: a byte path as text. */
export function shown(p: BytePath): string {
  return JSON.stringify(Buffer.from(p, 'latin1').toString('utf8'));
}

export const ok = (id: number): Uint8Array => statusPacket(id, StatusCode.OK);

/**
 * Runs `work` on the handle a request names, in that handle's order; an unknown or closed
 * handle is SSH_FX_FAILURE, as sftp-server answers. `kind` limits it to files or directories.
 */
export function onHandle(
  c: ServerContext,
  id: number,
  handle: Uint8Array,
  kind: 'file' | 'dir' | 'any',
  shared: boolean,
  work: (h: OpenHandle) => Promise<Reply>,
): Promise<void> {
  const h = c.handles.find(handle);
  if (h === undefined || (kind !== 'any' && h.thing.kind !== kind)) {
    c.send(statusPacket(id, StatusCode.FAILURE));
    return Promise.resolve();
  }
  return schedule(
    [h],
    shared,
    () => (h.closed ? Promise.resolve(statusPacket(id, StatusCode.FAILURE)) : work(h)),
    (e) => statusPacket(id, statusOf(e)),
    (reply) => c.send(reply),
  );
}
