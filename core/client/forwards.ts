/**
 * The client's port forwards on one live connection (ssh(1) -L, -R, -D; RFC 4254 §7,
 * OpenSSH PROTOCOL §2.4 for Unix sockets). add() starts one and returns its Forward
 * (forward.ts) at once; `forward.ready` says whether it started. Forwards can be added and
 * closed at any time while the connection lives; when it ends, every forward closes.
 *
 * - Local (-L): our listener (forward-listen.ts); each connection opens a direct-tcpip channel
 *   (direct-streamlocal@openssh.com for a /remote/socket target) and is joined to it.
 * - Dynamic (-D): our listener; each connection speaks SOCKS4/4a/5 (socks.ts) and its CONNECT
 *   becomes a direct-tcpip channel to the host as named (resolved by the server). The SOCKS
 *   reply waits for the channel's open: success, or the version's failure code.
 * - Remote (-R): a tcpip-forward request; the server's port (the allocated one for port 0) is
 *   the forward's. Each forwarded-tcpip open names the forward by the bind address we sent and
 *   that port: it is accepted once the local target is connected (CONNECT_FAILED otherwise),
 *   or, for a forward with no target, accepted at once and served as SOCKS over the channel,
 *   connecting to what the SOCKS client asks for from here. An open that names no forward of
 *   ours is refused (ADMINISTRATIVELY_PROHIBITED). close() sends cancel-tcpip-forward.
 * - Remote with a socket path (-R /remote/path:…): the same through
 *   streamlocal-forward@openssh.com, forwarded-streamlocal@openssh.com opens naming the path,
 *   and cancel-streamlocal-forward@openssh.com.
 * The bind address sent for -R is OpenSSH's: "localhost" with none given, "" for "" and "*".
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { Channel } from '../connection/channel.js';
import type { ChannelOpenAnswer, Connection } from '../connection/connection.js';
import {
  decodeForwardedStreamlocal,
  decodeForwardPort,
  decodeTcpipOpen,
  encodeDirectStreamlocal,
  encodeStreamlocalForward,
  encodeTcpipForward,
  encodeTcpipOpen,
} from '../connection/forward-messages.js';
import { socketErrorText } from '../connection/forward-pipe.js';
import { OpenFailureReason } from '../connection/messages.js';
import { ChannelOpenError } from '../errors.js';
import { ForwardError } from './forward-errors.js';
import { listenTcp, listenUnix, type Listener } from './forward-listen.js';
import type {
  DynamicForwardSpec,
  Endpoint,
  ForwardSpec,
  LocalForwardSpec,
  RemoteForwardSpec,
} from '../config/forward-spec.js';
import { Forward, type Release } from './forward.js';
import { Socks5Reply, socksReply, type SocksRequest } from './socks.js';
import { readSocksRequest } from './socks-stream.js';

export const DEFAULT_FORWARD_CONNECT_TIMEOUT_MS = 20_000;

export interface ForwardsOptions {
  /** ssh_config GatewayPorts: listeners without a bind address take every address. */
  readonly gatewayPorts?: boolean;
  /** How long connecting to a local target (-R) may take. */
  readonly connectTimeoutMs?: number;
}

interface RemoteEntry {
  readonly forward: Forward;
  readonly spec: RemoteForwardSpec;
  /** The bind address as sent in tcpip-forward ("" for a socket path). */
  readonly bindAddress: string;
  port: number | null;
  /** The socket path sent in streamlocal-forward@openssh.com; null for TCP. */
  readonly path: string | null;
}

/** OpenSSH's channel_rfwd_bind_host. */
export function remoteBindAddress(host: string | null): string {
  if (host === null) return 'localhost';
  return host === '*' ? '' : host;
}

function originatorOf(socket: Socket): { address: string; port: number } {
  const address = socket.remoteAddress ?? '127.0.0.1';
  return {
    address: address.startsWith('::ffff:') ? address.slice(7) : address,
    port: socket.remotePort ?? 0,
  };
}

/** The SOCKS5 reply code for a failed channel open. */
function socks5Failure(e: unknown): number {
  if (!(e instanceof ChannelOpenError)) return Socks5Reply.GENERAL_FAILURE;
  if (e.openReason === OpenFailureReason.ADMINISTRATIVELY_PROHIBITED)
    return Socks5Reply.NOT_ALLOWED;
  if (e.openReason === OpenFailureReason.CONNECT_FAILED) return Socks5Reply.CONNECTION_REFUSED;
  return Socks5Reply.GENERAL_FAILURE;
}

