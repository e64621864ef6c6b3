/**
 * The server side of forwarding for the bundled sshd, for one authenticated connection, under a
 * ForwardingPolicy (forward-policy.ts): TCP (RFC 4254 §7) with direct-tcpip channels (ssh -L,
 * ssh -J) and tcpip-forward / cancel-tcpip-forward (ssh -R), and Unix sockets (OpenSSH
 * PROTOCOL §2.4) with direct-streamlocal@openssh.com channels (ssh -L to a socket path) and
 * streamlocal-forward@openssh.com / cancel-streamlocal-forward@openssh.com (ssh -R with a
 * socket path; unix-listeners.ts), whose connections become forwarded-streamlocal@openssh.com
 * channels carrying the path as asked for.
 *
 * - direct-tcpip and direct-streamlocal: the request is checked, then the target is connected
 *   with a timeout, and only once the connection stands is the channel accepted; a refusal is OPEN_FAILURE
 *   ADMINISTRATIVELY_PROHIBITED, a failed connect CONNECT_FAILED with the error's text.
 * - tcpip-forward: checked, then bound (forward-listeners.ts); port 0 is answered with the port.
 *   Each accepted connection becomes a forwarded-tcpip open carrying the bind address as the
 *   client asked for it, the port it listens on, and the TCP peer as originator; a refused
 *   open closes the socket.
 * - Every channel ⇄ socket pair is joined by forward-pipe.ts, with backpressure both ways.
 * - close() (and the connection's end) stops every listener and tears down every pair and
 *   every connect in progress.
 * Other channel types and global requests go to the handlers installed before this one.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { Channel } from '../connection/channel.js';
import type { ChannelOpenAnswer, Connection } from '../connection/connection.js';
import { OpenFailureReason } from '../connection/messages.js';
import type { Answer } from '../connection/replies.js';
import { normalizeClientAddress } from './address-match.js';
import { RemoteListeners, type RemoteForward } from './forward-listeners.js';
import {
  decodeDirectStreamlocal,
  decodeStreamlocalForward,
  decodeTcpipForward,
  decodeTcpipOpen,
  encodeForwardedStreamlocal,
  encodeForwardPort,
  encodeTcpipOpen,
  type TcpipForward,
  type TcpipOpen,
} from '../connection/forward-messages.js';
import { joinChannelSocket, socketErrorText, type Tunnel } from '../connection/forward-pipe.js';
import {
  checkDirect,
  checkDirectStreamlocal,
  checkListen,
  checkStreamlocalListen,
  type ForwardingPolicy,
} from './forward-policy.js';
import { UnixListeners } from './unix-listeners.js';

export type { AllowTcpForwarding, ForwardingPolicy } from './forward-policy.js';
export type { BoundAddress, RemoteForward } from './forward-listeners.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
export const DEFAULT_MAX_LISTENERS = 64;
/** StreamLocalBindMask's default: sockets the user alone may connect to. */
export const DEFAULT_STREAMLOCAL_BIND_MASK = 0o177;

const STREAMLOCAL_FORWARD = 'streamlocal-forward@openssh.com';
const CANCEL_STREAMLOCAL_FORWARD = 'cancel-streamlocal-forward@openssh.com';

/** Where a direct open connects: a TCP host and port, or a Unix socket path. */
type Target = { readonly host: string; readonly port: number } | { readonly path: string };

export interface ForwardingStats {
  /** direct-* connects and forwarded-* opens under way. */
  readonly opening: number;
  /** Channel ⇄ socket pairs, by kind (TCP and Unix sockets together). */
  readonly direct: number;
  readonly forwarded: number;
  /** Sockets this connection's forwarding holds (connecting, opening or joined). */
  readonly sockets: number;
  /** tcpip-forward listeners. */
  readonly listeners: readonly RemoteForward[];
  /** streamlocal-forward listeners: their paths. */
  readonly unixListeners: readonly string[];
  /** Bytes held in this process across every pair. */
  readonly bufferedBytes: number;
}

export interface Forwarding {
  stats(): ForwardingStats;
  /** Stops every listener and ends every forwarded connection. Idempotent. */
  close(): void;
  readonly closed: boolean;
}

/**
 * Serves TCP and Unix socket forwarding on `connection` under `policy`. Call
 * once user authentication has succeeded; `log` gets one line per decision.
 */
export function serveForwarding(
  connection: Connection,
  policy: ForwardingPolicy,
  log: (line: string) => void = () => {},
): Forwarding {
  const server = new ForwardingServer(connection, policy, log);
  void connection.closed.then(() => server.close());
  return server;
}

