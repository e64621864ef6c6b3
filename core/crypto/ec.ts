/**
 * The NIST prime curves of RFC 5656 (nistp256/384/521): names on the wire, in node:crypto and
 * JWK, sizes, the hash each uses, and public point validation as OpenSSH does it
 * (sshbuf_get_ec + sshkey_ec_validate_public): uncompressed SEC1 encoding only, on the curve,
 * not the point at infinity, and both coordinates longer than half the order's bits.
 * The curves have cofactor 1, so a point on the curve is in the prime-order group.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';

type NobleCurve = typeof p256;

export type NistCurveId = 'nistp256' | 'nistp384' | 'nistp521';

export interface NistCurve {
  /** Curve identifier as in the key blob and method names (RFC 5656 §10.1). */
  readonly id: NistCurveId;
  /** OpenSSL / node:crypto createECDH name. */
  readonly opensslName: 'prime256v1' | 'secp384r1' | 'secp521r1';
  /** JWK "crv" (RFC 7518 §6.2.1.1). */
  readonly jwkCrv: 'P-256' | 'P-384' | 'P-521';
  /** Bits of the field and of the order (the size ssh-keygen prints). */
  readonly bits: number;
  /** Bytes of one field element: x, y and the ECDH shared secret. */
  readonly fieldBytes: number;
  /** Bytes of one scalar (r, s in a fixed-length signature). */
  readonly scalarBytes: number;
  /** Hash for ECDSA (RFC 5656 §6.2.1) and for the ecdh-sha2-* KEX (§6.2). */
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  /** The group order n. */
  readonly order: bigint;
  readonly noble: NobleCurve;
}

function curve(
  id: NistCurveId,
  opensslName: NistCurve['opensslName'],
  jwkCrv: NistCurve['jwkCrv'],
  hash: NistCurve['hash'],
  noble: NobleCurve,
): NistCurve {
  const Fn = noble.Point.Fn;
  return {
    id,
    opensslName,
    jwkCrv,
    bits: Fn.BITS,
    fieldBytes: noble.Point.Fp.BYTES,
    scalarBytes: Fn.BYTES,
    hash,
    order: Fn.ORDER,
    noble,
  };
}

export const nistCurves: Readonly<Record<NistCurveId, NistCurve>> = {
  nistp256: curve('nistp256', 'prime256v1', 'P-256', 'sha256', p256),
  nistp384: curve('nistp384', 'secp384r1', 'P-384', 'sha384', p384),
  nistp521: curve('nistp521', 'secp521r1', 'P-521', 'sha512', p521),
};

export function nistCurve(id: string): NistCurve | undefined {
  return id === 'nistp256' || id === 'nistp384' || id === 'nistp521' ? nistCurves[id] : undefined;
}

/**
 * Checks an encoded public point Q. Returns undefined when valid, else the reason, for the
 * caller to wrap in its own error type (KeyExchangeFailed in KEX, KeyFormatError in a key).
 */
export function nistPointProblem(c: NistCurve, q: Uint8Array): string | undefined {
  if (q.length !== 1 + 2 * c.fieldBytes || q[0] !== 0x04) {
    return `${c.id} point is not an uncompressed SEC1 point of ${1 + 2 * c.fieldBytes} bytes`;
  }
  let x: bigint;
  let y: bigint;
  try {
    // fromBytes checks 0 ≤ x, y < p and the curve equation.
    const p = c.noble.Point.fromBytes(q).toAffine();
    x = p.x;
    y = p.y;
  } catch {
    return `${c.id} point is not on the curve`;
  }
  const half = c.bits >> 1;
  if (x.toString(2).length <= half || y.toString(2).length <= half) {
    return `${c.id} point has an implausibly small coordinate`;
  }
  return undefined;
}
