/**
 * A misbehaving SSH server for bad-input tests: a TCP listener on 127.0.0.1 with a random
 * port whose per-connection behaviour the test scripts. Either raw bytes, or Keyway's own
 * server-role Transport with its output tampered with.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

export interface FakeServer {
  readonly port: number;
  /** Resolves when the client side of the first connection has closed its socket. */
  readonly clientGone: Promise<void>;
  close(): Promise<void>;
}

export async function fakeServer(onConnection: (socket: Socket) => void): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  let resolveGone: () => void = () => {};
  const clientGone = new Promise<void>((r) => (resolveGone = r));
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      resolveGone();
    });
    onConnection(socket);
    // A socket nobody reads never emits 'end', so it would never close: drain what the test ignores.
    if (socket.listenerCount('data') === 0) socket.resume();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return {
    port: addr.port,
    clientGone,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
