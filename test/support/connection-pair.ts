/**
 * A client ⇄ server Connection pair over the in-memory transport pair (aes128-gcm, so bulk
 * tests measure the connection layer more than the cipher). Either side can be reached
 * around its Connection through `pair.client` / `pair.server` (raw Transport.send) to inject
 * messages a well-behaved peer would never send.
 */
import { transportPair, type Pair } from './transport-pair.js';
import { generateHostKeyPair } from '../../core/crypto/hostkey/index.js';
import type { HostKeyPair } from '../../core/crypto/hostkey/types.js';
import { Connection, type ConnectionOptions } from '../../core/connection/index.js';

let hostKeys: readonly HostKeyPair[] | null = null;

export interface ConnectionPair {
  pair: Pair;
  client: Connection;
  server: Connection;
}

export interface ConnectionPairOptions {
  client?: Omit<ConnectionOptions, 'role'>;
  server?: Omit<ConnectionOptions, 'role'>;
  tapServer?: (bytes: Uint8Array) => Uint8Array | null;
  tapClient?: (bytes: Uint8Array) => Uint8Array | null;
}

export async function connectionPair(o: ConnectionPairOptions = {}): Promise<ConnectionPair> {
  hostKeys ??= [generateHostKeyPair('ssh-ed25519')];
  const algorithms = { ciphers: ['aes128-gcm@openssh.com'], kex: ['curve25519-sha256'] };
  const pair = transportPair({
    hostKeys,
    client: { algorithms },
    ...(o.tapServer ? { tapServer: o.tapServer } : {}),
    ...(o.tapClient ? { tapClient: o.tapClient } : {}),
  });
  await Promise.all([pair.client.ready, pair.server.ready]);
  const client = new Connection(pair.client, { role: 'client', ...o.client });
  const server = new Connection(pair.server, { role: 'server', ...o.server });
  return { pair, client, server };
}

/** Sends a raw payload from one transport, bypassing its Connection. */
export function inject(from: Pair['client'], payload: Uint8Array): void {
  from.send(payload);
}

/** Polls `cond`; fails naming `what` after `ms` (wait.ts's waitFor, under its old name here). */
export { waitFor as until } from './wait.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
