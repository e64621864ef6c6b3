/**
 * Errors of the PKCS#11 key source (CONVENTIONS §5). One base class, Pkcs11Error, with a
 * `kind`, and a subclass (own `code`) for each failure a person must tell apart: the module
 * cannot be loaded, the PIN is wrong (never retried behind the user's back), the token is
 * locked, the token went away, no key matches the URI. `rv` is the module's CKR_* value when
 * one caused the error (PKCS#11 v2.40 §11.1).
 */
import {
  ConfigError,
  DisconnectReason,
  SshError,
  type DisconnectReasonCode,
} from '../../errors.js';

export type Pkcs11ErrorKind =
  | 'module'
  | 'pin-incorrect'
  | 'pin-locked'
  | 'pin-required'
  | 'token-removed'
  | 'key-not-found'
  | 'failed';

export class Pkcs11Error extends SshError {
  override readonly code: string = 'PKCS11_ERROR';
  override readonly reason: DisconnectReasonCode = DisconnectReason.BY_APPLICATION;
  readonly kind: Pkcs11ErrorKind;
  /** The CK_RV that caused this, when there was one. */
  readonly rv: number | undefined;

  constructor(
    kind: Pkcs11ErrorKind,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions & { rv?: number },
  ) {
    super(
      message,
      { kind, ...(options?.rv !== undefined ? { rv: options.rv } : {}), ...details },
      options,
    );
    this.kind = kind;
    this.rv = options?.rv;
  }
}

/** The module (shared library) is missing, is not a PKCS#11 module, or failed C_Initialize. */
export class Pkcs11ModuleError extends Pkcs11Error {
  override readonly code: string = 'PKCS11_MODULE';
  readonly modulePath: string;

  constructor(modulePath: string, why: string, options?: ErrorOptions & { rv?: number }) {
    super('module', `PKCS#11 module ${modulePath}: ${why}`, { modulePath }, options);
    this.modulePath = modulePath;
  }
}

/** What the token says about its user PIN (CKF_USER_PIN_COUNT_LOW / FINAL_TRY / LOCKED). */
export interface PinStatus {
  readonly countLow: boolean;
  readonly finalTry: boolean;
  readonly locked: boolean;
}

/** " (PIN count low)", " (final PIN try)", " (PIN locked)" or "". */
export function describePinStatus(s: PinStatus): string {
  if (s.locked) return ' (PIN locked)';
  if (s.finalTry) return ' (final PIN try: a wrong PIN locks the token)';
  if (s.countLow) return ' (PIN count low: a wrong PIN was entered before)';
  return '';
}

/** C_Login said CKR_PIN_INCORRECT. `status` is the token's PIN flags read after the failure. */
export class Pkcs11PinIncorrectError extends Pkcs11Error {
  override readonly code: string = 'PKCS11_PIN_INCORRECT';
  readonly token: string;
  readonly status: PinStatus;

  constructor(token: string, status: PinStatus, rv: number) {
    super(
      'pin-incorrect',
      `incorrect PIN for token '${token}'${describePinStatus(status)}`,
      { token, ...status },
      { rv },
    );
    this.token = token;
    this.status = status;
  }
}

/** The user PIN is locked (CKR_PIN_LOCKED, or the token's CKF_USER_PIN_LOCKED flag). */
export class Pkcs11TokenLockedError extends Pkcs11Error {
  override readonly code: string = 'PKCS11_PIN_LOCKED';
  readonly token: string;

  constructor(token: string, rv?: number) {
    super(
      'pin-locked',
      `token '${token}' is locked: its user PIN is blocked`,
      { token },
      {
        ...(rv !== undefined ? { rv } : {}),
      },
    );
    this.token = token;
  }
}

/** No PIN could be had: none in the URI and no callback, or the callback declined. */
export class Pkcs11PinRequiredError extends Pkcs11Error {
  override readonly code: string = 'PKCS11_PIN_REQUIRED';
  readonly token: string;

  constructor(token: string, cancelled: boolean) {
    super(
      'pin-required',
      cancelled
        ? `PIN entry for token '${token}' cancelled`
        : `token '${token}' needs a PIN and none can be asked for`,
      { token, cancelled },
    );
    this.token = token;
  }
}

/** CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_SESSION_HANDLE_INVALID after removal. */
export class Pkcs11TokenRemovedError extends Pkcs11Error {
  override readonly code: string = 'PKCS11_TOKEN_REMOVED';

  constructor(what: string, rv: number) {
    super('token-removed', `${what}: the token was removed`, {}, { rv });
  }
}

/** No token or key matches a pkcs11: URI (or the private half of a listed key is missing). */
export class Pkcs11KeyNotFoundError extends Pkcs11Error {
  override readonly code: string = 'PKCS11_KEY_NOT_FOUND';

  constructor(message: string, details: Record<string, unknown> = {}) {
    super('key-not-found', message, details);
  }
}

/** A `pkcs11:` URI that does not follow RFC 7512. */
export class Pkcs11UriError extends ConfigError {
  override readonly code: string = 'PKCS11_URI';
  readonly uri: string;
  readonly problem: string;

  constructor(uri: string, problem: string) {
    const shown = redactPin(uri);
    super(`bad PKCS#11 URI "${shown}": ${problem}`, { uri: shown, problem });
    this.uri = shown;
    this.problem = problem;
  }
}

/** The URI with any pin-value hidden, for messages and logs. */
export function redactPin(uri: string): string {
  return uri.replace(/([?&]pin-value=)[^&]*/gi, '$1***');
}