class ForwardingServer implements Forwarding {
  private readonly connection: Connection;
  private readonly policy: ForwardingPolicy;
  private readonly log: (line: string) => void;
  private readonly listeners: RemoteListeners;
  private readonly unixListeners: UnixListeners;
  /** direct-* sockets still connecting; each leaves through its 'close' or 'connect'. */
  private readonly connecting = new Set<Socket>();
  /** Accepted sockets whose forwarded-tcpip open the client has not answered yet. */
  private readonly awaitingOpen = new Set<Socket>();
  private readonly tunnels = new Map<Tunnel, 'direct' | 'forwarded'>();
  private isClosed = false;

  constructor(connection: Connection, policy: ForwardingPolicy, log: (line: string) => void) {
    this.connection = connection;
    this.policy = policy;
    // Lines carry names the client chose: no control characters, no unbounded length.
    // eslint-disable-next-line no-control-regex
    this.log = (line) => log(line.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 1000));
    this.listeners = new RemoteListeners({
      max: policy.maxListeners ?? DEFAULT_MAX_LISTENERS,
      gatewayPorts: policy.gatewayPorts,
      onConnection: (bindAddress, socket) => this.forwardedTcpip(bindAddress, socket),
      onError: (e) => this.log(`remote forward listener: ${socketErrorText(e)}`),
    });
    this.unixListeners = new UnixListeners({
      max: policy.maxListeners ?? DEFAULT_MAX_LISTENERS,
      bindMask: policy.streamLocalBindMask ?? DEFAULT_STREAMLOCAL_BIND_MASK,
      bindUnlink: policy.streamLocalBindUnlink ?? false,
      onConnection: (path, socket) =>
        this.forwardedConnection(
          'forwarded-streamlocal@openssh.com',
          encodeForwardedStreamlocal(path),
          `forwarded-streamlocal to ${path}`,
          socket,
        ),
      onError: (e) => this.log(`remote Unix socket listener: ${socketErrorText(e)}`),
    });
    const previousOpen = connection.onChannelOpen;
    connection.onChannelOpen = (type, extra, answer) => {
      if (type === 'direct-tcpip') this.directTcpip(extra, answer);
      else if (type === 'direct-streamlocal@openssh.com') this.directStreamlocal(extra, answer);
      else previousOpen(type, extra, answer);
    };
    const previousRequest = connection.onGlobalRequest;
    connection.onGlobalRequest = (name, data, answer) => {
      if (name === 'tcpip-forward') this.tcpipForward(data, answer).catch(() => answer(false));
      else if (name === 'cancel-tcpip-forward') this.cancelTcpipForward(data, answer);
      else if (name === STREAMLOCAL_FORWARD)
        this.streamlocalForward(data, answer).catch(() => answer(false));
      else if (name === CANCEL_STREAMLOCAL_FORWARD) this.cancelStreamlocalForward(data, answer);
      else previousRequest(name, data, answer);
    };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The SSH client, as the log names it. */
  private get who(): string {
    return `${this.policy.clientAddress} port ${this.policy.clientPort}`;
  }

  stats(): ForwardingStats {
    let direct = 0;
    let bufferedBytes = 0;
    for (const [tunnel, kind] of this.tunnels) {
      if (kind === 'direct') direct++;
      bufferedBytes += tunnel.bufferedBytes();
    }
    const opening = this.connecting.size + this.awaitingOpen.size;
    let joined = 0;
    for (const tunnel of this.tunnels.keys()) if (!tunnel.socket.closed) joined++;
    return {
      opening,
      direct,
      forwarded: this.tunnels.size - direct,
      sockets: opening + joined,
      listeners: this.listeners.list(),
      unixListeners: this.unixListeners.list(),
      bufferedBytes,
    };
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.listeners.closeAll();
    this.unixListeners.closeAll();
    // A connecting socket's 'close' refuses its open; an accepted one's open, when it
    // settles, finds it gone and closes the channel.
    for (const socket of this.connecting) socket.destroy();
    for (const socket of this.awaitingOpen) socket.destroy();
    this.awaitingOpen.clear();
    for (const tunnel of this.tunnels.keys()) tunnel.destroy();
  }

  // ---- direct-tcpip (ssh -L) ------------------------------------------------------------------