export class Forwards {
  private readonly connection: Connection;
  private readonly opts: ForwardsOptions;
  private readonly forwards = new Set<Forward>();
  private readonly remotes = new Set<RemoteEntry>();
  /** tcpip-forward requests not answered yet: an open that matches nothing waits for them. */
  private readonly requesting = new Set<Promise<unknown>>();
  private isClosed = false;

  constructor(connection: Connection, opts: ForwardsOptions = {}) {
    this.connection = connection;
    this.opts = opts;
    const previous = connection.onChannelOpen;
    connection.onChannelOpen = (type, extra, answer) => {
      if (type === 'forwarded-tcpip') this.forwardedTcpip(extra, answer);
      else if (type === 'forwarded-streamlocal@openssh.com')
        this.forwardedStreamlocal(extra, answer);
      else previous(type, extra, answer);
    };
    void connection.closed.then(() => this.closeAll());
  }

  /** Forwards added and not closed (failed ones included). */
  list(): Forward[] {
    return [...this.forwards];
  }

  /** Starts a forward; await `forward.ready` for the outcome. */
  add(spec: ForwardSpec): Forward {
    const forward = new Forward(spec);
    this.forwards.add(forward);
    forward.on('state', (s) => {
      if (s === 'closed') this.forwards.delete(forward);
    });
    if (this.isClosed) {
      forward.markFailed(new ForwardError(`${forward.description}: the connection is closed`));
      return forward;
    }
    if (spec.type === 'remote') this.startRemote(forward, spec);
    else void this.startLocal(forward, spec);
    return forward;
  }

  /** Closes every forward (the connection stays); later add() calls fail. */
  async closeAll(): Promise<void> {
    this.isClosed = true;
    await Promise.all([...this.forwards].map((f) => f.close()));
  }

  // ---- local listeners: -L and -D ------------------------------------------------------------

  private async startLocal(
    forward: Forward,
    spec: LocalForwardSpec | DynamicForwardSpec,
  ): Promise<void> {
    const onConnection = (socket: Socket): void =>
      spec.type === 'local'
        ? this.localConnection(forward, spec, socket)
        : void this.dynamicConnection(forward, socket);
    const onError = (): void => {}; // accept errors on a listening socket are not fatal
    let listener: Listener;
    try {
      listener =
        spec.listen.kind === 'unix'
          ? await listenUnix(spec.listen.path, onConnection, onError)
          : await listenTcp(
              spec.listen.host,
              spec.listen.port,
              this.opts.gatewayPorts ?? false,
              onConnection,
              onError,
            );
    } catch (e) {
      forward.markFailed(
        e instanceof ForwardError ? e : new ForwardError(`${forward.description}: ${String(e)}`),
      );
      return;
    }
    if (forward.state !== 'starting') return listener.close();
    forward.stopHook = () => listener.close();
    forward.markListening(listener.bound, listener.bound[0]?.port ?? null);
  }

  private localConnection(forward: Forward, spec: LocalForwardSpec, socket: Socket): void {
    const from = originatorOf(socket);
    const release = forward.admit(socket, `${from.address} port ${from.port}`);
    if (!release) return;
    socket.on('error', () => {}); // a reset before the channel is open: the open settles it
    const target = spec.connect;
    const open =
      target.kind === 'unix'
        ? this.connection.openChannel(
            'direct-streamlocal@openssh.com',
            encodeDirectStreamlocal(target.path),
          )
        : this.connection.openChannel(
            'direct-tcpip',
            encodeTcpipOpen({
              host: target.host ?? '',
              port: target.port,
              originatorAddress: from.address,
              originatorPort: from.port,
            }),
          );
    open.then(
      (channel) => this.joinOrDrop(forward, release, socket, channel),
      (e: unknown) => {
        socket.destroy();
        forward.failed(release, asError(e));
      },
    );
  }

