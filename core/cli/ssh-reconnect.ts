/**
 * `keyway ssh -N -o Reconnect=yes`: keeps the connection up as autossh does (core/client
 * reconnect.ts). The first connection failing ends it at once, exit 255, as without Reconnect;
 * after that every loss and attempt is reported on stderr, e.g.
 *   Connection to h lost: Connection closed by h port 22
 *   Reconnecting to h in 1.0 s (attempt 1)
 *   Reconnected to h (attempt 1).
 * and it goes on until an error that retrying cannot fix (host key, authentication), which is
 * reported as ssh words it, exit 255.
 */
import type { SshClient } from '../client/connect.js';
import { ReconnectingClient, type ReconnectEvent } from '../client/reconnect.js';
import { connectTarget, describeFailure, type CliIo, type CliTarget } from './ssh-connect.js';

export interface KeepConnectedOptions {
  /** Runs on every connection, the first included (forwards restore themselves here). */
  readonly onConnect?: (client: SshClient, attempt: number) => void | Promise<void>;
}

export async function keepConnected(
  t: CliTarget,
  io: CliIo,
  o: KeepConnectedOptions = {},
): Promise<number> {
  const describe = (e: unknown) => describeFailure(e, t.user, t.host, t.port);
  const report = (e: ReconnectEvent): void => {
    switch (e.kind) {
      case 'lost':
        return io.err(`Connection to ${t.host} lost: ${describe(e.error)}`);
      case 'retrying': {
        if (e.attempt > 1) io.err(describe(e.error)); // why the last attempt failed
        const s = (e.delayMs / 1000).toFixed(1);
        return io.err(`Reconnecting to ${t.host} in ${s} s (attempt ${e.attempt})`);
      }
      case 'connected':
        if (e.attempt > 0) io.err(`Reconnected to ${t.host} (attempt ${e.attempt}).`);
        return;
      case 'hook-failed':
        return io.err(`After reconnecting to ${t.host}: ${describe(e.error)}`);
      case 'gave-up':
        return; // reported below, from done
    }
  };
  const r = new ReconnectingClient({
    connect: () => connectTarget(t, io),
    ...(o.onConnect ? { onConnect: o.onConnect } : {}),
    onEvent: report,
  });
  try {
    await r.start();
  } catch (e) {
    io.err(describe(e));
    return 255;
  }
  const end = await r.done;
  if (end === null) return 0;
  io.err(describe(end));
  return 255;
}
