/**
 * Errors of key loading (CONVENTIONS §5). A malformed, truncated or unsupported file is the
 * engine's KeyFormatError (core/errors.ts), built here so that every one names the file and
 * the cause; a passphrase that does not open the file, or none given, are errors of their own
 * so that callers can tell "try the next key" from "this file is broken".
 */
import {
  DisconnectReason,
  KeyFormatError,
  SshError,
  type DisconnectReasonCode,
} from '../errors.js';

/** KeyFormatError whose message is "<source>: <cause>", details {path, cause, …}. */
export function keyFileError(
  source: string,
  cause: string,
  details: Record<string, unknown> = {},
  options?: ErrorOptions,
): KeyFormatError {
  return new KeyFormatError(`${source}: ${cause}`, { path: source, cause, ...details }, options);
}

/** Every passphrase tried (up to the attempt limit) failed to decrypt the key file. */
export class WrongPassphraseError extends SshError {
  override readonly code: string = 'WRONG_PASSPHRASE';
  override readonly reason: DisconnectReasonCode = DisconnectReason.BY_APPLICATION;
  readonly path: string;
  /** How many passphrases were tried. */
  readonly attempts: number;

  constructor(path: string, attempts: number) {
    super(`${path}: incorrect passphrase supplied to decrypt private key`, { path, attempts });
    this.path = path;
    this.attempts = attempts;
  }
}

/** The passphrase callback answered null: the user chose not to unlock this key. */
export class PassphraseCancelledError extends SshError {
  override readonly code: string = 'PASSPHRASE_CANCELLED';
  override readonly reason: DisconnectReasonCode = DisconnectReason.AUTH_CANCELLED_BY_USER;
  readonly path: string;

  constructor(path: string, message = `${path}: passphrase entry cancelled`) {
    super(message, { path });
    this.path = path;
  }
}

/**
 * The key file is encrypted and no passphrase callback was given (batch mode). A kind of
 * cancellation: callers that skip cancelled keys skip these too.
 */
export class PassphraseRequiredError extends PassphraseCancelledError {
  override readonly code: string = 'PASSPHRASE_REQUIRED';

  constructor(path: string) {
    super(path, `${path}: key is encrypted and no passphrase can be asked for`);
  }
}

/**
 * A private key file that others may read or write (mode & 077, owned by this user): refused
 * as ssh refuses it ("UNPROTECTED PRIVATE KEY FILE"), so a leaked key is noticed.
 */
export class KeyPermissionError extends SshError {
  override readonly code: string = 'KEY_PERMISSIONS';
  override readonly reason: DisconnectReasonCode = DisconnectReason.BY_APPLICATION;
  readonly path: string;
  readonly mode: number;

  constructor(path: string, mode: number) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    super(
      `${path}: permissions ${octal} are too open; a private key must be accessible only to its owner (chmod 600)`,
      { path, mode },
    );
    this.path = path;
    this.mode = mode;
  }
}
