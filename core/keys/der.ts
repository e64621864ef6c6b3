/**
 * The little DER (ITU-T X.690) this layer needs:
 *   - writing the private key structures that node:crypto imports, so that key material from
 *     openssh-key-v1 and PuTTY files reaches a KeyObject as bytes we can wipe afterwards,
 *     rather than as JWK strings that linger until garbage collection:
 *       RSAPrivateKey (RFC 8017 §A.1.2, PKCS#1), ECPrivateKey (RFC 5915 §3, SEC1),
 *       OneAsymmetricKey for Ed25519 (RFC 5958 §2, RFC 8410 §7);
 *   - checking that a PEM body is one whole DER SEQUENCE before node:crypto sees it, so a
 *     truncated file is reported as such and not as a wrong passphrase.
 */
import { concatBytes, fromHex } from '../wire/bytes.js';
import { stripLeadingZeros } from '../crypto/bigint.js';
import type { NistCurveId } from '../crypto/ec.js';

function lengthBytes(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Uint8Array.of(0x80 | out.length, ...out);
}

function tlv(tag: number, ...body: readonly Uint8Array[]): Uint8Array {
  const content = concatBytes(...body);
  return concatBytes(Uint8Array.of(tag), lengthBytes(content.length), content);
}

const sequence = (...body: readonly Uint8Array[]): Uint8Array => tlv(0x30, ...body);

/** INTEGER from an unsigned big-endian magnitude (a 0x00 is prepended when the top bit is set). */
function integer(magnitude: Uint8Array): Uint8Array {
  const m = stripLeadingZeros(magnitude);
  if (m.length === 0) return Uint8Array.of(0x02, 0x01, 0x00);
  return ((m[0] ?? 0) & 0x80) !== 0 ? tlv(0x02, Uint8Array.of(0), m) : tlv(0x02, m);
}

const smallInteger = (v: number): Uint8Array => Uint8Array.of(0x02, 0x01, v);
const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);

export interface RsaPrivateParts {
  readonly n: Uint8Array;
  readonly e: Uint8Array;
  readonly d: Uint8Array;
  readonly p: Uint8Array;
  readonly q: Uint8Array;
  /** d mod (p − 1) */
  readonly dp: Uint8Array;
  /** d mod (q − 1) */
  readonly dq: Uint8Array;
  /** q^−1 mod p (OpenSSH's and PuTTY's iqmp, PKCS#1's coefficient) */
  readonly qinv: Uint8Array;
}

/** RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, dp, dq, qinv } (RFC 8017 §A.1.2). */
export function rsaPrivateKeyDer(k: RsaPrivateParts): Uint8Array {
  return sequence(
    smallInteger(0),
    integer(k.n),
    integer(k.e),
    integer(k.d),
    integer(k.p),
    integer(k.q),
    integer(k.dp),
    integer(k.dq),
    integer(k.qinv),
  );
}

/** namedCurve OIDs (RFC 5480 §2.1.1.1), encoded. */
const curveOid: Readonly<Record<NistCurveId, Uint8Array>> = {
  nistp256: fromHex('06082a8648ce3d030107'),
  nistp384: fromHex('06052b81040022'),
  nistp521: fromHex('06052b81040023'),
};

/**
 * ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING (d, fixed length),
 * [0] parameters namedCurve, [1] publicKey BIT STRING (uncompressed Q) } (RFC 5915 §3).
 */
export function ecPrivateKeyDer(curve: NistCurveId, d: Uint8Array, q: Uint8Array): Uint8Array {
  return sequence(
    smallInteger(1),
    octetString(d),
    tlv(0xa0, curveOid[curve]),
    tlv(0xa1, tlv(0x03, Uint8Array.of(0), q)),
  );
}

/**
 * OneAsymmetricKey for Ed25519 (RFC 8410 §7): version 0, algorithm id-Ed25519 (1.3.101.112),
 * privateKey OCTET STRING wrapping the 32-byte seed as CurvePrivateKey (another OCTET STRING).
 */
export function ed25519Pkcs8Der(seed: Uint8Array): Uint8Array {
  return sequence(smallInteger(0), fromHex('300506032b6570'), octetString(octetString(seed)));
}

/**
 * Why `der` is not exactly one DER SEQUENCE with a definite length, or undefined when it is.
 * Only the outer element is checked; node:crypto parses the inside.
 */
export function derSequenceProblem(der: Uint8Array): string | undefined {
  if (der.length < 2 || der[0] !== 0x30) return 'not a DER SEQUENCE';
  const first = der[1] ?? 0;
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) return 'DER length is indefinite or too large';
    if (der.length < 2 + n) return 'truncated DER header';
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[2 + i] ?? 0);
    header = 2 + n;
  }
  if (header + length > der.length) {
    return `truncated: DER says ${header + length} bytes, file has ${der.length}`;
  }
  if (header + length < der.length) {
    return `${der.length - header - length} bytes after the DER structure`;
  }
  return undefined;
}
