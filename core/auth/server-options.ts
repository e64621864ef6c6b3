/**
 * User authentication, server side: the policy a caller supplies (async callbacks), its
 * defaults and checks, and the AuthenticationMethods bookkeeping (sshd_config(5)): a list of
 * method lists, any one of which, completed in order, authenticates.
 *
 * The server never decides who may log in: it asks these callbacks, for every user name the
 * client sends (known or not), and reports to the client only what RFC 4252 lets it say.
 */
import { ConfigError } from '../errors.js';
import {
  certificateHostKeyAlgorithms,
  legacyCertificateHostKeyAlgorithms,
  legacyHostKeyAlgorithms,
  supportedHostKeyAlgorithms,
} from '../crypto/hostkey/algorithms.js';
import type { KbdChallenge } from './server-messages.js';

export type ServerAuthMethod = 'publickey' | 'password' | 'keyboard-interactive';

/** The order sshd lists methods in a USERAUTH_FAILURE. */
const METHOD_ORDER: readonly ServerAuthMethod[] = ['publickey', 'password', 'keyboard-interactive'];

type Awaitable<T> = T | Promise<T>;

/** A public key a client offers, as plain data (a copy of the blob). */
export interface OfferedKey {
  /** The signature algorithm named in the request: ssh-ed25519, rsa-sha2-512, … */
  readonly algorithm: string;
  /** The key type inside the blob: ssh-rsa for all three RSA algorithms. */
  readonly type: string;
  /** The public key blob, byte for byte what authorized_keys lines hold (base64-decoded). */
  readonly blob: Uint8Array;
  readonly bits: number;
}

/** A key that authenticated, with the value the publickey callback returned for it. */
export interface AcceptedKey<K> {
  readonly key: OfferedKey;
  readonly value: K;
}

/**
 * One keyboard-interactive exchange, given to the callback. prompt() sends an INFO_REQUEST and
 * resolves with the client's answers (as many as prompts); it rejects when the client abandons
 * the exchange (a new USERAUTH_REQUEST) or the connection ends. One prompt at a time.
 */
export interface KbdConversation {
  /** The client's submethods hint (RFC 4256 §3.1), often empty. */
  readonly submethods: string;
  prompt(challenge: KbdChallenge): Promise<string[]>;
}

/**
 * The policy. `K` is what the publickey callback returns for a key it accepts (for example
 * the authorized_keys options to apply to the session); `false` or `null` refuses.
 */
export interface ServerAuthOptions<K extends object | true = true> {
  /**
   * Is this key acceptable for this user? Asked with signed = false for a query (the answer
   * only decides between PK_OK and FAILURE) and with signed = true once a signature by that
   * exact key over this session has verified: only that answer grants access, and its value
   * is the one returned in the result. Nothing is remembered between calls.
   */
  readonly publickey?: (
    user: string,
    key: OfferedKey,
    signed: boolean,
  ) => Awaitable<K | false | null>;
  /** Is this the user's password? Password change requests fail without asking. */
  readonly password?: (user: string, password: string) => Awaitable<boolean>;
  /** Runs a keyboard-interactive exchange (any number of prompts); true authenticates. */
  readonly keyboardInteractive?: (user: string, c: KbdConversation) => Awaitable<boolean>;
  /**
   * AuthenticationMethods: e.g. [['publickey', 'password'], ['keyboard-interactive']]. Default:
   * each method that has a callback, alone. A method may appear twice in a list (two different
   * keys for publickey,publickey); every method named must have its callback.
   */
  readonly methods?: readonly (readonly ServerAuthMethod[])[];
  /**
   * PubkeyAcceptedAlgorithms: signature algorithms accepted in publickey requests. Default:
   * DEFAULT_SERVER_PUBKEY_ALGORITHMS (no ssh-rsa: SHA-1). Give the same list to the
   * transport's serverSigAlgs (see acceptedPubkeyAlgorithms) so clients learn it.
   */
  readonly pubkeyAlgorithms?: readonly string[];
  /** MaxAuthTries: the connection ends when this many attempts have failed. Default 6. */
  readonly maxAuthTries?: number;
  /** LoginGraceTime in ms: the connection ends if authentication has not succeeded. 0: none. Default 120 000. */
  readonly loginGraceMs?: number;
  /** Sent once, before the reply to the first USERAUTH_REQUEST (sshd's Banner). */
  readonly banner?: string;
  /**
   * Every failed attempt (other than none) is answered no sooner than this many ms, plus a
   * per-user 0–4 ms, after its request arrived, as sshd does, so that how long a check took
   * (a user that exists or not) does not show. Default 5; 0 turns it off.
   */
  readonly failureDelayMs?: number;
  /** Runs fn after ms; returns a cancel function. Default: setTimeout (unref'd). */
  readonly setTimer?: (ms: number, fn: () => void) => () => void;
  /** Milliseconds clock for failureDelayMs. Default: performance.now. */
  readonly now?: () => number;
  /** Called for every request's outcome, for logs. Must not throw. */
  readonly onAttempt?: (a: AuthAttempt) => void;
}

