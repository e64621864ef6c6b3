/**
 * The Unix socket listeners behind one connection's streamlocal-forward@openssh.com requests
 * (OpenSSH PROTOCOL §2.4; ssh -R /remote/path:…), made as sshd makes them:
 *
 * - the socket is bound under the umask StreamLocalBindMask (0177: mode 0600, the user only);
 * - an existing file at the path makes the request fail ("address already in use"), unless
 *   StreamLocalBindUnlink is on, when an existing *socket* there is removed first (anything
 *   else is left alone and the bind fails);
 * - cancel-streamlocal-forward@openssh.com names the listener by its path exactly as asked for;
 *   cancelling stops the listener and leaves the connections it accepted alone.
 * Closing a listener removes its socket file (libuv unlinks the path it bound). Accepted
 * sockets start paused: nothing is read before their forwarded-streamlocal channel is open. At
 * most `max` listeners exist at once, counting those still binding.
 */
import { lstat, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { socketErrorText } from '../connection/forward-pipe.js';
import type { ListenResult } from './forward-listeners.js';

export interface UnixListenersOptions {
  readonly max: number;
  /** The umask the socket is created under. */
  readonly bindMask: number;
  /** Remove an existing socket file at the path before binding. */
  readonly bindUnlink: boolean;
  /** A connection arrived (paused) on the listener for `path`. */
  readonly onConnection: (path: string, socket: Socket) => void;
  /** A listening socket failed after it was bound. */
  readonly onError: (error: Error) => void;
}

export type UnixListenResult = ListenResult<string>;

export class UnixListeners {
  private readonly opts: UnixListenersOptions;
  private readonly servers = new Map<string, Server>();
  private binding = 0;
  private isClosed = false;

  constructor(opts: UnixListenersOptions) {
    this.opts = opts;
  }

  /** Paths listened on now. */
  list(): string[] {
    return [...this.servers.keys()];
  }

  async listen(path: string): Promise<UnixListenResult> {
    if (this.isClosed) return { ok: false, why: 'forwarding has been shut down' };
    if (this.servers.size + this.binding >= this.opts.max) {
      return { ok: false, why: `too many remote forwards (at most ${this.opts.max})` };
    }
    this.binding++;
    try {
      if (this.opts.bindUnlink) await unlinkSocket(path);
      const server = await this.bind(path);
      if (this.isClosed) {
        server.close();
        return { ok: false, why: 'forwarding has been shut down' };
      }
      server.on('error', (e) => this.opts.onError(e));
      this.servers.set(path, server);
      return { ok: true, forward: path };
    } catch (e) {
      return { ok: false, why: `cannot listen on ${path}: ${socketErrorText(e)}` };
    } finally {
      this.binding--;
    }
  }

  /** Stops the listener for path; false if there is none. */
  cancel(path: string): boolean {
    const server = this.servers.get(path);
    if (!server) return false;
    this.servers.delete(path);
    server.close();
    return true;
  }

  /** Stops every listener; later listen() calls fail. */
  closeAll(): void {
    this.isClosed = true;
    for (const s of this.servers.values()) s.close();
    this.servers.clear();
  }

  private bind(path: string): Promise<Server> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) =>
      this.opts.onConnection(path, socket),
    );
    const bound = new Promise<Server>((resolve, reject) => {
      server.once('error', (e) => {
        server.close();
        reject(e);
      });
      server.once('listening', () => {
        server.removeAllListeners('error');
        resolve(server);
      });
    });
    // umask is process-wide, but listen() on a path binds synchronously: nothing runs between
    const old = process.umask(this.opts.bindMask);
    try {
      server.listen({ path });
    } finally {
      process.umask(old);
    }
    return bound;
  }
}

/** StreamLocalBindUnlink: removes a socket file at path; other files and no file are left. */
async function unlinkSocket(path: string): Promise<void> {
  try {
    const st = await lstat(path);
    if (st.isSocket()) await unlink(path);
  } catch {
    // no such file, or not ours to remove: the bind says what is wrong
  }
}
