/** Whether something accepts TCP connections on a 127.0.0.1 port (a server's started or stopped). */
import { connect } from 'node:net';

export function acceptsOnLoopback(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