  private directTcpip(extra: Uint8Array, answer: ChannelOpenAnswer): void {
    const prohibited = OpenFailureReason.ADMINISTRATIVELY_PROHIBITED;
    let req: TcpipOpen;
    try {
      req = decodeTcpipOpen(extra, 'direct-tcpip');
    } catch (e) {
      return answer.reject(prohibited, e instanceof Error ? e.message : 'malformed direct-tcpip');
    }
    const { host, port } = req;
    const who = this.who;
    const denial = this.isClosed
      ? 'forwarding has been shut down'
      : checkDirect(this.policy, host, port);
    if (denial) {
      this.log(`refused direct-tcpip from ${who} to ${host} port ${port}: ${denial}`);
      return answer.reject(prohibited, denial);
    }
    if (port === 0 || host === '') {
      return answer.reject(prohibited, `direct-tcpip to "${host}" port ${port}: no such target`);
    }
    const opened = `direct-tcpip from ${who} (originator ${req.originatorAddress} port ${req.originatorPort}) to ${host} port ${port}`;
    this.connectAndJoin({ host, port }, `${host} port ${port}`, answer, opened);
  }

  // ---- direct-streamlocal@openssh.com (ssh -L to a Unix socket) --------------------------------

  private directStreamlocal(extra: Uint8Array, answer: ChannelOpenAnswer): void {
    const prohibited = OpenFailureReason.ADMINISTRATIVELY_PROHIBITED;
    let path: string;
    try {
      path = decodeDirectStreamlocal(extra);
    } catch (e) {
      const why = e instanceof Error ? e.message : 'malformed direct-streamlocal@openssh.com';
      this.log(`refused ${why}`);
      return answer.reject(prohibited, why);
    }
    const who = this.who;
    const denial = this.isClosed
      ? 'forwarding has been shut down'
      : checkDirectStreamlocal(this.policy, path);
    if (denial) {
      this.log(`refused direct-streamlocal from ${who} to ${path}: ${denial}`);
      return answer.reject(prohibited, denial);
    }
    this.connectAndJoin({ path }, path, answer, `direct-streamlocal from ${who} to ${path}`);
  }

