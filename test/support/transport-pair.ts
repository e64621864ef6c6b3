/**
 * An in-memory client ⇄ server transport pair. Bytes are delivered asynchronously (as a
 * socket would), and each side's outgoing bytes can be intercepted to inject or corrupt.
 */
import { Transport, type TransportOptions } from '../../core/transport/transport.js';
import type { SshError } from '../../core/errors.js';
import type { HostKeyPair } from '../../core/crypto/hostkey/types.js';

export interface PairOptions {
  client?: Partial<TransportOptions>;
  server?: Partial<TransportOptions>;
  hostKeys: readonly HostKeyPair[];
  /** Rewrites bytes from the server before the client sees them. */
  tapServer?: (bytes: Uint8Array) => Uint8Array | null;
  tapClient?: (bytes: Uint8Array) => Uint8Array | null;
}

export interface Pair {
  client: Transport;
  server: Transport;
  clientClosed: Promise<SshError | null>;
  serverClosed: Promise<SshError | null>;
  clientMessages: Uint8Array[];
  serverMessages: Uint8Array[];
}

export function transportPair(o: PairOptions): Pair {
  const client = new Transport({
    role: 'client',
    verifyHostKey: () => true,
    ...o.client,
  } as TransportOptions);
  const server = new Transport({
    role: 'server',
    hostKeys: o.hostKeys,
    ...o.server,
  } as TransportOptions);
  const deliver =
    (to: Transport, tap?: (b: Uint8Array) => Uint8Array | null) => (b: Uint8Array) => {
      const copy = b.slice();
      setImmediate(() => {
        const t = tap ? tap(copy) : copy;
        if (t) to.receive(t);
      });
    };
  client.onSend = deliver(server, o.tapClient);
  server.onSend = deliver(client, o.tapServer);
  const clientMessages: Uint8Array[] = [];
  const serverMessages: Uint8Array[] = [];
  client.onMessage = (p) => clientMessages.push(p.slice());
  server.onMessage = (p) => serverMessages.push(p.slice());
  server.onServiceRequest = (name) => name === 'ssh-userauth';
  const clientClosed = new Promise<SshError | null>((r) => (client.onClose = r));
  const serverClosed = new Promise<SshError | null>((r) => (server.onClose = r));
  server.start();
  client.start();
  return { client, server, clientClosed, serverClosed, clientMessages, serverMessages };
}
