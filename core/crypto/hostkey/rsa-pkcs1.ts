/**
 * RSASSA-PKCS1-v1_5 verification in BigInt (RFC 8017 §8.2.2, EMSA-PKCS1-v1_5 §9.2), the
 * fallback when node:crypto refuses a hash for signatures (a FIPS or crypto-policy build that
 * rejects SHA-1 RSA signatures). Public-key operation only: no secret is involved, so
 * variable-time arithmetic is harmless. The encoded message must match exactly, as OpenSSH's
 * openssh_RSA_verify requires (DigestInfo with an explicit NULL parameter).
 */
import { constantTimeEqual, fromHex } from '../../wire/bytes.js';
import { bigIntToBytes, bytesToBigInt, modPow } from '../bigint.js';
import { hash, type HashName } from '../hash.js';

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const digestInfoPrefix: Readonly<Partial<Record<HashName, Uint8Array>>> = {
  sha1: fromHex('3021300906052b0e03021a05000414'),
  sha256: fromHex('3031300d060960864801650304020105000420'),
  sha512: fromHex('3051300d060960864801650304020305000440'),
};

/**
 * DER DigestInfo(H(data)) (RFC 8017 §9.2 step 2), the input of a raw RSASSA-PKCS1-v1_5 sign
 * such as PKCS#11's CKM_RSA_PKCS; undefined for a hash without a prefix here.
 */
export function pkcs1DigestInfo(hashName: HashName, data: Uint8Array): Uint8Array | undefined {
  const prefix = digestInfoPrefix[hashName];
  if (prefix === undefined) return undefined;
  const h = hash(hashName, data);
  const t = new Uint8Array(prefix.length + h.length);
  t.set(prefix);
  t.set(h, prefix.length);
  return t;
}

/** EM = 0x00 ‖ 0x01 ‖ 0xff… ‖ 0x00 ‖ DigestInfo(H(data)), k bytes. */
function encode(hashName: HashName, data: Uint8Array, k: number): Uint8Array | undefined {
  const t = pkcs1DigestInfo(hashName, data);
  if (t === undefined) return undefined;
  const tLen = t.length;
  if (k < tLen + 11) return undefined;
  const em = new Uint8Array(k);
  em[1] = 0x01;
  em.fill(0xff, 2, k - tLen - 1);
  em.set(t, k - tLen);
  return em;
}

/**
 * Verifies a signature of exactly modulus length over data. n and e are unsigned magnitudes.
 */
export function rsaPkcs1Verify(
  n: Uint8Array,
  e: Uint8Array,
  hashName: HashName,
  signature: Uint8Array,
  data: Uint8Array,
): boolean {
  const k = n.length;
  if (signature.length !== k) return false;
  const nv = bytesToBigInt(n);
  const s = bytesToBigInt(signature);
  if (s >= nv) return false;
  const em = encode(hashName, data, k);
  if (em === undefined) return false;
  const m = bigIntToBytes(modPow(s, bytesToBigInt(e), nv), k);
  return constantTimeEqual(m, em);
}
