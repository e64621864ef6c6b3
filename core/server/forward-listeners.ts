/**
 * The listeners behind one connection's tcpip-forward requests (RFC 4254 §7.1; ssh -R).
 *
 * A forward is the client's (bind address, port) and the sockets bound for it: one address, or
 * a pair sharing one port (127.0.0.1 and ::1 for loopback, 0.0.0.0 and :: for every address),
 * where binding one of the pair is enough, as in sshd. Port 0 takes the port the first bind
 * was given for the rest, and that port is the forward's. Accepted sockets start paused: no
 * byte is read before the forwarded-tcpip channel they go to is open.
 *
 * cancel-tcpip-forward names a forward by the bind address exactly as it was asked for and the
 * port it has (the allocated one for port 0); cancelling stops the listening sockets and leaves
 * the connections they accepted alone. At most `max` forwards exist at once, counting those
 * still binding, so a client cannot take every port of the host.
 */
import { lookup } from 'node:dns/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { bindTargets, type BindTarget } from './forward-policy.js';
import { socketErrorText } from '../connection/forward-pipe.js';

export interface BoundAddress {
  readonly address: string;
  readonly family: string;
  readonly port: number;
}

export interface RemoteForward {
  /** As the client sent it; forwarded-tcpip opens carry it back. */
  readonly bindAddress: string;
  readonly requestedPort: number;
  /** The port every socket of this forward listens on. */
  readonly port: number;
  readonly bound: readonly BoundAddress[];
}

export type ListenResult<T = RemoteForward> =
  { readonly ok: true; readonly forward: T } | { readonly ok: false; readonly why: string };

export interface RemoteListenersOptions {
  readonly max: number;
  readonly gatewayPorts: boolean;
  /** A TCP connection arrived (paused) on a listener asked for as `bindAddress`. */
  readonly onConnection: (bindAddress: string, socket: Socket) => void;
  /** A listening socket failed after it was bound (an accept error, say). */
  readonly onError: (error: Error) => void;
}

interface Entry {
  readonly forward: RemoteForward;
  readonly servers: readonly Server[];
}

export class RemoteListeners {
  private readonly opts: RemoteListenersOptions;
  private entries: Entry[] = [];
  private binding = 0;
  private isClosed = false;

  constructor(opts: RemoteListenersOptions) {
    this.opts = opts;
  }

  /** Forwards listening now. */
  get size(): number {
    return this.entries.length;
  }

  list(): RemoteForward[] {
    return this.entries.map((e) => e.forward);
  }

  async listen(bindAddress: string, port: number): Promise<ListenResult> {
    if (this.isClosed) return { ok: false, why: 'forwarding has been shut down' };
    if (this.entries.length + this.binding >= this.opts.max) {
      return { ok: false, why: `too many remote forwards (at most ${this.opts.max})` };
    }
    this.binding++;
    try {
      return await this.bind(bindAddress, port);
    } finally {
      this.binding--;
    }
  }

  /** Stops the forward asked for as bindAddress that listens on port; false if none does. */
  cancel(bindAddress: string, port: number): boolean {
    const hit = this.entries.find(
      (e) => e.forward.bindAddress === bindAddress && e.forward.port === port,
    );
    if (!hit) return false;
    this.entries = this.entries.filter((e) => e !== hit);
    for (const s of hit.servers) s.close();
    return true;
  }

  /** Stops every listener, and any still binding; later listen() calls fail. */
  closeAll(): void {
    this.isClosed = true;
    const entries = this.entries;
    this.entries = [];
    for (const e of entries) for (const s of e.servers) s.close();
  }

  private async bind(bindAddress: string, requestedPort: number): Promise<ListenResult> {
    let targets = bindTargets(bindAddress, this.opts.gatewayPorts);
    if (targets === 'lookup') {
      try {
        const found = await lookup(bindAddress, { all: true });
        targets = found.map((a) => ({ host: a.address, ipv6Only: a.family === 6 }));
      } catch (e) {
        return { ok: false, why: `cannot resolve "${bindAddress}": ${socketErrorText(e)}` };
      }
    }
    const servers: Server[] = [];
    let port = requestedPort;
    let firstError: unknown = null;
    for (const target of targets) {
      if (this.isClosed) break;
      try {
        const server = await this.listenOn(bindAddress, target, port);
        servers.push(server);
        if (port === 0) port = (server.address() as AddressInfo).port;
      } catch (e) {
        firstError ??= e;
      }
    }
    if (this.isClosed) {
      for (const s of servers) s.close();
      return { ok: false, why: 'forwarding has been shut down' };
    }
    if (servers.length === 0) {
      const why = firstError === null ? 'no address to listen on' : socketErrorText(firstError);
      return { ok: false, why: `cannot listen on "${bindAddress}" port ${requestedPort}: ${why}` };
    }
    const bound = servers.map((s) => {
      const a = s.address() as AddressInfo;
      return { address: a.address, family: a.family, port: a.port };
    });
    const forward: RemoteForward = { bindAddress, requestedPort, port, bound };
    this.entries.push({ forward, servers });
    return { ok: true, forward };
  }

  private listenOn(bindAddress: string, target: BindTarget, port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) =>
        this.opts.onConnection(bindAddress, socket),
      );
      const failed = (e: Error): void => {
        server.close();
        reject(e);
      };
      server.once('error', failed);
      server.listen({ host: target.host, port, ipv6Only: target.ipv6Only }, () => {
        server.off('error', failed);
        server.on('error', (e) => this.opts.onError(e));
        resolve(server);
      });
    });
  }
}
