/**
 * Loading a PKCS#11 module (a shared library, e.g. /usr/lib/softhsm/libsofthsm2.so) through
 * pkcs11js, and its lifetime (PKCS#11 v2.40 §5.4: C_Initialize once per process, C_Finalize
 * once at the end). A module may be opened by several users at once (two connections, keygen
 * and ssh in one process): opens of the same path share one initialised library and the last
 * close finalises and unloads it.
 *
 * pkcs11js is a native addon, loaded only when a module is first opened, so that the rest of
 * the engine runs where it is not built. Every CKR_* failure from the library is turned into
 * this folder's typed errors by pkcs11Failure.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type * as Pkcs11js from 'pkcs11js';
import { Pkcs11Error, Pkcs11ModuleError, Pkcs11TokenRemovedError } from './errors.js';

export type Pkcs11Lib = typeof Pkcs11js;
export type Pkcs11Api = Pkcs11js.PKCS11;
export type Pkcs11Handle = Pkcs11js.Handle;

let binding: Pkcs11Lib | undefined;

/** The pkcs11js binding (CommonJS), loaded on first use. */
export function pkcs11Binding(): Pkcs11Lib {
  if (binding === undefined) {
    const require = createRequire(import.meta.url);
    binding = require('pkcs11js') as Pkcs11Lib;
  }
  return binding;
}

/** The CK_RV carried by an error pkcs11js threw, if any. */
export function rvOf(e: unknown): number | undefined {
  if (!(e instanceof pkcs11Binding().Pkcs11Error)) return undefined;
  const code: unknown = e.code;
  return typeof code === 'number' ? code : undefined;
}

/** CKR_* name for a value, for messages. */
export function rvName(rv: number): string {
  const lib = pkcs11Binding() as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(lib)) if (k.startsWith('CKR_') && v === rv) return k;
  return `CKR 0x${rv.toString(16)}`;
}

/**
 * A typed error for a failed call: a removed token, or Pkcs11Error('failed') naming the
 * operation and the CKR_* value. Errors that are already ours pass through.
 */
export function pkcs11Failure(e: unknown, what: string): Error {
  if (e instanceof Pkcs11Error) return e;
  const rv = rvOf(e);
  if (rv === undefined) {
    const m = e instanceof Error ? e.message : String(e);
    return new Pkcs11Error('failed', `${what}: ${m}`, {}, { cause: e });
  }
  const lib = pkcs11Binding();
  if (
    rv === lib.CKR_DEVICE_REMOVED ||
    rv === lib.CKR_TOKEN_NOT_PRESENT ||
    rv === lib.CKR_SESSION_CLOSED ||
    rv === lib.CKR_SESSION_HANDLE_INVALID
  ) {
    return new Pkcs11TokenRemovedError(what, rv);
  }
  return new Pkcs11Error('failed', `${what}: ${rvName(rv)}`, {}, { rv, cause: e });
}

interface Loaded {
  readonly api: Pkcs11Api;
  users: number;
}

const loaded = new Map<string, Loaded>();

/** One user's handle on an initialised module. close() once when done. */
export class Pkcs11Module {
  readonly path: string;
  readonly api: Pkcs11Api;
  readonly lib: Pkcs11Lib;
  #open = true;

  private constructor(path: string, api: Pkcs11Api, lib: Pkcs11Lib) {
    this.path = path;
    this.api = api;
    this.lib = lib;
  }

  /** Loads and initialises the module at `path`, or shares the one already loaded. */
  static open(path: string): Pkcs11Module {
    const full = resolve(path);
    const lib = pkcs11Binding();
    const existing = loaded.get(full);
    if (existing !== undefined) {
      existing.users++;
      return new Pkcs11Module(full, existing.api, lib);
    }
    let st;
    try {
      st = statSync(full);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'No such file or directory' : (code ?? String(e));
      throw new Pkcs11ModuleError(full, why, { cause: e });
    }
    if (!st.isFile()) throw new Pkcs11ModuleError(full, 'not a regular file');
    const api = new lib.PKCS11();
    try {
      api.load(full);
    } catch (e) {
      throw new Pkcs11ModuleError(full, 'cannot be loaded as a PKCS#11 module', { cause: e });
    }
    try {
      api.C_Initialize();
    } catch (e) {
      const rv = rvOf(e);
      if (rv !== lib.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        api.close();
        throw new Pkcs11ModuleError(
          full,
          `C_Initialize failed${rv !== undefined ? ` (${rvName(rv)})` : ''}`,
          { cause: e, ...(rv !== undefined ? { rv } : {}) },
        );
      }
    }
    loaded.set(full, { api, users: 1 });
    return new Pkcs11Module(full, api, lib);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Drops this user; the last one finalises and unloads the library. Idempotent. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    const entry = loaded.get(this.path);
    if (entry === undefined || --entry.users > 0) return;
    loaded.delete(this.path);
    try {
      entry.api.C_Finalize();
    } catch {
      // a module that fails to finalise is unloaded all the same
    }
    try {
      entry.api.close();
    } catch {
      // already unloaded
    }
  }
}
