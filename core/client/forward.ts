/**
 * One port forward (ssh -L, -R or -D) as a live object: its state, where it listens, the
 * connections through it and the bytes they moved, the last error, and events, so a UI can
 * show status and throughput. Forwards (forwards.ts) creates and runs them on a connection.
 *
 * State: 'starting' → 'listening' → 'closed', or 'starting' → 'failed' (a listener that could
 * not bind, a tcpip-forward the server refused). `ready` settles with that outcome. close()
 * stops the listener (for -R: cancel-tcpip-forward) and ends every connection through the
 * forward; a closed or failed forward accepts nothing more.
 * Connections are counted from the moment a socket or channel arrives (SOCKS negotiation and
 * channel opens included) until both its socket and its channel are gone. Bytes are counted on
 * the local socket's side: bytesSent went from local sockets into the SSH connection,
 * bytesReceived came out of it to local sockets.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Channel } from '../connection/channel.js';
import { joinChannelSocket, type Tunnel } from '../connection/forward-pipe.js';
import { describeEndpoint, type ForwardSpec } from '../config/forward-spec.js';
import type { BoundAddress } from './forward-listen.js';
import { ForwardError } from './forward-errors.js';

export type ForwardState = 'starting' | 'listening' | 'failed' | 'closed';

export interface ForwardStatus {
  readonly state: ForwardState;
  /** Addresses our own listener bound (-L, -D over TCP); empty for -R and Unix sockets. */
  readonly bound: readonly BoundAddress[];
  /** The port listened on: the bound port for -L/-D, the server's (allocated) port for -R. */
  readonly port: number | null;
  /** Connections open now (negotiating, opening or joined). */
  readonly activeConnections: number;
  /** Connections accepted since the forward started. */
  readonly totalConnections: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Bytes held in this process for the connections (channel queues and socket buffers). */
  readonly bufferedBytes: number;
  readonly lastError: string | null;
}

export interface ForwardEvents {
  state: [state: ForwardState];
  /** A connection arrived (originator as "address port N", or the socket path). */
  connection: [originator: string];
  /** A connection ended; the error when it failed. */
  connectionClosed: [error: Error | null];
}

interface Counted {
  readonly tunnel: Tunnel;
  readonly readBase: number;
  readonly writtenBase: number;
}

/** A forward as ssh's flag would write it ("-L localhost:8080:example.org:80"). */
export function describeForward(s: ForwardSpec): string {
  if (s.type === 'dynamic') return `-D ${describeEndpoint(s.listen)}`;
  const listen = `-${s.type === 'local' ? 'L' : 'R'} ${describeEndpoint(s.listen)}`;
  return s.connect ? `${listen}:${describeEndpoint(s.connect)}` : `${listen} (SOCKS)`;
}

/** Ends a connection's time in the pending set. */
export type Release = () => void;

let nextId = 1;

export class Forward extends EventEmitter<ForwardEvents> {
  readonly id = nextId++;
  readonly spec: ForwardSpec;
  /** Resolves once listening; rejects with the ForwardError that failed it. */
  readonly ready: Promise<void>;
  private currentState: ForwardState = 'starting';
  private boundAddresses: readonly BoundAddress[] = [];
  private listenPort: number | null = null;
  private lastErrorText: string | null = null;
  private total = 0;
  private sentClosed = 0;
  private receivedClosed = 0;
  /** Sockets and channels of connections not yet joined. */
  private readonly pending = new Set<{ destroy(): void }>();
  private readonly tunnels = new Set<Counted>();
  private settleReady: { resolve: () => void; reject: (e: Error) => void } | null = null;
  /** Set by Forwards: stops the listener or cancels the remote forward. */
  stopHook: () => Promise<void> | void = () => {};

  constructor(spec: ForwardSpec) {
    super();
    this.spec = spec;
    this.ready = new Promise((resolve, reject) => (this.settleReady = { resolve, reject }));
    this.ready.catch(() => {}); // a caller that never awaits it is not an unhandled rejection
  }

  get state(): ForwardState {
    return this.currentState;
  }

  /** As ssh's flag would write it ("-L localhost:8080:example.org:80"), for messages. */
  get description(): string {
    return describeForward(this.spec);
  }

  status(): ForwardStatus {
    let sent = this.sentClosed;
    let received = this.receivedClosed;
    let buffered = 0;
    for (const c of this.tunnels) {
      buffered += c.tunnel.bufferedBytes();
      sent += c.tunnel.socket.bytesRead - c.readBase;
      received += c.tunnel.socket.bytesWritten - c.writtenBase;
    }
    return {
      state: this.currentState,
      bound: this.boundAddresses,
      port: this.listenPort,
      activeConnections: this.pending.size + this.tunnels.size,
      totalConnections: this.total,
      bytesSent: sent,
      bytesReceived: received,
      bufferedBytes: buffered,
      lastError: this.lastErrorText,
    };
  }

  /** Stops the forward and ends every connection through it. Idempotent. */
  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    const wasListening = this.currentState === 'listening';
    this.setState('closed');
    this.settleReady?.reject(new ForwardError(`${this.description}: closed before it started`));
    this.settleReady = null;
    for (const p of [...this.pending]) p.destroy();
    for (const c of [...this.tunnels]) c.tunnel.destroy();
    if (wasListening) await this.stopHook();
  }

  // ---- used by Forwards -------------------------------------------------------------------------

  /** The listener is up (bound addresses for local ones, the port for all). */
  markListening(bound: readonly BoundAddress[], port: number | null): void {
    if (this.currentState !== 'starting') return;
    this.boundAddresses = bound;
    this.listenPort = port;
    this.setState('listening');
    this.settleReady?.resolve();
    this.settleReady = null;
  }

  markFailed(error: ForwardError): void {
    if (this.currentState !== 'starting') return;
    this.lastErrorText = error.message;
    this.setState('failed');
    this.settleReady?.reject(error);
    this.settleReady = null;
  }

  get accepting(): boolean {
    return this.currentState === 'listening';
  }

  /**
   * A connection arrived: it counts as active until the returned release() (or join()), and
   * `thing` is destroyed if the forward closes first. Returns null (and destroys it) when the
   * forward is not accepting connections.
   */
  admit(thing: { destroy(): void }, originator: string): Release | null {
    if (!this.accepting) {
      thing.destroy();
      return null;
    }
    this.total++;
    this.pending.add(thing);
    this.emit('connection', originator);
    return () => this.pending.delete(thing);
  }

  /** A connection that failed before it was joined (the caller has closed it). */
  failed(release: Release, error: Error): void {
    release();
    this.lastErrorText = error.message;
    this.emit('connectionClosed', error);
  }

  /** Joins a connection's channel and socket (prefix: bytes sent on the channel first). */
  join(release: Release, channel: Channel, socket: Socket, prefix?: Uint8Array): void {
    release();
    let error: Error | null = null;
    const tunnel = joinChannelSocket(channel, socket, {
      onError: (e) => {
        error = e;
        this.lastErrorText = e.message;
      },
      ...(prefix ? { prefix } : {}),
    });
    const counted = { tunnel, readBase: socket.bytesRead, writtenBase: socket.bytesWritten };
    this.tunnels.add(counted);
    void tunnel.done.then(() => {
      this.tunnels.delete(counted);
      this.sentClosed += socket.bytesRead - counted.readBase;
      this.receivedClosed += socket.bytesWritten - counted.writtenBase;
      this.emit('connectionClosed', error);
    });
    if (this.currentState === 'closed') tunnel.destroy();
  }

  private setState(s: ForwardState): void {
    this.currentState = s;
    this.emit('state', s);
  }
}
