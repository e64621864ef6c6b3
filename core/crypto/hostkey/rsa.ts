/**
 * ssh-rsa keys; rsa-sha2-512, rsa-sha2-256 (RFC 8332) and ssh-rsa (SHA-1, RFC 4253 §6.6)
 * signatures, all RSASSA-PKCS1-v1_5.
 *
 *   key blob:  string "ssh-rsa" ‖ mpint e ‖ mpint n
 *   signature: string <algorithm> ‖ string S (big-endian, at most the modulus length)
 *
 * Like OpenSSH: n of 1024 to 16384 bits (SSH_RSA_MINIMUM_MODULUS_SIZE, SSHBUF_MAX_BIGNUM),
 * e odd and > 1, e at most 64 bits when n exceeds 3072 bits (OpenSSL's limit); a signature
 * shorter than the modulus is left-padded with zeros, a longer one fails.
 * node:crypto per hash after a known-answer self-test, else the BigInt verifier.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { KeyFormatError } from '../../errors.js';
import { utf8 } from '../../wire/bytes.js';
import type { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';
import { bitLength } from '../bigint.js';
import type { HashName } from '../hash.js';
import { selfTest } from '../selftest.js';
import { rsaHashOf } from './algorithms.js';
import { rsaPkcs1Verify } from './rsa-pkcs1.js';
import { rsaMessage, rsaVector } from './selftest-vectors.js';
import { makePublicKey } from './signature.js';
import type { PublicKey } from './types.js';

export const RSA_MIN_BITS = 1024;
export const RSA_MAX_BITS = 16384;

/** Verifies S (exactly modulus length) over data; n and e are unsigned magnitudes. */
export type RsaVerify = (
  n: Uint8Array,
  e: Uint8Array,
  hashName: HashName,
  signature: Uint8Array,
  data: Uint8Array,
) => boolean;

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

export const nodeRsaVerify: RsaVerify = (n, e, hashName, signature, data) => {
  try {
    const key = createPublicKey({ key: { kty: 'RSA', n: b64u(n), e: b64u(e) }, format: 'jwk' });
    return nodeVerify(hashName, data, key, signature);
  } catch {
    return false;
  }
};

export const bigintRsaVerify: RsaVerify = rsaPkcs1Verify;

type RsaHash = 'sha1' | 'sha256' | 'sha512';
function selfTestFor(h: RsaHash): () => boolean {
  return selfTest(() => {
    const n = new Uint8Array(Buffer.from(rsaVector.n, 'base64url'));
    const e = Uint8Array.of(1, 0, 1);
    const sig = new Uint8Array(Buffer.from(rsaVector[h], 'base64url'));
    return (
      nodeRsaVerify(n, e, h, sig, utf8(rsaMessage)) &&
      !nodeRsaVerify(n, e, h, sig, utf8(rsaMessage + '!'))
    );
  });
}
const nodeWorks: Readonly<Record<RsaHash, () => boolean>> = {
  sha1: selfTestFor('sha1'),
  sha256: selfTestFor('sha256'),
  sha512: selfTestFor('sha512'),
};

function isRsaHash(h: HashName): h is RsaHash {
  return h === 'sha1' || h === 'sha256' || h === 'sha512';
}

/** node:crypto when its self-test for this hash passes, else BigInt. */
export function rsaVerifier(h: HashName): RsaVerify {
  return isRsaHash(h) && nodeWorks[h]() ? nodeRsaVerify : bigintRsaVerify;
}

/** Every verifier that works for this hash, fastest first. */
export function rsaVerifiers(h: HashName): RsaVerify[] {
  return isRsaHash(h) && nodeWorks[h]() ? [nodeRsaVerify, bigintRsaVerify] : [bigintRsaVerify];
}

/** The key blob for magnitudes e and n. */
export function rsaBlob(e: Uint8Array, n: Uint8Array): Uint8Array {
  return new SshWriter(n.length + e.length + 24)
    .writeString('ssh-rsa')
    .writeMpintBytes(e)
    .writeMpintBytes(n)
    .toBytes();
}

/** Parses the fields after the key type. The caller checks the end of the blob. */
export function parseRsa(r: SshReader, blob: Uint8Array): PublicKey {
  const e = r.readMpintBytes().slice();
  const n = r.readMpintBytes().slice();
  const nBits = bitLength(n);
  const eBits = bitLength(e);
  if (nBits < RSA_MIN_BITS || nBits > RSA_MAX_BITS) {
    throw new KeyFormatError(
      `ssh-rsa modulus of ${nBits} bits is outside [${RSA_MIN_BITS}, ${RSA_MAX_BITS}]`,
      { bits: nBits },
    );
  }
  if (eBits < 2 || ((e[e.length - 1] ?? 0) & 1) === 0) {
    throw new KeyFormatError('ssh-rsa public exponent must be odd and greater than 1');
  }
  if (eBits >= nBits || (nBits > 3072 && eBits > 64)) {
    throw new KeyFormatError(`ssh-rsa public exponent of ${eBits} bits is too large`);
  }
  return makePublicKey('ssh-rsa', blob, nBits, (alg, sig, data) => {
    const hashName = rsaHashOf(alg);
    if (hashName === undefined || sig.length > n.length) return false;
    const padded = new Uint8Array(n.length);
    padded.set(sig, n.length - sig.length);
    return rsaVerifier(hashName)(n, e, hashName, padded, data);
  });
}
