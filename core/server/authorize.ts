/**
 * Whether a presented public key may log in, by authorized_keys (sshd(8) AUTHORIZED_KEYS FILE
 * FORMAT; OpenSSH's auth_check_authkey_line and auth_authorise_keyopts):
 *
 * Lines are tried in order. A line whose key is the presented key (same type, same blob) is
 * then checked: a cert-authority line does not authorize the key itself; an expiry-time before
 * `now` refuses it; principals= without cert-authority refuses it (OpenSSH does, whatever the
 * manual says); from= must admit the client (address-match.ts). The first line that passes
 * decides, with its restrictions; a line that matched but was refused is recorded in `denials`
 * and the search goes on, as sshd's does.
 *
 * This answers for a key, not for a signature: the caller grants access only after the key's
 * signature over the session has verified, and binds the session to that key.
 */
import { matchHostAndAddress } from './address-match.js';
import type { AuthorizedKeyEntry } from './authorized-keys.js';
import type { KeyRestrictions } from './key-options.js';

/** The key a client offers: its type (as inside the blob: ssh-rsa for rsa-sha2-*) and blob. */
export interface CandidateKey {
  readonly type: string;
  readonly blob: Uint8Array;
}

/** Where the connection comes from, and when. */
export interface ConnectionContext {
  /** The client's IP address as the socket reports it (an IPv4-mapped form is fine). */
  readonly address: string;
  /**
   * The client's canonical host name, when the server resolved it and checked that it maps
   * back to the address (sshd's UseDNS). Without one, from= sees the address in its place.
   */
  readonly hostName?: string;
  /** The time to judge expiry-time by, in ms since the epoch (Date.now()). */
  readonly now: number;
}

export type KeyDenialReason = 'cert-authority' | 'expired' | 'principals-without-ca' | 'from';

/** A line whose key matched but which refused it. */
export interface KeyDenial {
  readonly file: string;
  readonly line: number;
  readonly reason: KeyDenialReason;
  readonly message: string;
}

export type AuthorizeResult =
  | {
      readonly kind: 'authorized';
      readonly entry: AuthorizedKeyEntry;
      readonly restrictions: KeyRestrictions;
      /** Earlier lines with the same key that refused it. */
      readonly denials: readonly KeyDenial[];
    }
  | {
      readonly kind: 'refused';
      /**
       * `not-listed`: no line has the key; `denied`: lines have it but each refused it (see
       * denials); `certificate`: a certificate was offered, which authorized-ca.ts and
       * trusted-ca.ts judge instead.
       */
      readonly reason: 'not-listed' | 'denied' | 'certificate';
      readonly message: string;
      readonly denials: readonly KeyDenial[];
    };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Why `entry` refuses a connection, or undefined when it admits it. */
function refusal(
  entry: AuthorizedKeyEntry,
  ctx: ConnectionContext,
): Omit<KeyDenial, 'file' | 'line'> | undefined {
  const o = entry.options;
  if (o.certAuthority) {
    return { reason: 'cert-authority', message: 'the line is a cert-authority, not a login key' };
  }
  if (o.expiresAt !== undefined && Math.floor(ctx.now / 1000) * 1000 > o.expiresAt) {
    return {
      reason: 'expired',
      message: `the line expired at ${new Date(o.expiresAt).toISOString()}`,
    };
  }
  if (o.principals !== undefined) {
    return {
      reason: 'principals-without-ca',
      message: 'principals= on a line without cert-authority',
    };
  }
  if (o.from !== undefined && matchHostAndAddress(ctx.hostName, ctx.address, o.from) !== 1) {
    const who = ctx.hostName === undefined ? ctx.address : `${ctx.hostName} (${ctx.address})`;
    return { reason: 'from', message: `${who} is not permitted by from="${o.from}"` };
  }
  return undefined;
}

const CERT_SUFFIX = '-cert-v01@openssh.com';

/** Looks `key` up in `entries` (one or more files' entries, in the order sshd reads them). */
export function authorizeKey(
  entries: readonly AuthorizedKeyEntry[],
  key: CandidateKey,
  ctx: ConnectionContext,
): AuthorizeResult {
  if (key.type.endsWith(CERT_SUFFIX)) {
    return {
      kind: 'refused',
      reason: 'certificate',
      message: `certificate keys (${key.type}) are judged by their CA (authorized-ca.ts, trusted-ca.ts)`,
      denials: [],
    };
  }
  const denials: KeyDenial[] = [];
  for (const entry of entries) {
    if (entry.type !== key.type || !sameBytes(entry.blob, key.blob)) continue;
    const no = refusal(entry, ctx);
    if (no === undefined) {
      return { kind: 'authorized', entry, restrictions: entry.options.restrictions, denials };
    }
    denials.push({ file: entry.file, line: entry.line, ...no });
  }
  if (denials.length === 0) {
    return {
      kind: 'refused',
      reason: 'not-listed',
      message: 'the key is not in authorized_keys',
      denials,
    };
  }
  return {
    kind: 'refused',
    reason: 'denied',
    message: denials.map((d) => `${d.file}:${d.line}: ${d.message}`).join('; '),
    denials,
  };
}
