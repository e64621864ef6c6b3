/**
 * The server side of TCP forwarding for the bundled sshd (RFC 4254 §7): direct-tcpip channels
 * (ssh -L, ssh -J) and tcpip-forward / cancel-tcpip-forward (ssh -R), for one authenticated
 * connection, under a ForwardingPolicy (forward-policy.ts).
 *
 * - direct-tcpip: the request is checked, then the target is connected with a timeout, and only
 *   once the TCP connection stands is the channel accepted; a refusal is OPEN_FAILURE
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
  decodeTcpipForward,
  decodeTcpipOpen,
  encodeForwardPort,
  encodeTcpipOpen,
  type TcpipForward,
  type TcpipOpen,
} from '../connection/forward-messages.js';
import { joinChannelSocket, socketErrorText, type Tunnel } from '../connection/forward-pipe.js';
import { checkDirect, checkListen, type ForwardingPolicy } from './forward-policy.js';

export type { AllowTcpForwarding, ForwardingPolicy } from './forward-policy.js';
export type { BoundAddress, RemoteForward } from './forward-listeners.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
export const DEFAULT_MAX_LISTENERS = 64;

export interface ForwardingStats {
  /** direct-tcpip connects and forwarded-tcpip opens under way. */
  readonly opening: number;
  /** Channel ⇄ socket pairs, by kind. */
  readonly direct: number;
  readonly forwarded: number;
  /** Sockets this connection's forwarding holds (connecting, opening or joined). */
  readonly sockets: number;
  /** tcpip-forward listeners. */
  readonly listeners: readonly RemoteForward[];
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
 * Serves direct-tcpip opens and tcpip-forward requests on `connection` under `policy`. Call
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
  /** direct-tcpip sockets still connecting; each leaves through its 'close' or 'connect'. */
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
      onConnection: (bindAddress, socket) => this.forwardedConnection(bindAddress, socket),
      onError: (e) => this.log(`remote forward listener: ${socketErrorText(e)}`),
    });
    const previousOpen = connection.onChannelOpen;
    connection.onChannelOpen = (type, extra, answer) => {
      if (type === 'direct-tcpip') this.directTcpip(extra, answer);
      else previousOpen(type, extra, answer);
    };
    const previousRequest = connection.onGlobalRequest;
    connection.onGlobalRequest = (name, data, answer) => {
      if (name === 'tcpip-forward') this.tcpipForward(data, answer).catch(() => answer(false));
      else if (name === 'cancel-tcpip-forward') this.cancelTcpipForward(data, answer);
      else previousRequest(name, data, answer);
    };
  }

  get closed(): boolean {
    return this.isClosed;
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
      bufferedBytes,
    };
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.listeners.closeAll();
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
    const who = `${this.policy.clientAddress} port ${this.policy.clientPort}`;
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
    let socket: Socket;
    try {
      socket = netConnect({ host, port, allowHalfOpen: true });
    } catch (e) {
      const text = `connect to ${host} port ${port} failed: ${socketErrorText(e)}`;
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
      const text = `connect to ${host} port ${port} failed: ${socketErrorText(e)}`;
      this.log(`direct-tcpip from ${who}: ${text}`);
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
      this.log(
        `direct-tcpip from ${who} (originator ${req.originatorAddress} port ${req.originatorPort}) to ${host} port ${port}`,
      );
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

  private forwardedConnection(bindAddress: string, socket: Socket): void {
    if (this.isClosed) {
      socket.destroy();
      return;
    }
    const originatorAddress = normalizeClientAddress(socket.remoteAddress ?? '127.0.0.1');
    const originatorPort = socket.remotePort ?? 0;
    const localPort = socket.localPort ?? 0;
    this.awaitingOpen.add(socket);
    // A paused socket can still fail (a reset); it is dropped when the open settles.
    socket.on('error', () => {});
    const extra = encodeTcpipOpen({
      host: bindAddress,
      port: localPort,
      originatorAddress,
      originatorPort,
    });
    this.connection.openChannel('forwarded-tcpip', extra).then(
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
        this.log(
          `forwarded-tcpip from ${originatorAddress} port ${originatorPort} to "${bindAddress}" port ${localPort}: ${e instanceof Error ? e.message : String(e)}`,
        );
      },
    );
  }

  // ---- both -----------------------------------------------------------------------------------

  private join(channel: Channel, socket: Socket, kind: 'direct' | 'forwarded'): void {
    const tunnel = joinChannelSocket(channel, socket, {
      onError: (e) => this.log(`${kind}-tcpip channel ${channel.localId}: ${socketErrorText(e)}`),
    });
    this.tunnels.set(tunnel, kind);
    void tunnel.done.then(() => this.tunnels.delete(tunnel));
    if (this.isClosed) tunnel.destroy();
  }
}
