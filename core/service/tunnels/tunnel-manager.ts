/**
 * Tunnels as the UI sees them (ssh(1) -L, -R, -D on a service connection; the forwards
 * themselves are core/client/forwards.ts): add one to a connection, list them with their live
 * status, remove one. A tunnel belongs to its connection, not to one SSH session of it: it
 * starts when the connection is connected (at once if it already is), goes back to 'waiting'
 * when the connection drops or is disconnected, and starts again on the next connect, so a
 * reconnect restores every tunnel. Its counters add up across those sessions.
 *
 * The host's own forwards become tunnels of its connection the first time it connects: those of
 * ~/.ssh/config (LocalForward, RemoteForward, DynamicForward, as `ssh host` sets them up;
 * origin sshConfig) and a saved host's tunnels (origin profile). Like any tunnel they survive
 * reconnects, and one removed stays removed. A config forward that listens on a Unix socket,
 * which the contract's tunnels do not, is left out with a warning.
 *
 * Every change is a `tunnelState` event: a state change at once; counters (connections, bytes)
 * at most every TUNNEL_EVENT_INTERVAL_MS per tunnel, polled while connections are open (bytes
 * move without events), and only when something changed. Removing a tunnel ends with one event
 * in state 'removed'.
 */
import { randomUUID } from 'node:crypto';
import type { SshClient } from '../../client/connect.js';
import { describeForward, type Forward } from '../../client/forward.js';
import { Forwards } from '../../client/forwards.js';
import type { ForwardSpec } from '../../config/forward-spec.js';
import type { SshOptions } from '../../config/ssh-options.js';
import { TUNNEL_EVENT_INTERVAL_MS, type TunnelInfo } from '../api/contract.js';
import type { TunnelSpec } from '../api/schemas.js';
import { NotFoundError } from '../errors.js';
import type { EventSink } from '../events.js';
import { fromForwardSpec, toForwardSpec } from './tunnel-spec.js';

interface Tunnel {
  readonly id: string;
  readonly connectionId: string;
  /**
   * Set up from the host's ssh_config forwards or its saved tunnels; undefined: added by hand
   * (becomes 'profile' once saved to the host: markSaved).
   */
  origin: TunnelInfo['origin'];
  readonly spec: TunnelSpec;
  readonly forwardSpec: ForwardSpec;
  /** The forward on the connection's current session; null while waiting. */
  forward: Forward | null;
  /** Counters of the sessions before the current one. */
  readonly base: { total: number; sent: number; received: number };
  lastError: string | null;
  removed: boolean;
  lastEmitted: string;
  lastEmitAt: number;
  timer: NodeJS.Timeout | null;
}

interface LiveConnection {
  readonly client: SshClient;
  readonly options: SshOptions;
  forwards: Forwards | null;
}

export class TunnelManager {
  private readonly tunnels = new Map<string, Tunnel>();
  private readonly live = new Map<string, LiveConnection>();
  private poll: NodeJS.Timeout | null = null;
  /** Connections whose ssh_config forwards were added (once: one removed stays removed). */
  private readonly configured = new Set<string>();

  constructor(
    private readonly emit: EventSink,
    /** Throws NotFoundError for a connection id the service does not know. */
    private readonly checkConnection: (connectionId: string) => void,
    private readonly onWarning: (message: string) => void = () => {},
  ) {}

  add(connectionId: string, spec: TunnelSpec, origin?: TunnelInfo['origin']): TunnelInfo {
    this.checkConnection(connectionId);
    const t: Tunnel = {
      id: randomUUID(),
      connectionId,
      origin,
      spec,
      forwardSpec: toForwardSpec(spec),
      forward: null,
      base: { total: 0, sent: 0, received: 0 },
      lastError: null,
      removed: false,
      lastEmitted: '',
      lastEmitAt: 0,
      timer: null,
    };
    this.tunnels.set(t.id, t);
    const live = this.live.get(connectionId);
    if (live) this.start(t, live);
    else this.changed(t, true);
    return this.info(t);
  }

  list(connectionId?: string): TunnelInfo[] {
    return [...this.tunnels.values()]
      .filter((t) => connectionId === undefined || t.connectionId === connectionId)
      .map((t) => this.info(t));
  }

  /** The tunnel as the UI sees it; NotFoundError for an id that names none. */
  get(id: string): TunnelInfo {
    const t = this.tunnels.get(id);
    if (!t) throw new NotFoundError('tunnel', id);
    return this.info(t);
  }

  /** The tunnel is now one of its saved host's (origin profile); a tunnelState event says so. */
  markSaved(id: string): TunnelInfo {
    const t = this.tunnels.get(id);
    if (!t) throw new NotFoundError('tunnel', id);
    if (t.origin !== 'profile') {
      t.origin = 'profile';
      this.changed(t, true);
    }
    return this.info(t);
  }

  remove(id: string): void {
    const t = this.tunnels.get(id);
    if (!t) throw new NotFoundError('tunnel', id);
    this.tunnels.delete(id);
    this.detach(t);
    t.removed = true;
    this.changed(t, true);
    if (t.timer) clearTimeout(t.timer);
  }

