/**
 * Hash functions for the exchange hash and key derivation (RFC 4253 §7.2, §8; RFC 5656 §6.2;
 * RFC 8731 §3), fingerprints, and signature digests.
 *
 * node:crypto createHash (OpenSSL and BoringSSL both have all five) after a known-answer
 * self-test per algorithm; @noble/hashes otherwise (e.g. MD5 refused by a FIPS build).
 */
import { createHash } from 'node:crypto';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { KexHashName } from './kex/types.js';
import { sameBytes, selfTest } from './selftest.js';

export type HashName = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** Digest length in bytes. */
export const hashLength: Readonly<Record<HashName, number>> = {
  md5: 16,
  sha1: 20,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

interface NobleHash {
  create(): { update(b: Uint8Array): unknown; digest(): Uint8Array };
}
const noble: Readonly<Record<HashName, NobleHash>> = { md5, sha1, sha256, sha384, sha512 };

// Digests of "abc" (FIPS 180-4 examples, RFC 1321 §A.5), truncated to 8 bytes.
const abcPrefix: Readonly<Record<HashName, string>> = {
  md5: '900150983cd24fb0',
  sha1: 'a9993e364706816a',
  sha256: 'ba7816bf8f01cfea',
  sha384: 'cb00753f45a35e8b',
  sha512: 'ddaf35a193617aba',
};

function makeSelfTest(name: HashName): () => boolean {
  return selfTest(() => {
    const d = createHash(name).update('abc').digest();
    const want = Buffer.from(abcPrefix[name], 'hex');
    return d.length === hashLength[name] && sameBytes(d.subarray(0, 8), want);
  });
}
const nodeHasHash: Readonly<Record<HashName, () => boolean>> = {
  md5: makeSelfTest('md5'),
  sha1: makeSelfTest('sha1'),
  sha256: makeSelfTest('sha256'),
  sha384: makeSelfTest('sha384'),
  sha512: makeSelfTest('sha512'),
};

/** Digest of the concatenation of `parts`. */
export function hash(name: HashName, ...parts: readonly Uint8Array[]): Uint8Array {
  if (nodeHasHash[name]()) {
    const h = createHash(name);
    for (const p of parts) h.update(p);
    const d = h.digest();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  return nobleHash(name, ...parts);
}

/** The @noble/hashes path, exported so tests can cross-check the two backends. */
export function nobleHash(name: HashName, ...parts: readonly Uint8Array[]): Uint8Array {
  const h = noble[name].create();
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The KEX method's hash (H = HASH(exchange data); RFC 4253 §7.2 key derivation). */
export function kexHash(name: KexHashName, ...parts: readonly Uint8Array[]): Uint8Array {
  return hash(name, ...parts);
}
