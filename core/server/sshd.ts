/**
 * The bundled headless sshd (DESIGN.md server/): a TCP listener whose connections run the
 * engine in the server role for the user running it. Per connection: the transport (host keys,
 * strict KEX, ext-info with server-sig-algs), user authentication (authorized_keys with its
 * options, a password only when a password file is given), then the connection layer with
 * session programs (session-runner.ts) and TCP and Unix socket forwarding (forwarding.ts).
 *
 * Limits, so that a hostile or broken client cannot take the server down:
 *   - at most `maxStartups` connections that have not authenticated; a new one beyond that
 *     pushes out the oldest such connection (a half-open flood cannot lock people out);
 *   - LoginGraceTime from accept to authentication, an idle timeout after it;
 *   - what the transport and connection layers bound themselves (packet sizes, queues,
 *     channel windows, channels per connection).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { timingSafeEqual, createHash } from 'node:crypto';
import { acceptedPubkeyAlgorithms, serveUserAuth } from '../auth/server.js';
import { DEFAULT_SERVER_PUBKEY_ALGORITHMS } from '../auth/server-options.js';
import { certificateHostKeyAlgorithms, isCertificateName } from '../crypto/hostkey/algorithms.js';
import { authorizeCertificate, readTrustedCaKeys, type CertificateLogin } from './trusted-ca.js';
import { authorizeCertificateByKeys } from './authorized-ca.js';
import type { ServerAuthMethod } from '../auth/server.js';
import { Connection, type ServerSession } from '../connection/index.js';
import type { HostKeyPair } from '../crypto/hostkey/types.js';
import { DisconnectReason, SshError } from '../errors.js';
import { attachTransport } from '../transport/adapter.js';
import { Transport } from '../transport/transport.js';
import { authorizeKey } from './authorize.js';
import type { AuthorizedKeyEntry } from './authorized-keys.js';
import { readAuthorizedKeysFile } from './authorized-keys.js';
import type { KeyRestrictions } from './key-options.js';
import { serveForwarding } from './forwarding.js';
import { serveSession, type LocalUser } from './session-runner.js';
import { serveSftp } from '../sftp/server.js';

import type { AllowTcpForwarding } from './forward-policy.js';
export type { AllowTcpForwarding } from './forward-policy.js';

export interface SshdOptions {
  readonly hostKeys: readonly HostKeyPair[];
  /** 127.0.0.1 unless asked otherwise. */
  readonly address?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** authorized_keys files, read at each login (as sshd does). */
  readonly authorizedKeysFiles: readonly string[];
  /** The password for the running user, when password logins are enabled. */
  readonly password?: string;
  readonly allowTcpForwarding?: AllowTcpForwarding;
  readonly gatewayPorts?: boolean;
  /** AllowStreamLocalForwarding (Unix socket forwarding); default yes. */
  readonly allowStreamLocalForwarding?: AllowTcpForwarding;
  /** StreamLocalBindUnlink; default no. */
  readonly streamLocalBindUnlink?: boolean;
  /** StreamLocalBindMask; default 0177. */
  readonly streamLocalBindMask?: number;
  readonly acceptEnv?: readonly string[];
  readonly banner?: string;
  readonly maxAuthTries?: number;
  readonly loginGraceMs?: number;
  /** Unauthenticated connections at once (sshd's MaxStartups). */
  readonly maxStartups?: number;
  /** Ends an authenticated connection idle this long (0: never). */
  readonly idleTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /** The account sessions run as; default: the running user. */
  readonly user?: LocalUser;
  /** Jails the sftp subsystem: clients see this directory as '/'. */
  readonly sftpRoot?: string;
  /** TrustedUserCAKeys: user certificates signed by a key in this file log in (trusted-ca.ts). */
  readonly trustedUserCaKeys?: string;
}

const DEFAULT_ACCEPT_ENV = ['LANG', 'LC_*', 'COLORTERM', 'NO_COLOR'];

interface Conn {
  readonly socket: Socket;
  readonly transport: Transport;
  readonly since: number;
  authenticated: boolean;
}

