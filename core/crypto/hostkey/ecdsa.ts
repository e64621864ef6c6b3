/**
 * ecdsa-sha2-nistp256/384/521 keys and signatures (RFC 5656 §3.1, §3.1.2, §6.2.1).
 *
 *   key blob:  string "ecdsa-sha2-<id>" ‖ string <id> ‖ string Q (uncompressed SEC1)
 *   signature: string "ecdsa-sha2-<id>" ‖ string (mpint r ‖ mpint s)
 *
 * The curve identifier must repeat the key type's curve, and Q must pass OpenSSH's public
 * point checks (core/crypto/ec.ts). Hash: SHA-256/384/512 by curve size. High-S signatures
 * verify (OpenSSH does not require low S). node:crypto after a self-test, else @noble/curves.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { KeyFormatError } from '../../errors.js';
import { utf8 } from '../../wire/bytes.js';
import { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';
import { bigIntToBytes, bytesToBigInt } from '../bigint.js';
import { nistCurves, nistPointProblem, type NistCurve, type NistCurveId } from '../ec.js';
import { selfTest } from '../selftest.js';
import type { HostKeyType } from './algorithms.js';
import { ecdsaMessage, ecdsaVectors } from './selftest-vectors.js';
import { makePublicKey } from './signature.js';
import type { PublicKey } from './types.js';

export type EcdsaVerify = (
  c: NistCurve,
  q: Uint8Array,
  rs: Uint8Array,
  data: Uint8Array,
) => boolean;

export const nodeEcdsaVerify: EcdsaVerify = (c, q, rs, data) => {
  try {
    const n = c.fieldBytes;
    const key = createPublicKey({
      key: {
        kty: 'EC',
        crv: c.jwkCrv,
        x: Buffer.from(q.subarray(1, 1 + n)).toString('base64url'),
        y: Buffer.from(q.subarray(1 + n)).toString('base64url'),
      },
      format: 'jwk',
    });
    return nodeVerify(c.hash, data, { key, dsaEncoding: 'ieee-p1363' }, rs);
  } catch {
    return false;
  }
};

export const nobleEcdsaVerify: EcdsaVerify = (c, q, rs, data) => {
  try {
    return c.noble.verify(rs, data, q, { prehash: true, lowS: false });
  } catch {
    return false;
  }
};

function selfTestFor(c: NistCurve): () => boolean {
  return selfTest(() => {
    const v = ecdsaVectors[c.id];
    const q = new Uint8Array(Buffer.from(v.q, 'base64'));
    const rs = new Uint8Array(Buffer.from(v.sig, 'base64'));
    const msg = utf8(ecdsaMessage);
    const other = utf8(ecdsaMessage + '!');
    return nodeEcdsaVerify(c, q, rs, msg) && !nodeEcdsaVerify(c, q, rs, other);
  });
}
const nodeWorks: Readonly<Record<NistCurveId, () => boolean>> = {
  nistp256: selfTestFor(nistCurves.nistp256),
  nistp384: selfTestFor(nistCurves.nistp384),
  nistp521: selfTestFor(nistCurves.nistp521),
};

/** node:crypto when its self-test for this curve passes, else noble. */
export function ecdsaVerifier(c: NistCurve): EcdsaVerify {
  return nodeWorks[c.id]() ? nodeEcdsaVerify : nobleEcdsaVerify;
}

/** Every verifier that works for this curve, fastest first. */
export function ecdsaVerifiers(c: NistCurve): EcdsaVerify[] {
  return nodeWorks[c.id]() ? [nodeEcdsaVerify, nobleEcdsaVerify] : [nobleEcdsaVerify];
}

/** The key blob for an uncompressed point Q. */
export function ecdsaBlob(c: NistCurve, q: Uint8Array): Uint8Array {
  return new SshWriter(q.length + 48)
    .writeString(`ecdsa-sha2-${c.id}`)
    .writeString(c.id)
    .writeString(q)
    .toBytes();
}

/** The inner signature: mpint r ‖ mpint s, from r ‖ s of fixed length. */
export function ecdsaSignatureFromRs(c: NistCurve, rs: Uint8Array): Uint8Array {
  const n = c.scalarBytes;
  return new SshWriter(rs.length + 10)
    .writeMpintBytes(rs.subarray(0, n))
    .writeMpintBytes(rs.subarray(n, 2 * n))
    .toBytes();
}

/**
 * r ‖ s at fixed length from the inner signature, or undefined when r or s is outside
 * [1, n-1] (a signature that cannot verify). Malformed framing throws ProtocolError.
 */
function rsFromSignature(c: NistCurve, sig: Uint8Array): Uint8Array | undefined {
  const r = new SshReader(sig, `${c.id} ECDSA signature`);
  const rBytes = r.readMpintBytes();
  const sBytes = r.readMpintBytes();
  r.expectEnd();
  if (rBytes.length > c.scalarBytes || sBytes.length > c.scalarBytes) return undefined;
  const rv = bytesToBigInt(rBytes);
  const sv = bytesToBigInt(sBytes);
  if (rv === 0n || sv === 0n || rv >= c.order || sv >= c.order) return undefined;
  const out = new Uint8Array(2 * c.scalarBytes);
  out.set(bigIntToBytes(rv, c.scalarBytes), 0);
  out.set(bigIntToBytes(sv, c.scalarBytes), c.scalarBytes);
  return out;
}

/** Parses the fields after the key type. The caller checks the end of the blob. */
export function parseEcdsa(
  type: HostKeyType,
  c: NistCurve,
  r: SshReader,
  blob: Uint8Array,
): PublicKey {
  const curveId = r.readAscii();
  if (curveId !== c.id) {
    throw new KeyFormatError(`${type} key names curve ${curveId}`, { type, curveId });
  }
  const q = r.readString().slice();
  const problem = nistPointProblem(c, q);
  if (problem !== undefined) throw new KeyFormatError(`${type} public key: ${problem}`);
  return makePublicKey(type, blob, c.bits, (_alg, sig, data) => {
    const rs = rsFromSignature(c, sig);
    return rs !== undefined && ecdsaVerifier(c)(c, q, rs, data);
  });
}
