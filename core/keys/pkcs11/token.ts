/**
 * One token in use: a read-only session on its slot (C_OpenSession with CKF_SERIAL_SESSION),
 * the user login (C_Login CKU_USER) done at most once, and signing inside the token with the
 * private key object whose CKA_ID (or else CKA_LABEL) is that of a listed public key
 * (PKCS#11 v2.40 §5.6, §5.11).
 *
 * Login: a locked PIN (CKF_USER_PIN_LOCKED) is reported without trying; the PIN comes from
 * the URI, else the callback; a wrong PIN is reported with the token's PIN flags read after
 * the failure and remembered, so that no other key of this token tries the PIN again (each try
 * counts against the token's retry limit). A token that another user of the module in this
 * process has logged in already (PKCS#11 logs in the application, not one session: two
 * connections of the app, a jump host and its target) is used without asking again; the
 * login lasts until the last user closes the module. Operations on one session are serialised.
 */
import {
  Pkcs11Error,
  Pkcs11KeyNotFoundError,
  Pkcs11PinIncorrectError,
  Pkcs11PinRequiredError,
  Pkcs11TokenLockedError,
  Pkcs11TokenRemovedError,
} from './errors.js';
import { pkcs11Failure, rvOf, type Pkcs11Handle, type Pkcs11Module } from './module.js';
import { pinFromUri, type PinCallback } from './pin.js';
import { findObjects } from './public-keys.js';
import { pinStatus, readTokenInfo, type Pkcs11TokenInfo } from './tokens.js';
import type { Pkcs11Uri } from './uri.js';

/** CK_SESSION_INFO.state once the user is logged in: CKS_RO_ and CKS_RW_USER_FUNCTIONS. */
const USER_SESSION_STATES: ReadonlySet<number> = new Set([1, 3]);