  private async dynamicConnection(forward: Forward, socket: Socket): Promise<void> {
    const from = originatorOf(socket);
    const release = forward.admit(socket, `${from.address} port ${from.port}`);
    if (!release) return;
    socket.on('error', () => {});
    let request: SocksRequest;
    try {
      request = await readSocksRequest(socket, (b) => socket.write(b));
    } catch (e) {
      socket.end();
      return forward.failed(release, asError(e));
    }
    let channel: Channel;
    try {
      channel = await this.connection.openChannel(
        'direct-tcpip',
        encodeTcpipOpen({
          host: request.host,
          port: request.port,
          originatorAddress: from.address,
          originatorPort: from.port,
        }),
      );
    } catch (e) {
      socket.end(socksReply(request.version, false, socks5Failure(e)));
      return forward.failed(release, asError(e));
    }
    if (!socket.destroyed) socket.write(socksReply(request.version, true));
    this.joinOrDrop(forward, release, socket, channel);
  }

  private joinOrDrop(forward: Forward, release: Release, socket: Socket, channel: Channel): void {
    if (socket.destroyed || forward.state === 'closed') {
      channel.close();
      socket.destroy();
      return forward.failed(release, new ForwardError('the connection went away'));
    }
    forward.join(release, channel, socket);
  }

  // ---- remote: -R ----------------------------------------------------------------------------

  private startRemote(forward: Forward, spec: RemoteForwardSpec): void {
    const listen = spec.listen;
    const path = listen.kind === 'unix' ? listen.path : null;
    const bindAddress = listen.kind === 'tcp' ? remoteBindAddress(listen.host) : '';
    const askedPort = listen.kind === 'tcp' ? listen.port : null;
    const entry: RemoteEntry = { forward, spec, bindAddress, port: null, path };
    const reply =
      path !== null
        ? this.connection.globalRequest(
            'streamlocal-forward@openssh.com',
            encodeStreamlocalForward(path),
          )
        : this.connection.globalRequest(
            'tcpip-forward',
            encodeTcpipForward({ bindAddress, port: askedPort ?? 0 }),
          );
    this.requesting.add(reply);
    const done = (): boolean => this.requesting.delete(reply);
    reply.then(
      (r) => {
        done();
        let port: number | null = askedPort;
        if (r?.ok && askedPort === 0) {
          try {
            port = decodeForwardPort(r.data);
          } catch {
            port = null;
          }
        }
        if (!r?.ok || (path === null && (port === null || port === 0))) {
          const what =
            path !== null
              ? `remote port forwarding failed for listen path ${path}`
              : `remote port forwarding failed for listen port ${askedPort ?? 0}`;
          return forward.markFailed(new ForwardError(what));
        }
        entry.port = port;
        this.remotes.add(entry);
        forward.stopHook = () => this.cancelRemote(entry);
        forward.markListening([], port);
        if (forward.state !== 'listening') void this.cancelRemote(entry);
      },
      (e: unknown) => {
        done();
        forward.markFailed(new ForwardError(`${forward.description}: ${asError(e).message}`));
      },
    );
  }

  private async cancelRemote(entry: RemoteEntry): Promise<void> {
    this.remotes.delete(entry);
    const request =
      entry.path !== null
        ? this.connection.globalRequest(
            'cancel-streamlocal-forward@openssh.com',
            encodeStreamlocalForward(entry.path),
          )
        : entry.port !== null
          ? this.connection.globalRequest(
              'cancel-tcpip-forward',
              encodeTcpipForward({ bindAddress: entry.bindAddress, port: entry.port }),
            )
          : null;
    await request?.catch(() => null);
  }

  private findRemote(matches: (e: RemoteEntry) => boolean): RemoteEntry | undefined {
    for (const e of this.remotes) if (matches(e) && e.forward.accepting) return e;
    return undefined;
  }

  /**
   * Serves an open for the forward `matches` picks; when none does yet, once every
   * forward request in flight has its reply (the open can overtake the reply's handler).
   */
  private dispatchForwarded(
    matches: (e: RemoteEntry) => boolean,
    originator: string,
    answer: ChannelOpenAnswer,
    unknown: string,
  ): void {
    const entry = this.findRemote(matches);
    if (entry) return this.serveForwarded(entry, originator, answer);
    const refuse = (): void =>
      answer.reject(
        OpenFailureReason.ADMINISTRATIVELY_PROHIBITED,
        `no remote forward for ${unknown} was requested`,
      );
    if (this.requesting.size === 0) return refuse();
    void Promise.allSettled([...this.requesting]).then(() => {
      const late = this.findRemote(matches);
      if (late) this.serveForwarded(late, originator, answer);
      else refuse();
    });
  }

