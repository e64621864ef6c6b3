/**
 * `keyway ssh -W host:port` (ssh(1) -W): stdin and stdout joined to a direct-tcpip channel to
 * host:port, which makes Keyway usable as another ssh's ProxyCommand. EOF goes both ways: the
 * end of stdin sends EOF on the channel, the channel's EOF closes stdout (so a reader sees the
 * end even while it still writes to us). It ends when the channel is closed, exit status 0; a
 * refused open is `channel 0: open failed: <reason>: <text>` and `stdio forwarding failed`,
 * exit 255, as ssh says it.
 */
import { createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { SshClient } from '../client/connect.js';
import { openTcpipStream } from '../client/tcpip-stream.js';
import type { ChannelDuplex } from '../connection/channel-duplex.js';
import { ChannelOpenError } from '../errors.js';
import type { CliIo } from './ssh-connect.js';

/** RFC 4254 §5.1 reason codes, worded as OpenSSH's channel_rfc4254_open_reason() does. */
const OPEN_REASONS: Record<number, string> = {
  1: 'administratively prohibited',
  2: 'connect failed',
  3: 'unknown channel type',
  4: 'resource shortage',
};

export interface StdioStreams {
  readonly stdin: Readable;
  /** Default: file descriptor 1, closed when the channel's data ends. */
  readonly stdout?: Writable;
}

export async function forwardStdio(
  client: SshClient,
  to: { readonly host: string; readonly port: number },
  io: CliIo,
  streams: StdioStreams,
): Promise<number> {
  let channel: ChannelDuplex;
  try {
    channel = await openTcpipStream(client.connection, to.host, to.port);
  } catch (e) {
    if (!(e instanceof ChannelOpenError)) throw e;
    const why = OPEN_REASONS[e.openReason] ?? `reason ${e.openReason}`;
    io.err(`channel 0: open failed: ${why}: ${e.description}`);
    io.err('stdio forwarding failed');
    client.close();
    return 255;
  }
  const stdout = streams.stdout ?? createWriteStream('', { fd: 1 });
  const done = new Promise<number>((resolve) => {
    channel.once('close', () => resolve(0));
    channel.once('error', () => resolve(255));
  });
  stdout.on('error', () => channel.destroy()); // the reader went away
  streams.stdin.pipe(channel);
  channel.pipe(stdout);
  const code = await done;
  streams.stdin.unpipe(channel);
  streams.stdin.pause();
  client.close();
  return code;
}
