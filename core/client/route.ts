/**
 * How a connection reaches its server when not by a direct TCP connection (ssh(1) -J,
 * ssh_config(5) ProxyJump and ProxyCommand):
 *
 * - Jump hosts `[h1, …, hn]`: hn is a full connection of its own (its own host-key check under
 *   its own name and port, its own authentication) made through h1…hn−1 the same way, and the
 *   server is reached through a direct-tcpip channel that hn opens. As with `ssh -J h1,h2`,
 *   the chain given replaces hn's own ProxyJump/ProxyCommand; h1 keeps its own (its config's).
 *   A failure is a JumpHostError naming the hop, its position and the stage.
 * - ProxyCommand: the expanded command's stdio (proxy-command.ts). It exiting before the
 *   connection is up is a ProxyCommandError with its status.
 *
 * Closing the route (when the connection over it ends) closes the jump connection, which closes
 * the ones below it in turn, or ends the command.
 */
import type { Duplex } from 'node:stream';
import { ConfigError, ConnectionLost, type SshError } from '../errors.js';
import type { ConnectOptions, SshClient } from './connect.js';
import { expandProxyCommand, startProxyCommand } from './proxy-command.js';
import { JumpHostError, ProxyCommandError, type HopName } from './route-errors.js';
import { openTcpipStream } from './tcpip-stream.js';

/** Most jump hosts one connection goes through, counting those its hops add themselves. */
export const MAX_HOPS = 32;

export interface Route {
  readonly stream: Duplex;
  /** The jump connection the stream is a channel of (null for a ProxyCommand). */
  readonly jumpClient: SshClient | null;
  /** Ends what carries the stream. */
  close(): void;
  /**
   * Why the route broke, given the error the connection over it failed or ended with: the
   * jump host's own error, or the command's exit, when that came first; else `e` itself.
   */
  explain(e: SshError): Promise<SshError>;
}

function hopName(o: ConnectOptions): HopName {
  return { host: o.host, port: o.port ?? 22, user: o.username };
}

/** `o` without its own jump hosts and ProxyCommand (a chain given for it replaces them). */
function withoutRoute(o: ConnectOptions): ConnectOptions {
  const copy: { -readonly [K in keyof ConnectOptions]: ConnectOptions[K] } = { ...o };
  delete copy.jump;
  delete copy.proxyCommand;
  return copy;
}

/** The route for `o`, or null when it is a direct TCP connection. */
export async function openRoute(
  o: ConnectOptions,
  connect: (o: ConnectOptions) => Promise<SshClient>,
): Promise<Route | null> {
  const jump = o.jump ?? [];
  if (jump.length > 0 && o.proxyCommand !== undefined) {
    throw new ConfigError(`${o.host}: ProxyJump and ProxyCommand cannot both be used`);
  }
  if (jump.length > 0) return jumpRoute(o, jump, connect);
  if (o.proxyCommand !== undefined) return commandRoute(o);
  return null;
}

async function jumpRoute(
  o: ConnectOptions,
  jump: readonly ConnectOptions[],
  connect: (o: ConnectOptions) => Promise<SshClient>,
): Promise<Route> {
  const depth = (o.hopDepth ?? 0) + jump.length;
  if (depth > MAX_HOPS) {
    throw new ConfigError(
      `more than ${MAX_HOPS} jump hosts to reach ${o.host} (a ProxyJump loop?)`,
    );
  }
  const position = jump.length;
  const last = jump[position - 1] as ConnectOptions;
  const hopDepth = (o.hopDepth ?? 0) + 1;
  const hopOptions: ConnectOptions =
    position > 1
      ? { ...withoutRoute(last), jump: jump.slice(0, -1), hopDepth }
      : { ...last, hopDepth };
  const hop = hopName(last);
  let client: SshClient;
  try {
    client = await connect(hopOptions);
  } catch (e) {
    throw e instanceof JumpHostError ? e : new JumpHostError('connect', position, hop, e);
  }
  const next = { host: o.host, port: o.port ?? 22 };
  let stream: Duplex;
  try {
    stream = await openTcpipStream(client.connection, next.host, next.port);
  } catch (e) {
    client.close();
    throw new JumpHostError('forward', position, hop, e, next);
  }
  let hopError: SshError | null = null;
  void client.closed.then((e) => (hopError = e));
  return {
    stream,
    jumpClient: client,
    close: () => client.close(),
    explain: async (e) => {
      // the jump host's end reaches us through the channel first: let its own error settle
      await Promise.race([client.closed, new Promise((r) => setImmediate(r))]);
      if (hopError === null || !(e instanceof ConnectionLost)) return e;
      return hopError instanceof JumpHostError
        ? hopError
        : new JumpHostError('lost', position, hop, hopError);
    },
  };
}

function commandRoute(o: ConnectOptions): Route {
  const command = expandProxyCommand(o.proxyCommand ?? '', {
    host: o.host,
    port: o.port ?? 22,
    user: o.username,
    ...(o.hostAlias !== undefined ? { alias: o.hostAlias } : {}),
  });
  const proc = startProxyCommand(command, o.onProxyStderr ? { onStderr: o.onProxyStderr } : {});
  return {
    stream: proc.stream,
    jumpClient: null,
    close: () => proc.stop(),
    explain: async (e) => {
      if (!(e instanceof ConnectionLost) || e instanceof ProxyCommandError) return e;
      // the command's output ending usually comes just before its exit status
      const exited = await Promise.race([
        proc.exited,
        new Promise<null>((r) => setTimeout(() => r(null), 2_000).unref()),
      ]);
      return exited ?? e;
    },
  };
}
