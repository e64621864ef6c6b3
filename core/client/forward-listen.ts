/**
 * Where the client's own forward listeners bind (ssh -L and -D), by OpenSSH's client rules
 * (channels.c channel_fwd_bind_addr with is_client set): with no bind address, loopback unless
 * GatewayPorts is on (then every address); "" and "*" every address; "localhost" the loopback
 * addresses; any other address or name as given (names resolved, each address bound). A
 * listener for a pair (127.0.0.1 and ::1, or 0.0.0.0 and ::) succeeds when one of them binds,
 * and port 0 takes the port the first bind got for the rest. Unix socket listeners are made
 * with mode 0600 (StreamLocalBindMask 0177) and an existing file is an error (no
 * StreamLocalBindUnlink); the file is removed when the listener closes (libuv does).
 * Accepted sockets start paused: nothing is read before their channel is open.
 */
import { lookup } from 'node:dns/promises';
import { createServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import { socketErrorText } from '../connection/forward-pipe.js';
import { ForwardError } from './forward-errors.js';

export interface BoundAddress {
  readonly address: string;
  readonly family: string;
  readonly port: number;
}

interface Target {
  readonly host: string;
  readonly ipv6Only: boolean;
}

const LOOPBACK: readonly Target[] = [
  { host: '127.0.0.1', ipv6Only: false },
  { host: '::1', ipv6Only: false },
];
const EVERY: readonly Target[] = [
  { host: '0.0.0.0', ipv6Only: false },
  { host: '::', ipv6Only: true },
];

/** The addresses a client listener binds, or 'lookup' for a name to resolve. */
export function localBindTargets(
  host: string | null,
  gatewayPorts: boolean,
): readonly Target[] | 'lookup' {
  if (host === null) return gatewayPorts ? EVERY : LOOPBACK;
  if (host === '' || host === '*') return EVERY;
  if (host.toLowerCase() === 'localhost') return LOOPBACK;
  const family = isIP(host);
  return family === 0 ? 'lookup' : [{ host, ipv6Only: family === 6 }];
}

export interface Listener {
  readonly servers: readonly Server[];
  /** TCP: every address bound; a Unix socket: none. */
  readonly bound: readonly BoundAddress[];
  close(): void;
}

function newServer(onConnection: (socket: Socket) => void): Server {
  return createServer({ allowHalfOpen: true, pauseOnConnect: true }, onConnection);
}

function listenOn(server: Server, opts: object): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function listenTcp(
  host: string | null,
  port: number,
  gatewayPorts: boolean,
  onConnection: (socket: Socket) => void,
  onError: (e: Error) => void,
): Promise<Listener> {
  const shown = `${host === null ? 'localhost' : host} port ${port}`;
  let targets = localBindTargets(host, gatewayPorts);
  if (targets === 'lookup') {
    try {
      const found = await lookup(host ?? '', { all: true });
      targets = found.map((a) => ({ host: a.address, ipv6Only: a.family === 6 }));
    } catch (e) {
      throw new ForwardError(`cannot listen on ${shown}: ${socketErrorText(e)}`);
    }
  }
  const servers: Server[] = [];
  let bindPort = port;
  let firstError: unknown = null;
  for (const t of targets) {
    const server = newServer(onConnection);
    try {
      await listenOn(server, { host: t.host, port: bindPort, ipv6Only: t.ipv6Only });
    } catch (e) {
      server.close();
      firstError ??= e;
      continue;
    }
    server.on('error', onError);
    servers.push(server);
    if (bindPort === 0) bindPort = (server.address() as AddressInfo).port;
  }
  if (servers.length === 0) {
    const why = firstError === null ? 'no address to listen on' : socketErrorText(firstError);
    throw new ForwardError(`cannot listen on ${shown}: ${why}`);
  }
  const bound = servers.map((s) => {
    const a = s.address() as AddressInfo;
    return { address: a.address, family: a.family, port: a.port };
  });
  return { servers, bound, close: () => servers.forEach((s) => s.close()) };
}

export async function listenUnix(
  path: string,
  onConnection: (socket: Socket) => void,
  onError: (e: Error) => void,
): Promise<Listener> {
  const server = newServer(onConnection);
  // umask is process-wide, but listen() binds synchronously: nothing runs in between
  const old = process.umask(0o177);
  let listening: Promise<void>;
  try {
    listening = listenOn(server, { path });
  } finally {
    process.umask(old);
  }
  try {
    await listening;
  } catch (e) {
    server.close();
    throw new ForwardError(`cannot listen on ${path}: ${socketErrorText(e)}`);
  }
  server.on('error', onError);
  return {
    servers: [server],
    bound: [],
    close: () => server.close(), // libuv removes the socket file
  };
}
