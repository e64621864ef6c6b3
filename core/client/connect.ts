/**
 * connect(): from a host, a user, keys and callbacks to an authenticated connection that
 * opens sessions (DESIGN.md core/client), directly by TCP, through jump hosts, through a
 * ProxyCommand or over a stream the caller opened (route.ts). A host-key verifier is required:
 * there is no way to connect without deciding about the server's key (CONVENTIONS §9).
 */
import type { Duplex } from 'node:stream';
import type { AuthOptions } from '../auth/client.js';
import { authenticate } from '../auth/client.js';
import { Connection, type Session } from '../connection/index.js';
import { SshError } from '../errors.js';
import type { PassphraseCallback, PinCallback } from '../keys/index.js';
import type { AlgorithmConfig } from '../transport/algorithms.js';
import { openTransport } from '../transport/open.js';
import type { HostKeyVerifier, Transport } from '../transport/transport.js';
import { gatherIdentities } from './identities.js';
import { openRoute } from './route.js';
import { withCertificates } from './cert-identities.js';

export interface ConnectOptions {
  readonly host: string;
  readonly port?: number;
  readonly username: string;
  readonly verifyHostKey: HostKeyVerifier;
  /** IdentityFile paths (expanded); `identityFilesExplicit` when the user named them. */
  readonly identityFiles?: readonly string[];
  readonly identityFilesExplicit?: boolean;
  readonly identitiesOnly?: boolean;
  /** CertificateFile paths (expanded); `<identity>-cert.pub` files are found without them. */
  readonly certificateFiles?: readonly string[];
  /** Agent socket; undefined: $SSH_AUTH_SOCK; null: no agent. */
  readonly agentPath?: string | null;
  readonly passphrase?: PassphraseCallback;
  /** PKCS11Provider: every key of this module's tokens is offered. */
  readonly pkcs11Provider?: string;
  /** Asks for a token's PIN (for pkcs11: identities and PKCS11Provider keys). */
  readonly pin?: PinCallback;
  readonly password?: AuthOptions['password'];
  readonly keyboardInteractive?: AuthOptions['keyboardInteractive'];
  readonly onBanner?: (text: string) => void;
  readonly allow?: AuthOptions['allow'];
  readonly pubkeyAlgorithms?: readonly string[];
  readonly maxPrompts?: number;
  readonly algorithms?: AlgorithmConfig;
  readonly connectTimeoutMs?: number;
  readonly rekeyLimitBytes?: number;
  readonly rekeyIntervalMs?: number;
  /** ServerAliveInterval / ServerAliveCountMax. */
  readonly keepalive?: { readonly intervalMs: number; readonly countMax: number };
  readonly onWarning?: (message: string) => void;
  /**
   * Jump hosts (ProxyJump), the one nearest this client first: each a full set of options
   * with its own host-key verifier and credentials (route.ts).
   */
  readonly jump?: readonly ConnectOptions[];
  /** ProxyCommand with its %h %p %r %n %% tokens still in (proxy-command.ts). */
  readonly proxyCommand?: string;
  /** The command's stderr; unset: passed through to this process's. */
  readonly onProxyStderr?: (chunk: Buffer) => void;
  /** The host as the user named it, before HostName (%n). */
  readonly hostAlias?: string;
  /** An open stream to the server to run over (host and port then only name it). */
  readonly stream?: Duplex;
  /** Jump hosts already below this connection (set by route.ts, bounds ProxyJump loops). */
  readonly hopDepth?: number;
}

export interface SshClient {
  readonly transport: Transport;
  readonly connection: Connection;
  /** The method that authenticated. */
  readonly authMethod: string;
  /** The jump host connection this one runs through (ProxyJump), or null. */
  readonly jumpClient: SshClient | null;
  openSession(): Promise<Session>;
  /** Resolves when the connection ends, with the error that ended it (null: clean). */
  readonly closed: Promise<SshError | null>;
  close(): void;
}

export async function connect(o: ConnectOptions): Promise<SshClient> {
  const warn = o.onWarning ?? (() => {});
  const port = o.port ?? 22;
  const route = o.stream ? null : await openRoute(o, connect);
  const stream = o.stream ?? route?.stream;
  const opening = openTransport({
    host: o.host,
    port,
    ...(stream ? { stream } : {}),
    verifyHostKey: o.verifyHostKey,
    ...(o.algorithms ? { algorithms: o.algorithms } : {}),
    ...(o.connectTimeoutMs ? { timeoutMs: o.connectTimeoutMs } : {}),
    ...(o.rekeyLimitBytes !== undefined ? { rekeyLimitBytes: o.rekeyLimitBytes } : {}),
    ...(o.rekeyIntervalMs !== undefined ? { rekeyIntervalMs: o.rekeyIntervalMs } : {}),
  });
  let transport: Transport;
  try {
    ({ transport } = await opening);
  } catch (e) {
    route?.close();
    throw route && e instanceof SshError ? await route.explain(e) : e;
  }
  // closing the connection closes what carries it; its error names a failed hop or command
  const closed = route
    ? transport.closed.then(async (e) => {
        route.close();
        return e ? route.explain(e) : null;
      })
    : transport.closed;
  const agentPath =
    o.agentPath === undefined ? (process.env['SSH_AUTH_SOCK'] ?? null) : o.agentPath;
  const ids =
    o.allow?.publickey === false
      ? { candidates: [], agent: null, close: () => {} }
      : await gatherIdentities({
          files: o.identityFiles ?? [],
          explicit: o.identityFilesExplicit ?? false,
          identitiesOnly: o.identitiesOnly ?? false,
          agentPath: agentPath === '' ? null : agentPath,
          ...(o.passphrase ? { passphrase: o.passphrase } : {}),
          ...(o.pkcs11Provider ? { pkcs11Provider: o.pkcs11Provider } : {}),
          ...(o.pin ? { pin: o.pin } : {}),
          warn,
        });
  try {
    const result = await authenticate(transport, {
      username: o.username,
      keys: await withCertificates(
        ids.candidates,
        o.identityFiles ?? [],
        o.certificateFiles ?? [],
        warn,
      ),
      ...(o.password ? { password: o.password } : {}),
      ...(o.keyboardInteractive ? { keyboardInteractive: o.keyboardInteractive } : {}),
      ...(o.onBanner ? { onBanner: o.onBanner } : {}),
      ...(o.allow ? { allow: o.allow } : {}),
      ...(o.pubkeyAlgorithms ? { pubkeyAlgorithms: o.pubkeyAlgorithms } : {}),
      ...(o.maxPrompts !== undefined ? { maxPrompts: o.maxPrompts } : {}),
    });
    const connection = new Connection(transport, { role: 'client', pending: result.pending });
    if (o.keepalive && o.keepalive.intervalMs > 0) {
      connection.startKeepalive(o.keepalive.intervalMs, o.keepalive.countMax, o.host);
    }
    void transport.closed.then(() => ids.close());
    return {
      transport,
      connection,
      authMethod: result.method,
      jumpClient: route?.jumpClient ?? null,
      openSession: () => connection.openSession(),
      closed,
      close: () => transport.disconnect(),
    };
  } catch (e) {
    ids.close();
    if (e instanceof SshError) transport.abort(e);
    else transport.disconnect();
    throw route && e instanceof SshError ? await route.explain(e) : e;
  }
}
