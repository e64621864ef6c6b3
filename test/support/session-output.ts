/**
 * Everything a client Session printed, and how it ended: stdout and stderr as text, the exit
 * status. Waits for the streams' ends, not only Session.closed: when the whole exchange arrived
 * before the listeners were attached, closed has already resolved while the queued data is
 * still to be delivered.
 */
import { finished } from 'node:stream/promises';
import type { Session } from '../../core/connection/index.js';

export async function collect(s: Session): Promise<{ out: string; err: string; exit: unknown }> {
  let out = '';
  let err = '';
  s.stdout.on('data', (d: Buffer) => (out += d.toString()));
  s.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await Promise.all([finished(s.stdout), finished(s.stderr)]);
  const exit = await s.exit;
  await s.closed;
  return { out, err, exit };
}