export class Pkcs11Token {
  readonly module: Pkcs11Module;
  readonly info: Pkcs11TokenInfo;
  readonly session: Pkcs11Handle;
  readonly #uri: Pkcs11Uri | undefined;
  readonly #askPin: PinCallback | undefined;
  /** The login: undefined before the first, then its outcome (shared by every key). */
  #login: Promise<void> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(
    module: Pkcs11Module,
    info: Pkcs11TokenInfo,
    uri: Pkcs11Uri | undefined,
    askPin: PinCallback | undefined,
  ) {
    this.module = module;
    this.info = info;
    this.#uri = uri;
    this.#askPin = askPin;
    try {
      this.session = module.api.C_OpenSession(info.slot, module.lib.CKF_SERIAL_SESSION);
    } catch (e) {
      throw pkcs11Failure(e, `token '${info.label}': opening a session`);
    }
  }

  /**
   * Whether our token is still in its slot: same slot, same serial. Some modules answer a
   * removed token with a generic error (SoftHSM: CKR_GENERAL_ERROR), not CKR_DEVICE_REMOVED.
   */
  #present(): boolean {
    try {
      const m = this.module;
      const here = m.api.C_GetSlotList(true).some((s) => s.equals(this.info.slot));
      return here && readTokenInfo(m, this.info.slot).serial === this.info.serial;
    } catch {
      return false;
    }
  }

  /** The typed error for a failed call: removed when the token is gone. */
  #failure(e: unknown, what: string): Error {
    const err = pkcs11Failure(e, `token '${this.info.label}': ${what}`);
    if (!(err instanceof Pkcs11Error) || err.kind !== 'failed' || this.#present()) return err;
    return new Pkcs11TokenRemovedError(`token '${this.info.label}': ${what}`, err.rv ?? 0);
  }

  /** Whether the user is logged in to the token in this process already (by another session). */
  #loggedIn(): boolean {
    try {
      return USER_SESSION_STATES.has(this.module.api.C_GetSessionInfo(this.session).state);
    } catch {
      return false; // then C_Login says so (CKR_USER_ALREADY_LOGGED_IN)
    }
  }

  /** Runs `op` after every operation queued before it. */
  #serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(op, op);
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Logs in once; later calls share the first outcome, failures included. */
  login(): Promise<void> {
    this.#login ??= this.#serial(() => this.#doLogin());
    return this.#login;
  }

  async #doLogin(): Promise<void> {
    const m = this.module;
    const L = m.lib;
    const label = this.info.label;
    let flags: number;
    try {
      flags = readTokenInfo(m, this.info.slot).flags;
    } catch (e) {
      throw this.#failure(e, 'reading token information');
    }
    if ((flags & L.CKF_LOGIN_REQUIRED) === 0) return;
    if (this.#loggedIn()) return;
    if ((flags & L.CKF_USER_PIN_LOCKED) !== 0) throw new Pkcs11TokenLockedError(label);
    let pin = await pinFromUri(this.#uri);
    const pinpad = (flags & L.CKF_PROTECTED_AUTHENTICATION_PATH) !== 0;
    if (pin === undefined && !pinpad) {
      if (this.#askPin === undefined) throw new Pkcs11PinRequiredError(label, false);
      const answer = await this.#askPin({ token: label, status: pinStatus(m, flags) });
      if (answer === null) throw new Pkcs11PinRequiredError(label, true);
      pin = answer;
    }
    try {
      if (pin === undefined) m.api.C_Login(this.session, L.CKU_USER);
      else m.api.C_Login(this.session, L.CKU_USER, pin);
    } catch (e) {
      const rv = rvOf(e);
      if (rv === L.CKR_USER_ALREADY_LOGGED_IN) return;
      if (rv === L.CKR_PIN_INCORRECT || rv === L.CKR_PIN_LEN_RANGE) {
        const after = pinStatus(m, readTokenInfo(m, this.info.slot).flags);
        if (after.locked) throw new Pkcs11TokenLockedError(label, rv);
        throw new Pkcs11PinIncorrectError(label, after, rv);
      }
      if (rv === L.CKR_PIN_LOCKED) throw new Pkcs11TokenLockedError(label, rv);
      throw this.#failure(e, 'login');
    }
  }

  /** The private key object for a public key's id / label. */
  #privateKey(id: Uint8Array, label: string): Pkcs11Handle {
    const L = this.module.lib;
    const template: { type: number; value: number | Buffer | string }[] = [
      { type: L.CKA_CLASS, value: L.CKO_PRIVATE_KEY },
    ];
    if (id.length > 0) template.push({ type: L.CKA_ID, value: Buffer.from(id) });
    else template.push({ type: L.CKA_LABEL, value: label });
    let h: Pkcs11Handle | undefined;
    try {
      [h] = findObjects(this.module, this.session, template);
    } catch (e) {
      throw this.#failure(e, 'searching for the private key');
    }
    if (h === undefined) {
      throw new Pkcs11KeyNotFoundError(
        `token '${this.info.label}' has no private key for ${label !== '' ? `"${label}"` : 'the key'}`,
        { token: this.info.label, label },
      );
    }
    return h;
  }

  /** Signs `input` with mechanism `mechanism` inside the token (after logging in). */
  async sign(
    id: Uint8Array,
    label: string,
    mechanism: number,
    input: Uint8Array,
  ): Promise<Uint8Array> {
    if (this.#closed || !this.module.isOpen) {
      throw new Pkcs11Error('failed', `token '${this.info.label}' is no longer open`);
    }
    await this.login();
    return this.#serial(async () => {
      const key = this.#privateKey(id, label);
      const api = this.module.api;
      try {
        api.C_SignInit(this.session, { mechanism }, key);
        const out = await new Promise<Buffer>((resolve, reject) => {
          api.C_Sign(this.session, Buffer.from(input), Buffer.alloc(1024), (err, data) =>
            err ? reject(err) : resolve(data),
          );
        });
        return new Uint8Array(out);
      } catch (e) {
        throw this.#failure(e, 'signing');
      }
    });
  }

  /** Closes the session (which logs out). The module is closed by its owner. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.module.isOpen) return;
    try {
      this.module.api.C_CloseSession(this.session);
    } catch {
      // the token may be gone already
    }
  }
}
