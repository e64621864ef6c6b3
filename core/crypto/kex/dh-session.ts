/**
 * The finite-field DH exchange shared by diffie-hellman-group* (RFC 4253 §8, RFC 8268) and
 * diffie-hellman-group-exchange-* (RFC 4419 §3): e = g^x mod p from the client, f = g^y mod p
 * from the server, K = f^x = e^y mod p, each sent as mpint.
 *
 * A peer value must be a minimal, positive mpint with 1 < v < p-1 (RFC 4253 §8: "Values of
 * 'e' or 'f' that are not in the range [1, p-1] MUST NOT be sent or accepted"; OpenSSH's
 * dh_pub_is_valid also refuses 1 and p-1, which only generate subgroups of order ≤ 2, and
 * values with fewer than 4 bits set).
 */
import type { KexClientSession, KexServerResult } from './types.js';
import { KeyExchangeFailed } from '../../errors.js';
import { wipe } from '../../wire/bytes.js';
import { bytesToBigInt } from '../bigint.js';
import type { DhBackend } from './dh-backend.js';
import { magnitudeOfMpintContent, mpintContent, mpintSecret, usedOnce } from './encode.js';

export interface DhGroupParams {
  /** p, unsigned magnitude without leading zeros. */
  readonly p: Uint8Array;
  /** g, unsigned magnitude. */
  readonly g: Uint8Array;
  /** Bits of the private exponent. */
  readonly privateBits: number;
}

/** Validates a peer's e or f (mpint content) against p; returns its magnitude. */
export function checkPeerValue(p: Uint8Array, content: Uint8Array, what: string): Uint8Array {
  const v = magnitudeOfMpintContent(content, what);
  // Compare sizes first so a huge value is rejected before any bigint is built from it.
  if (v.length > p.length) throw new KeyExchangeFailed(`${what} is not less than p`);
  const value = bytesToBigInt(v);
  if (value <= 1n) throw new KeyExchangeFailed(`${what} must be greater than 1`);
  if (value >= bytesToBigInt(p) - 1n) throw new KeyExchangeFailed(`${what} must be less than p-1`);
  // OpenSSH refuses values with fewer than 4 bits set (2^k has a trivial discrete log).
  let bits = 0;
  for (const b of v) for (let x = b; x !== 0; x &= x - 1) bits++;
  if (bits < 4) throw new KeyExchangeFailed(`${what} has only ${bits} bits set`);
  return v;
}

export function dhClientSession(group: DhGroupParams, backend: DhBackend): KexClientSession {
  const eph = backend.generate(group.p, group.g, group.privateBits);
  const once = usedOnce();
  return {
    clientPublic: mpintContent(eph.publicKey),
    computeSecret(serverPublic) {
      once();
      const f = checkPeerValue(group.p, serverPublic, 'DH server value f');
      const raw = eph.agree(f);
      const k = mpintSecret(raw);
      wipe(raw);
      return k;
    },
  };
}

export function dhRespond(
  group: DhGroupParams,
  clientPublic: Uint8Array,
  backend: DhBackend,
): KexServerResult {
  const e = checkPeerValue(group.p, clientPublic, 'DH client value e');
  const eph = backend.generate(group.p, group.g, group.privateBits);
  const raw = eph.agree(e);
  const sharedSecret = mpintSecret(raw);
  wipe(raw);
  return { serverPublic: mpintContent(eph.publicKey), sharedSecret };
}