function sameSecret(a: string, b: string): boolean {
  // hashes first: equal lengths for timingSafeEqual, and no length leak
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function localUser(): LocalUser {
  const u = userInfo();
  return { name: u.username, home: u.homedir, shell: u.shell || '/bin/sh' };
}

export class Sshd {
  private readonly server: Server;
  private readonly conns = new Set<Conn>();
  private readonly user: LocalUser;
  private readonly log: (line: string) => void;
  private closing = false;

  private constructor(private readonly o: SshdOptions) {
    this.user = o.user ?? localUser();
    this.log = o.log ?? (() => {});
    this.server = createServer({ noDelay: true }, (s) => this.accept(s));
    this.server.on('error', (e) => this.log(`listener: ${e.message}`));
  }

  /** Starts listening; rejects when the address cannot be bound. */
  static async start(o: SshdOptions): Promise<Sshd> {
    if (o.hostKeys.length === 0) throw new Error('sshd needs at least one host key');
    const d = new Sshd(o);
    await new Promise<void>((resolve, reject) => {
      d.server.once('error', reject);
      d.server.listen(o.port, o.address ?? '127.0.0.1', () => {
        d.server.off('error', reject);
        resolve();
      });
    });
    return d;
  }

  get address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  /** Stops listening and ends every connection with a DISCONNECT. */
  async close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const c of this.conns) {
      c.transport.disconnect(DisconnectReason.BY_APPLICATION, 'server shutting down');
    }
    await Promise.all(
      [...this.conns].map(
        (c) =>
          new Promise<void>((r) => {
            if (c.socket.destroyed) return r();
            c.socket.once('close', () => r());
            setTimeout(() => (c.socket.destroy(), r()), 2000).unref();
          }),
      ),
    );
    await closed;
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {});
    if (this.closing) return void socket.destroy();
    this.makeRoom();
    // user certificates: through --trusted-user-ca-keys or cert-authority lines
    const pubkeyAlgorithms = acceptedPubkeyAlgorithms([
      ...certificateHostKeyAlgorithms(),
      ...DEFAULT_SERVER_PUBKEY_ALGORITHMS,
    ]);
    const transport = new Transport({
      role: 'server',
      hostKeys: this.o.hostKeys,
      serverSigAlgs: pubkeyAlgorithms,
      // host certificates (--host-certificate) are offered before the plain keys
      ...(this.o.hostKeys.some((k) => k.publicKey.certificate !== undefined)
        ? { algorithms: { hostKey: `^${certificateHostKeyAlgorithms().join(',')}` } }
        : {}),
    });
    const conn: Conn = { socket, transport, since: Date.now(), authenticated: false };
    this.conns.add(conn);
    const peer = `${socket.remoteAddress ?? '?'} port ${socket.remotePort ?? 0}`;
    socket.once('close', () => this.conns.delete(conn));
    void transport.closed.then(() => this.conns.delete(conn));
    this.authenticate(conn, peer, pubkeyAlgorithms).catch((e: unknown) => {
      this.log(`${peer}: ${e instanceof Error ? e.message : String(e)}`);
      if (!transport.isClosed) {
        transport.abort(
          e instanceof SshError ? e : new SshError(e instanceof Error ? e.message : String(e)),
        );
      }
    });
    attachTransport(transport, socket);
  }

  /** Keeps the unauthenticated connections within maxStartups: the oldest one goes. */
  private makeRoom(): void {
    const cap = this.o.maxStartups ?? 64;
    const waiting = [...this.conns].filter((c) => !c.authenticated);
    if (waiting.length < cap) return;
    waiting.sort((a, b) => a.since - b.since);
    const oldest = waiting[0];
    if (!oldest) return;
    this.log('too many unauthenticated connections: dropping the oldest');
    this.conns.delete(oldest);
    oldest.socket.destroy();
  }

  private async authenticate(conn: Conn, peer: string, pubkeyAlgorithms: string[]) {
    const { transport, socket } = conn;
    const address = socket.remoteAddress ?? '';
    const me = this.user.name;
    let entries: readonly AuthorizedKeyEntry[] | null = null;
    const keyEntries = async (): Promise<readonly AuthorizedKeyEntry[]> => {
      if (entries === null) {
        const all: AuthorizedKeyEntry[] = [];
        for (const f of this.o.authorizedKeysFiles) {
          const read = await readAuthorizedKeysFile(f);
          for (const d of read.diagnostics) this.log(`${d.message}`);
          all.push(...read.entries);
        }
        entries = all;
      }
      return entries;
    };
    const methods: ServerAuthMethod[][] = [['publickey']];
    const password = this.o.password;
    if (password !== undefined) methods.push(['password'], ['keyboard-interactive']);
    const result = await serveUserAuth<{ restrictions: KeyRestrictions }>(transport, {
      methods,
      pubkeyAlgorithms,
      maxAuthTries: this.o.maxAuthTries ?? 6,
      loginGraceMs: this.o.loginGraceMs ?? 120_000,
      ...(this.o.banner !== undefined ? { banner: this.o.banner } : {}),
      publickey: async (user, key) => {
        if (user !== me) return false;
        if (isCertificateName(key.type)) {
          return this.certificateLogin(user, key.blob, address, await keyEntries());
        }
        const r = authorizeKey(await keyEntries(), key, { address, now: Date.now() });
        for (const d of r.denials) this.log(`${d.file}:${d.line}: ${d.message}`);
        return r.kind === 'authorized' ? { restrictions: r.restrictions } : false;
      },
      ...(password !== undefined
        ? {
            password: (user: string, given: string) => user === me && sameSecret(given, password),
            keyboardInteractive: async (user, c) => {
              const [answer] = await c.prompt({
                prompts: [{ prompt: 'Password: ', echo: false }],
              });
              return user === me && sameSecret(answer ?? '', password);
            },
          }
        : {}),
      onAttempt: (a) => {
        if (a.outcome === 'success' || a.outcome === 'failure') {
          this.log(
            `${peer}: ${a.method} for ${a.user}: ${a.outcome}${a.detail ? ` (${a.detail})` : ''}`,
          );
        }
      },
    });
    conn.authenticated = true;
    const restrictions = result.keys[0]?.value.restrictions;
    this.log(`${peer}: accepted ${result.methods.join(',')} for ${result.user}`);
    const connection = new Connection(transport, { role: 'server', pending: result.pending });
    const localAddr = socket.localAddress ?? '';
    const env = {
      SSH_CLIENT: `${address} ${socket.remotePort ?? 0} ${socket.localPort ?? 0}`,
      SSH_CONNECTION: `${address} ${socket.remotePort ?? 0} ${localAddr} ${socket.localPort ?? 0}`,
    };
    connection.onSession = (s) =>
      serveSession(s, {
        user: this.user,
        allowPty: restrictions?.pty ?? true,
        acceptEnv: this.o.acceptEnv ?? DEFAULT_ACCEPT_ENV,
        environment: env,
        ...(restrictions?.command !== undefined ? { forcedCommand: restrictions.command } : {}),
        subsystems: { sftp: (session) => this.serveSftp(session, peer) },
        log: (line) => this.log(`${peer}: ${line}`),
      });
    serveForwarding(
      connection,
      {
        allowTcpForwarding: this.o.allowTcpForwarding ?? 'yes',
        gatewayPorts: this.o.gatewayPorts ?? false,
        portForwarding: restrictions?.portForwarding ?? true,
        permitOpen: restrictions?.permitOpen ?? [],
        permitListen: restrictions?.permitListen ?? [],
        clientAddress: address,
        clientPort: socket.remotePort ?? 0,
        allowStreamLocalForwarding: this.o.allowStreamLocalForwarding ?? 'yes',
        streamLocalBindUnlink: this.o.streamLocalBindUnlink ?? false,
        ...(this.o.streamLocalBindMask !== undefined
          ? { streamLocalBindMask: this.o.streamLocalBindMask }
          : {}),
      },
      (line) => this.log(`${peer}: ${line}`),
    );
    this.watchIdle(conn);
  }

  /**
   * A user certificate: its CA in the TrustedUserCAKeys file (read at each login), or a
   * cert-authority line of authorized_keys.
   */
  private async certificateLogin(
    user: string,
    blob: Uint8Array,
    address: string,
    entries: readonly AuthorizedKeyEntry[],
  ): Promise<{ restrictions: KeyRestrictions } | false> {
    const ctx = { address, now: Date.now() };
    const file = this.o.trustedUserCaKeys;
    let r: CertificateLogin = { kind: 'refused', message: 'no TrustedUserCAKeys' };
    if (file !== undefined) {
      const trusted = await readTrustedCaKeys(file);
      for (const p of trusted.problems) this.log(p);
      r = authorizeCertificate(trusted, blob, user, ctx);
    }
    if (r.kind === 'refused') {
      const byKeys = authorizeCertificateByKeys(entries, blob, user, ctx);
      if (byKeys.kind === 'authorized') r = byKeys;
      else this.log(file !== undefined ? `${r.message}; ${byKeys.message}` : byKeys.message);
    }
    if (r.kind === 'refused') return false;
    this.log(`certificate ID "${r.keyId}" accepted for ${user}`);
    return { restrictions: r.restrictions };
  }

  /** The sftp subsystem in this process (core/sftp/server.ts), then exit status 0. */
  private serveSftp(session: ServerSession, peer: string): void {
    const log = (line: string) => this.log(`${peer}: sftp: ${line}`);
    serveSftp(
      { readable: session.stdin, writable: session.stdout },
      {
        home: this.user.home,
        ...(this.o.sftpRoot !== undefined ? { root: this.o.sftpRoot } : {}),
        log,
      },
    ).then(
      () => session.finish({ code: 0 }).catch(() => {}),
      (e: unknown) => {
        log(e instanceof Error ? e.message : String(e));
        session.finish({ code: 1 }).catch(() => {});
      },
    );
  }

  private watchIdle(conn: Conn): void {
    const limit = this.o.idleTimeoutMs ?? 0;
    if (limit <= 0) return;
    let last = Date.now();
    conn.socket.on('data', () => (last = Date.now()));
    const timer = setInterval(
      () => {
        if (Date.now() - last < limit) return;
        clearInterval(timer);
        conn.transport.disconnect(DisconnectReason.BY_APPLICATION, 'idle timeout');
      },
      Math.min(limit, 60_000),
    );
    timer.unref();
    void conn.transport.closed.then(() => clearInterval(timer));
  }
}
