/**
 * Connections as the UI sees them: connect / disconnect / reconnect with `connectionState`
 * events, one SSH connection per user@host:port shared by that host's terminals and SFTP
 * panes (connect() to a host already connecting or connected returns that connection; the same
 * host entry asked for again once disconnected or failed connects that connection again). connect
 * returns at once in state 'connecting'; prompts (host key, passphrase, password,
 * keyboard-interactive) arrive as events carrying the connection's id, and the state moves to
 * 'authenticating' only after the host key is accepted, then 'connected' or 'failed'. A drop
 * or a clean close is 'disconnected' (with the error, if any). SFTP channels are opened on
 * demand: one for browsing, one for the transfer queue, so a big transfer never queues
 * behind a listing or the other way round.
 */
import { randomUUID } from 'node:crypto';
import { connect, type SshClient } from '../../client/connect.js';
import { openSftp, type SftpClient } from '../../sftp/index.js';
import type { ConnectionInfo, ConnectionState } from '../api/contract.js';
import { toWireError } from '../api/errors.js';
import type { Target } from '../api/schemas.js';
import { NotConnectedError, NotFoundError } from '../errors.js';
import type { EventSink } from '../events.js';
import type { Hosts, ResolvedTarget } from '../hosts/hosts.js';
import { buildConnectOptions, sessionEnvironment } from '../../client/target-options.js';
import { serviceFrontEnd } from './service-front-end.js';
import type { PromptBroker } from './prompts.js';
import type { ForwardSpec } from '../../config/forward-spec.js';
import type { SshOptions } from '../../config/ssh-options.js';

export interface ConnectionManagerOptions {
  readonly hosts: Hosts;
  readonly prompts: PromptBroker;
  readonly emit: EventSink;
  /** The home directory whose ~/.ssh the connections use. */
  readonly home: string;
  /** Agent socket; undefined: $SSH_AUTH_SOCK; null: none. */
  readonly agentPath?: string | null;
  readonly globalKnownHostsFiles: readonly string[];
  readonly onWarning: (message: string) => void;
  /** A connection is now connected with this client, or (null) no longer is (tunnels). */
  readonly onClient?: (
    connectionId: string,
    client: SshClient | null,
    options: SshOptions,
    /** The saved host's tunnels (none for other targets). */
    saved: readonly ForwardSpec[],
  ) => void;
}

export type SftpPurpose = 'browse' | 'transfer';

interface Record_ {
  readonly id: string;
  /** The target as the UI asked for it (JSON), to know the same host entry again. */
  readonly asked: string;
  /** The saved host it was asked for as (target kind profile), or null. */
  readonly profileId: string | null;
  target: ResolvedTarget;
  state: ConnectionState;
  error: Error | null;
  client: SshClient | null;
  /** Bumped by every start and disconnect: an attempt from an older generation is stale. */
  generation: number;
  sftp: Map<SftpPurpose, Promise<SftpClient>>;
}

const LIVE: readonly ConnectionState[] = ['connecting', 'authenticating', 'connected'];

export class ConnectionManager {
  private readonly records = new Map<string, Record_>();

  constructor(private readonly o: ConnectionManagerOptions) {}

  async connect(target: Target): Promise<ConnectionInfo> {
    const resolved = await this.o.hosts.resolve(target);
    const same = [...this.records.values()].filter((r) => r.target.key === resolved.key);
    const live = same.find((r) => LIVE.includes(r.state));
    if (live) return this.info(live);
    // the same host entry connected before and now disconnected or failed: that connection
    // again (its tabs and tunnels come back with it), with the options as resolved now
    const asked = JSON.stringify(target);
    const old = same.find((r) => r.asked === asked);
    if (old) {
      old.target = resolved;
      this.stop(old);
      this.start(old);
      return this.info(old);
    }
    const r: Record_ = {
      id: randomUUID(),
      asked,
      profileId: target.kind === 'profile' ? target.id : null,
      target: resolved,
      state: 'connecting',
      error: null,
      client: null,
      generation: 0,
      sftp: new Map(),
    };
    this.records.set(r.id, r);
    this.start(r);
    return this.info(r);
  }

  disconnect(id: string): void {
    const r = this.get(id);
    this.stop(r);
    this.setState(r, 'disconnected', null);
  }

