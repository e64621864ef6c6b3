/**
 * connect(): from a host, a user, keys and callbacks to an authenticated connection that
 * opens sessions (DESIGN.md core/client). A host-key verifier is required: there is no way to
 * connect without deciding about the server's key (CONVENTIONS §9).
 */
import type { AuthOptions } from '../auth/client.js';
import { authenticate } from '../auth/client.js';
import { Connection, type Session } from '../connection/index.js';
import { SshError } from '../errors.js';
import type { PassphraseCallback } from '../keys/index.js';
import type { AlgorithmConfig } from '../transport/algorithms.js';
import { openTransport } from '../transport/open.js';
import type { HostKeyVerifier, Transport } from '../transport/transport.js';
import { gatherIdentities } from './identities.js';
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
}

export interface SshClient {
  readonly transport: Transport;
  readonly connection: Connection;
  /** The method that authenticated. */
  readonly authMethod: string;
  openSession(): Promise<Session>;
  /** Resolves when the connection ends, with the error that ended it (null: clean). */
  readonly closed: Promise<SshError | null>;
  close(): void;
}

export async function connect(o: ConnectOptions): Promise<SshClient> {
  const warn = o.onWarning ?? (() => {});
  const port = o.port ?? 22;
  const { transport } = await openTransport({
    host: o.host,
    port,
    verifyHostKey: o.verifyHostKey,
    ...(o.algorithms ? { algorithms: o.algorithms } : {}),
    ...(o.connectTimeoutMs ? { timeoutMs: o.connectTimeoutMs } : {}),
    ...(o.rekeyLimitBytes !== undefined ? { rekeyLimitBytes: o.rekeyLimitBytes } : {}),
    ...(o.rekeyIntervalMs !== undefined ? { rekeyIntervalMs: o.rekeyIntervalMs } : {}),
  });
  const agentPath =
    o.agentPath === undefined ? (process.env['SSH_AUTH_SOCK'] ?? null) : o.agentPath;
  const ids =
    o.allow?.publickey === false
      ? { candidates: [], agent: null }
      : await gatherIdentities({
          files: o.identityFiles ?? [],
          explicit: o.identityFilesExplicit ?? false,
          identitiesOnly: o.identitiesOnly ?? false,
          agentPath: agentPath === '' ? null : agentPath,
          ...(o.passphrase ? { passphrase: o.passphrase } : {}),
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
    void transport.closed.then(() => ids.agent?.close());
    return {
      transport,
      connection,
      authMethod: result.method,
      openSession: () => connection.openSession(),
      closed: transport.closed,
      close: () => transport.disconnect(),
    };
  } catch (e) {
    ids.agent?.close();
    if (e instanceof SshError) transport.abort(e);
    else transport.disconnect();
    throw e;
  }
}
