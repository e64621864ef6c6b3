/** Errors of user authentication (RFC 4252). */
import { DisconnectReason, SshError, type DisconnectReasonCode } from '../errors.js';

/** Every method the server allows was tried and none succeeded: ssh's "Permission denied". */
export class AuthError extends SshError {
  override readonly code: string = 'AUTH_FAILED';
  override readonly reason: DisconnectReasonCode = DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE;
  /** Methods the server still listed (what ssh prints in parentheses). */
  readonly methodsLeft: readonly string[];

  constructor(methodsLeft: readonly string[], detail?: string) {
    super(`Permission denied (${methodsLeft.join(',')}).${detail ? ' ' + detail : ''}`, {
      methodsLeft: [...methodsLeft],
    });
    this.methodsLeft = methodsLeft;
  }
}

/** The person declined to give a password, passphrase or answer. */
export class AuthCancelled extends SshError {
  override readonly code: string = 'AUTH_CANCELLED';
  override readonly reason: DisconnectReasonCode = DisconnectReason.AUTH_CANCELLED_BY_USER;
}
