/** The error a port forward fails with (ssh -L/-R/-D): a listener that cannot bind, a refused
 * tcpip-forward, a connection through it that cannot be opened. */
import { SshError } from '../errors.js';

export class ForwardError extends SshError {
  override readonly code: string = 'FORWARD_FAILED';
}