  /**
   * The connection is now connected with `client`, or (null) no longer is. `saved` are the
   * saved host's tunnels, set up with the config's forwards on the first connect.
   */
  connectionChanged(
    connectionId: string,
    client: SshClient | null,
    options: SshOptions,
    saved: readonly ForwardSpec[] = [],
  ): void {
    const previous = this.live.get(connectionId);
    if (previous?.client === client) return;
    this.live.delete(connectionId);
    const mine = [...this.tunnels.values()].filter((t) => t.connectionId === connectionId);
    for (const t of mine) {
      this.detach(t);
      this.changed(t, true);
    }
    if (previous) void previous.forwards?.closeAll();
    if (!client) return;
    const live: LiveConnection = { client, options, forwards: null };
    this.live.set(connectionId, live);
    for (const t of mine) this.start(t, live);
    if (!this.configured.has(connectionId)) {
      this.configured.add(connectionId);
      this.addConfigured(connectionId, options, saved);
    }
  }

  /** The host's LocalForward / RemoteForward / DynamicForward and saved tunnels (started: live). */
  private addConfigured(connectionId: string, o: SshOptions, saved: readonly ForwardSpec[]): void {
    const config = [...o.localForwards, ...o.remoteForwards, ...o.dynamicForwards];
    for (const [list, origin] of [
      [saved, 'profile'],
      [config, 'sshConfig'],
    ] as const) {
      for (const f of list) {
        const spec = fromForwardSpec(f);
        if (spec !== null) this.add(connectionId, spec, origin);
        else {
          const from = origin === 'profile' ? 'the saved host' : 'ssh_config';
          this.onWarning(
            `${describeForward(f)} from ${from} was not set up: the app's tunnels take TCP ` +
              'listeners only (keyway ssh sets up the others)',
          );
        }
      }
    }
  }

  /** Stops every tunnel's forward and timer (service shutdown). */
  closeAll(): void {
    for (const t of this.tunnels.values()) {
      this.detach(t);
      if (t.timer) clearTimeout(t.timer);
    }
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
  }

  private start(t: Tunnel, live: LiveConnection): void {
    live.forwards ??= new Forwards(live.client.connection, {
      gatewayPorts: live.options.gatewayPorts ?? false,
    });
    const f = live.forwards.add(t.forwardSpec);
    t.forward = f;
    f.on('state', () => this.changed(t, true));
    f.on('connection', () => {
      this.changed(t, false);
      this.startPolling();
    });
    f.on('connectionClosed', () => this.changed(t, false));
    this.changed(t, true);
  }

  /** Takes the forward off the tunnel (its counters kept) and closes it. */
  private detach(t: Tunnel): void {
    const f = t.forward;
    if (!f) return;
    const s = f.status();
    t.base.total += s.totalConnections;
    t.base.sent += s.bytesSent;
    t.base.received += s.bytesReceived;
    if (s.lastError !== null) t.lastError = s.lastError;
    t.forward = null;
    f.removeAllListeners();
    void f.close();
  }

  private info(t: Tunnel): TunnelInfo {
    const s = t.forward?.status();
    const state = t.removed ? 'removed' : !s || s.state === 'closed' ? 'waiting' : s.state;
    return {
      tunnelId: t.id,
      connectionId: t.connectionId,
      spec: t.spec,
      ...(t.origin !== undefined ? { origin: t.origin } : {}),
      description: describeForward(t.forwardSpec),
      state,
      bound: (s?.bound ?? []).map((b) => ({ address: b.address, port: b.port })),
      port: s && s.state !== 'closed' ? s.port : null,
      activeConnections: s?.activeConnections ?? 0,
      totalConnections: t.base.total + (s?.totalConnections ?? 0),
      bytesSent: t.base.sent + (s?.bytesSent ?? 0),
      bytesReceived: t.base.received + (s?.bytesReceived ?? 0),
      lastError: s?.lastError ?? t.lastError,
    };
  }

  /** Emits the tunnel's info if it changed: now when `urgent`, else throttled. */
  private changed(t: Tunnel, urgent: boolean): void {
    const wait = t.lastEmitAt + TUNNEL_EVENT_INTERVAL_MS - Date.now();
    if (urgent || wait <= 0) return this.emitNow(t);
    t.timer ??= setTimeout(() => this.emitNow(t), wait);
    t.timer.unref?.();
  }

  private emitNow(t: Tunnel): void {
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
    const info = this.info(t);
    const text = JSON.stringify(info);
    if (text === t.lastEmitted) return;
    t.lastEmitted = text;
    t.lastEmitAt = Date.now();
    this.emit('tunnelState', info);
  }

  /** While any tunnel has connections open, its byte counters are looked at periodically. */
  private startPolling(): void {
    if (this.poll) return;
    this.poll = setInterval(() => {
      let active = false;
      for (const t of this.tunnels.values()) {
        if ((t.forward?.status().activeConnections ?? 0) === 0) continue;
        active = true;
        this.changed(t, false);
      }
      if (!active && this.poll) {
        clearInterval(this.poll);
        this.poll = null;
      }
    }, TUNNEL_EVENT_INTERVAL_MS);
    this.poll.unref?.();
  }
}