export interface AuthAttempt {
  readonly user: string;
  readonly method: string;
  readonly outcome: 'success' | 'partial' | 'failure' | 'pk-ok' | 'info-request';
  /** Why a request failed, for logs: never sent to the client. */
  readonly detail?: string;
}

/** PubkeyAcceptedAlgorithms by default: OpenSSH's order, without SHA-1 ssh-rsa. */
export const DEFAULT_SERVER_PUBKEY_ALGORITHMS: readonly string[] = supportedHostKeyAlgorithms();

/**
 * The pubkey algorithms a server with these options accepts, checked: pass the result to the
 * transport's `serverSigAlgs` (ext-info, RFC 8308 §3.1) and to `pubkeyAlgorithms`.
 */
export function acceptedPubkeyAlgorithms(list?: readonly string[]): string[] {
  const known = new Set([
    ...supportedHostKeyAlgorithms(),
    ...legacyHostKeyAlgorithms(),
    ...certificateHostKeyAlgorithms(),
    ...legacyCertificateHostKeyAlgorithms(),
  ]);
  const out = [...(list ?? DEFAULT_SERVER_PUBKEY_ALGORITHMS)];
  for (const a of out) {
    if (!known.has(a)) throw new ConfigError(`unknown public key algorithm "${a}"`);
  }
  return out;
}

export interface ResolvedServerAuth {
  readonly lists: ServerAuthMethod[][];
  readonly pubkeyAlgorithms: readonly string[];
  readonly maxAuthTries: number;
  readonly loginGraceMs: number;
  readonly failureDelayMs: number;
  readonly setTimer: (ms: number, fn: () => void) => () => void;
  readonly now: () => number;
}

const defaultSetTimer = (ms: number, fn: () => void): (() => void) => {
  const h = setTimeout(fn, ms);
  h.unref();
  return () => clearTimeout(h);
};

function nonNegative(name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${name} must be a number ≥ 0`);
  return n;
}

export function resolveServerAuth<K extends object | true>(
  o: ServerAuthOptions<K>,
): ResolvedServerAuth {
  const has: Record<ServerAuthMethod, boolean> = {
    publickey: o.publickey !== undefined,
    password: o.password !== undefined,
    'keyboard-interactive': o.keyboardInteractive !== undefined,
  };
  const lists = o.methods
    ? o.methods.map((l) => [...l])
    : METHOD_ORDER.filter((m) => has[m]).map((m) => [m]);
  if (lists.length === 0) throw new ConfigError('no authentication method is configured');
  for (const l of lists) {
    if (l.length === 0) throw new ConfigError('an authentication methods list is empty');
    for (const m of l) {
      if (!METHOD_ORDER.includes(m)) throw new ConfigError(`unknown authentication method ${m}`);
      if (!has[m]) throw new ConfigError(`authentication method ${m} has no callback`);
    }
  }
  const maxAuthTries = o.maxAuthTries ?? 6;
  if (!Number.isInteger(maxAuthTries) || maxAuthTries < 1) {
    throw new ConfigError('maxAuthTries must be an integer ≥ 1');
  }
  return {
    lists,
    pubkeyAlgorithms: acceptedPubkeyAlgorithms(o.pubkeyAlgorithms),
    maxAuthTries,
    loginGraceMs: nonNegative('loginGraceMs', o.loginGraceMs, 120_000),
    failureDelayMs: nonNegative('failureDelayMs', o.failureDelayMs, 5),
    setTimer: o.setTimer ?? defaultSetTimer,
    now: o.now ?? (() => performance.now()),
  };
}

/**
 * The method lists still to complete. A method may be tried while it heads some list; its
 * success removes it from the head of every list it heads, and authentication is complete
 * when a list is empty (sshd's auth2_update_methods_lists).
 */
export class MethodLists {
  private lists: ServerAuthMethod[][];

  constructor(lists: readonly (readonly ServerAuthMethod[])[]) {
    this.lists = lists.map((l) => [...l]);
  }

  /** Methods that can continue, for USERAUTH_FAILURE, in sshd's order. */
  allowed(): ServerAuthMethod[] {
    return METHOD_ORDER.filter((m) => this.lists.some((l) => l[0] === m));
  }

  allows(method: string): method is ServerAuthMethod {
    return this.lists.some((l) => l[0] === method);
  }

  /** Records that `method` succeeded; true when that completes a list. */
  advance(method: ServerAuthMethod): boolean {
    let complete = false;
    this.lists = this.lists.map((l) => {
      if (l[0] !== method) return l;
      const rest = l.slice(1);
      if (rest.length === 0) complete = true;
      return rest;
    });
    return complete;
  }
}