  /**
   * Connects to target with a timeout; accepts the channel once connected and joins the two,
   * or refuses it with CONNECT_FAILED and the error's text. `where` names the target in texts.
   */
  private connectAndJoin(
    target: Target,
    where: string,
    answer: ChannelOpenAnswer,
    opened: string,
  ): void {
    const who = this.who;
    const kind = 'path' in target ? 'direct-streamlocal' : 'direct-tcpip';
    let socket: Socket;
    try {
      socket = netConnect({ ...target, allowHalfOpen: true });
    } catch (e) {
      const text = `connect to ${where} failed: ${socketErrorText(e)}`;
      return answer.reject(OpenFailureReason.CONNECT_FAILED, text);
    }
    this.connecting.add(socket);
    const timer = setTimeout(
      () => failed(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })),
      this.policy.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    );
    const settle = (): boolean => {
      clearTimeout(timer);
      socket.off('error', failed);
      socket.off('connect', connected);
      return this.connecting.delete(socket);
    };
    const failed = (e: Error): void => {
      if (!settle()) return;
      socket.destroy();
      const text = `connect to ${where} failed: ${socketErrorText(e)}`;
      this.log(`${kind} from ${who}: ${text}`);
      answer.reject(OpenFailureReason.CONNECT_FAILED, text);
    };
    const connected = (): void => {
      if (!settle()) return; // close() destroyed it meanwhile
      let channel: Channel;
      try {
        channel = answer.accept();
      } catch {
        socket.destroy();
        return;
      }
      this.log(opened);
      this.join(channel, socket, 'direct');
    };
    socket.once('error', failed);
    socket.once('connect', connected);
    // close() destroys sockets still connecting: the open is then refused.
    socket.once('close', () => {
      if (settle())
        answer.reject(OpenFailureReason.CONNECT_FAILED, 'forwarding has been shut down');
    });
  }

  // ---- tcpip-forward (ssh -R) -----------------------------------------------------------------

  private async tcpipForward(data: Uint8Array, answer: Answer): Promise<void> {
    let req: TcpipForward;
    try {
      req = decodeTcpipForward(data, 'tcpip-forward');
    } catch (e) {
      this.log(`tcpip-forward refused: ${e instanceof Error ? e.message : String(e)}`);
      return answer(false);
    }
    const { bindAddress, port } = req;
    const denial = checkListen(this.policy, bindAddress, port);
    if (denial) {
      this.log(`tcpip-forward refused: ${denial}`);
      return answer(false);
    }
    const result = await this.listeners.listen(bindAddress, port);
    if (!result.ok) {
      this.log(`tcpip-forward refused: ${result.why}`);
      return answer(false);
    }
    const f = result.forward;
    const where = f.bound.map((b) => (b.family === 'IPv6' ? `[${b.address}]` : b.address));
    this.log(
      `tcpip-forward "${bindAddress}" port ${port}: listening on ${where.join(', ')} port ${f.port}`,
    );
    // RFC 4254 §7.1: the allocated port is returned only when port 0 was asked for.
    answer(true, port === 0 ? encodeForwardPort(f.port) : undefined);
  }

  private cancelTcpipForward(data: Uint8Array, answer: Answer): void {
    let req: TcpipForward;
    try {
      req = decodeTcpipForward(data, 'cancel-tcpip-forward');
    } catch (e) {
      this.log(`cancel-tcpip-forward refused: ${e instanceof Error ? e.message : String(e)}`);
      return answer(false);
    }
    const ok = this.listeners.cancel(req.bindAddress, req.port);
    this.log(
      `cancel-tcpip-forward "${req.bindAddress}" port ${req.port}: ${ok ? 'done' : 'no such forward'}`,
    );
    answer(ok);
  }

  private forwardedTcpip(bindAddress: string, socket: Socket): void {
    const originatorAddress = normalizeClientAddress(socket.remoteAddress ?? '127.0.0.1');
    const originatorPort = socket.remotePort ?? 0;
    const localPort = socket.localPort ?? 0;
    const extra = encodeTcpipOpen({
      host: bindAddress,
      port: localPort,
      originatorAddress,
      originatorPort,
    });
    const what = `forwarded-tcpip from ${originatorAddress} port ${originatorPort} to "${bindAddress}" port ${localPort}`;
    this.forwardedConnection('forwarded-tcpip', extra, what, socket);
  }

  // ---- streamlocal-forward@openssh.com (ssh -R with a socket path) -----------------------------

  private async streamlocalForward(data: Uint8Array, answer: Answer): Promise<void> {
    let path: string;
    try {
      path = decodeStreamlocalForward(data, STREAMLOCAL_FORWARD);
    } catch (e) {
      this.log(`${STREAMLOCAL_FORWARD} refused: ${e instanceof Error ? e.message : String(e)}`);
      return answer(false);
    }
    const denial = checkStreamlocalListen(this.policy);
    if (denial) {
      this.log(`${STREAMLOCAL_FORWARD} ${path} refused: ${denial}`);
      return answer(false);
    }
    const result = await this.unixListeners.listen(path);
    if (!result.ok) {
      this.log(`${STREAMLOCAL_FORWARD} refused: ${result.why}`);
      return answer(false);
    }
    this.log(`${STREAMLOCAL_FORWARD}: listening on ${path}`);
    answer(true);
  }

  private cancelStreamlocalForward(data: Uint8Array, answer: Answer): void {
    let path: string;
    try {
      path = decodeStreamlocalForward(data, CANCEL_STREAMLOCAL_FORWARD);
    } catch (e) {
      this.log(`${CANCEL_STREAMLOCAL_FORWARD} refused: ${e instanceof Error ? e.message : ''}`);
      return answer(false);
    }
    const ok = this.unixListeners.cancel(path);
    this.log(`${CANCEL_STREAMLOCAL_FORWARD} ${path}: ${ok ? 'done' : 'no such forward'}`);
    answer(ok);
  }

  /** Opens a `type` channel for an accepted socket, and joins the two once it is open. */
  private forwardedConnection(type: string, extra: Uint8Array, what: string, socket: Socket): void {
    if (this.isClosed) {
      socket.destroy();
      return;
    }
    this.awaitingOpen.add(socket);
    // A paused socket can still fail (a reset); it is dropped when the open settles.
    socket.on('error', () => {});
    this.connection.openChannel(type, extra).then(
      (channel) => {
        if (!this.awaitingOpen.delete(socket) || socket.destroyed) {
          channel.close();
          socket.destroy();
          return;
        }
        this.join(channel, socket, 'forwarded');
      },
      (e: unknown) => {
        this.awaitingOpen.delete(socket);
        socket.destroy();
        this.log(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  // ---- both -----------------------------------------------------------------------------------

  private join(channel: Channel, socket: Socket, kind: 'direct' | 'forwarded'): void {
    const tunnel = joinChannelSocket(channel, socket, {
      onError: (e) => this.log(`${kind} channel ${channel.localId}: ${socketErrorText(e)}`),
    });
    this.tunnels.set(tunnel, kind);
    void tunnel.done.then(() => this.tunnels.delete(tunnel));
    if (this.isClosed) tunnel.destroy();
  }
}