  private forwardedStreamlocal(extra: Uint8Array, answer: ChannelOpenAnswer): void {
    let path: string;
    try {
      path = decodeForwardedStreamlocal(extra);
    } catch (e) {
      return answer.reject(OpenFailureReason.CONNECT_FAILED, asError(e).message);
    }
    this.dispatchForwarded((e) => e.path === path, path, answer, path);
  }

  private forwardedTcpip(extra: Uint8Array, answer: ChannelOpenAnswer): void {
    let host: string;
    let port: number;
    let originator: string;
    try {
      const o = decodeTcpipOpen(extra, 'forwarded-tcpip');
      [host, port, originator] = [
        o.host,
        o.port,
        `${o.originatorAddress} port ${o.originatorPort}`,
      ];
    } catch (e) {
      return answer.reject(OpenFailureReason.CONNECT_FAILED, asError(e).message);
    }
    this.dispatchForwarded(
      (e) => e.path === null && e.port === port && e.bindAddress === host,
      originator,
      answer,
      `"${host}" port ${port}`,
    );
  }

  private serveForwarded(entry: RemoteEntry, originator: string, answer: ChannelOpenAnswer): void {
    const forward = entry.forward;
    const target = entry.spec.connect;
    if (target === null) {
      const channel = answer.accept();
      const release = forward.admit({ destroy: () => channel.close() }, originator);
      if (release) void this.remoteSocks(forward, release, channel);
      return;
    }
    const pendingOpen = {
      destroy: () => answer.reject(OpenFailureReason.CONNECT_FAILED, 'the forward was closed'),
    };
    const release = forward.admit(pendingOpen, originator);
    if (!release) return;
    this.connectLocal(target).then(
      (socket) => {
        if (forward.accepting) forward.join(release, answer.accept(), socket);
        else socket.destroy(); // close() refused the open
      },
      (e: unknown) => {
        const error = asError(e);
        answer.reject(OpenFailureReason.CONNECT_FAILED, error.message);
        forward.failed(release, error);
      },
    );
  }

  /** A remote forward with no target: SOCKS over the channel, then a connection from here. */
  private async remoteSocks(forward: Forward, release: Release, channel: Channel): Promise<void> {
    // The negotiation's answers go out on a writable of their own. It ends only once the
    // tunnel's writable exists (or on failure), as the channel sends EOF when all have ended.
    const answers = channel.writable();
    const fail = (error: Error, reply?: Uint8Array): void => {
      answers.end(reply);
      void channel.eof().then(() => channel.close());
      forward.failed(release, error);
    };
    let request: SocksRequest;
    try {
      request = await readSocksRequest(channel.incoming, (b) => answers.write(b));
    } catch (e) {
      return fail(asError(e));
    }
    let socket: Socket;
    try {
      socket = await this.connectLocal({ kind: 'tcp', host: request.host, port: request.port });
    } catch (e) {
      return fail(asError(e), socksReply(request.version, false, Socks5Reply.CONNECTION_REFUSED));
    }
    if (!channel.isOpen || !forward.accepting) {
      socket.destroy();
      return fail(new ForwardError('the channel went away'));
    }
    forward.join(release, channel, socket, socksReply(request.version, true));
    answers.end();
  }

  /** Connects to a local target with a timeout; resolves with the connected socket. */
  private connectLocal(target: Endpoint): Promise<Socket> {
    const where = target.kind === 'unix' ? target.path : `${target.host} port ${target.port}`;
    return new Promise((resolve, reject) => {
      const socket =
        target.kind === 'unix'
          ? netConnect({ path: target.path, allowHalfOpen: true })
          : netConnect({
              host: target.host ?? 'localhost',
              port: target.port,
              allowHalfOpen: true,
            });
      const timer = setTimeout(
        () => fail(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })),
        this.opts.connectTimeoutMs ?? DEFAULT_FORWARD_CONNECT_TIMEOUT_MS,
      );
      const fail = (e: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new ForwardError(`connect to ${where} failed: ${socketErrorText(e)}`));
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(socket);
      });
    });
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
