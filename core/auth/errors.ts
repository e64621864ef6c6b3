/** Errors of user authentication (RFC 4252). */
import {
  DisconnectReason,
  ProtocolError,
  SshError,
  TimeoutError,
  type DisconnectReasonCode,
} from '../errors.js';

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

/**
 * Server side: the client did not finish authentication within the login grace time
 * (sshd's LoginGraceTime).
 */
export class AuthTimeout extends TimeoutError {
  override readonly code: string = 'AUTH_TIMEOUT';
}

/**
 * Server side: the client reached the limit of failed attempts (sshd's MaxAuthTries) or of
 * authentication messages; the connection ends with NO_MORE_AUTH_METHODS_AVAILABLE.
 */
export class TooManyAuthFailures extends SshError {
  override readonly code: string = 'AUTH_TOO_MANY_FAILURES';
  override readonly reason: DisconnectReasonCode = DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE;
}

/** Server side: a user name that is too long, not UTF-8 or holds a NUL (RFC 4252 §5). */
export class IllegalUserName extends ProtocolError {
  override readonly code: string = 'ILLEGAL_USER_NAME';
  override readonly reason: DisconnectReasonCode = DisconnectReason.ILLEGAL_USER_NAME;
}