  reconnect(id: string): ConnectionInfo {
    const r = this.get(id);
    this.stop(r);
    this.start(r);
    return this.info(r);
  }

  list(): ConnectionInfo[] {
    return [...this.records.values()].map((r) => this.info(r));
  }

  /** The live SSH client of a connected connection. */
  client(id: string): SshClient {
    const r = this.get(id);
    if (r.state !== 'connected' || !r.client) {
      throw new NotConnectedError(`connection ${r.target.label} is ${r.state}`, {
        connectionId: id,
        state: r.state,
      });
    }
    return r.client;
  }

  /** Throws NotFoundError for an unknown connection id. */
  check(id: string): void {
    this.get(id);
  }

  /** The saved host the connection was made as, or null (ssh_config alias, quick connect). */
  profileOf(id: string): string | null {
    return this.get(id).profileId;
  }

  /** What a session on this connection sends as env requests (SetEnv, SendEnv's matches). */
  sessionEnvironment(id: string): [string, string][] {
    return sessionEnvironment(this.get(id).target.options);
  }

  /** The connection's SFTP client for this purpose, opened on first use. */
  sftp(id: string, purpose: SftpPurpose): Promise<SftpClient> {
    const client = this.client(id);
    const r = this.get(id);
    let p = r.sftp.get(purpose);
    if (!p) {
      p = openSftp(client);
      r.sftp.set(purpose, p);
      p.catch(() => r.sftp.get(purpose) === p && r.sftp.delete(purpose));
    }
    return p;
  }

  /** Ends every connection (service shutdown). */
  closeAll(): void {
    for (const r of this.records.values()) this.stop(r);
  }

  private get(id: string): Record_ {
    const r = this.records.get(id);
    if (!r) throw new NotFoundError('connection', id);
    return r;
  }

  private stop(r: Record_): void {
    r.generation++;
    this.o.prompts.withdraw(r.id);
    this.dropSftp(r);
    const c = r.client;
    r.client = null;
    if (c) this.o.onClient?.(r.id, null, r.target.options, r.target.tunnels);
    c?.close();
  }

  private dropSftp(r: Record_): void {
    for (const p of r.sftp.values())
      p.then(
        (s) => s.end(),
        () => {},
      );
    r.sftp.clear();
  }

  private start(r: Record_): void {
    const gen = ++r.generation;
    const current = () => r.generation === gen;
    this.setState(r, 'connecting', null);
    const frontEnd = serviceFrontEnd({
      connectionId: r.id,
      home: this.o.home,
      ...(this.o.agentPath !== undefined ? { agentPath: this.o.agentPath } : {}),
      globalKnownHostsFiles: this.o.globalKnownHostsFiles,
      onWarning: this.o.onWarning,
      prompts: this.o.prompts,
      resolveHop: (spec) => this.o.hosts.resolveHop(spec),
      current,
      onTargetKeyAccepted: () => this.setState(r, 'authenticating', null),
    });
    buildConnectOptions(r.target, frontEnd)
      .then((options) => connect(options))
      .then(
        (client) => {
          if (!current()) return client.close();
          r.client = client;
          this.setState(r, 'connected', null);
          this.o.onClient?.(r.id, client, r.target.options, r.target.tunnels);
          void client.closed.then((err) => {
            if (r.client !== client) return;
            r.client = null;
            this.o.onClient?.(r.id, null, r.target.options, r.target.tunnels);
            this.dropSftp(r);
            this.o.prompts.withdraw(r.id);
            this.setState(r, 'disconnected', err);
          });
        },
        (e: unknown) => {
          if (!current()) return;
          this.o.prompts.withdraw(r.id);
          this.setState(r, 'failed', e instanceof Error ? e : new Error(String(e)));
        },
      );
  }

  private setState(r: Record_, state: ConnectionState, error: Error | null): void {
    r.state = state;
    r.error = error;
    this.o.emit('connectionState', this.info(r));
  }

  private info(r: Record_): ConnectionInfo {
    const t = r.target;
    return {
      connectionId: r.id,
      label: t.label,
      host: t.host,
      port: t.port,
      user: t.user,
      state: r.state,
      ...(r.error ? { error: toWireError(r.error) } : {}),
      ...(r.profileId !== null ? { profileId: r.profileId } : {}),
    };
  }
}
