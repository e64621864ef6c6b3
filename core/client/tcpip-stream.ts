/**
 * A direct-tcpip channel (RFC 4254 §7.2) as a Duplex: the stream to host:port that a jump host
 * opens for the next hop's transport, and that `ssh -W` joins to stdin/stdout. The originator is
 * given as OpenSSH gives it for a stream that is not a socket of ours.
 */
import type { Connection } from '../connection/index.js';
import { ChannelDuplex } from '../connection/channel-duplex.js';
import { encodeTcpipOpen } from '../connection/forward-messages.js';

export async function openTcpipStream(
  connection: Connection,
  host: string,
  port: number,
): Promise<ChannelDuplex> {
  const extra = encodeTcpipOpen({
    host,
    port,
    originatorAddress: '127.0.0.1',
    originatorPort: 65535,
  });
  return new ChannelDuplex(await connection.openChannel('direct-tcpip', extra));
}
