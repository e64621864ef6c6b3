/**
 * Private key material as SSH key files carry it, before it becomes a signer:
 *
 *   openssh-key-v1 private section (OpenSSH PROTOCOL.key; sshkey_private_serialize):
 *     ssh-ed25519          string ENC(A) ‖ string k ‖ ENC(A)   (seed ‖ public, 64 bytes)
 *     ecdsa-sha2-<id>      string <id> ‖ string Q ‖ mpint d
 *     ssh-rsa              mpint n ‖ mpint e ‖ mpint d ‖ mpint iqmp ‖ mpint p ‖ mpint q
 *   PuTTY private blob (PuTTY manual appendix C.3), beside the public blob:
 *     ssh-ed25519          string k (the seed, as a little-endian integer)
 *     ecdsa-sha2-<id>      mpint d
 *     ssh-rsa              mpint d ‖ mpint p ‖ mpint q ‖ mpint iqmp
 *
 * and its conversion to DER (der.ts) for node:crypto. Values are checked for shape here
 * (sizes, ranges, the public point); whether the private half matches the public half is
 * proved by signing (signer.ts). Other key types get a KeyFormatError naming the type.
 */
import { KeyFormatError } from '../errors.js';
import { bigIntToBytes, bytesToBigInt } from '../crypto/bigint.js';
import { nistCurve, nistPointProblem, type NistCurve } from '../crypto/ec.js';
import { ecdsaBlob } from '../crypto/hostkey/ecdsa.js';
import { ED25519_PUBLIC_BYTES, ed25519Blob } from '../crypto/hostkey/ed25519.js';
import { rsaBlob } from '../crypto/hostkey/rsa.js';
import { constantTimeEqual, wipe } from '../wire/bytes.js';
import { SshReader } from '../wire/reader.js';
import { ecPrivateKeyDer, ed25519Pkcs8Der, rsaPrivateKeyDer } from './der.js';

export type EcdsaKeyType = 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521';

export type PrivateKeyParts =
  | { readonly type: 'ssh-ed25519'; readonly seed: Uint8Array; readonly publicKey: Uint8Array }
  | {
      readonly type: EcdsaKeyType;
      readonly curve: NistCurve;
      /** The scalar, big-endian, exactly curve.scalarBytes long. */
      readonly d: Uint8Array;
      readonly q: Uint8Array;
    }
  | {
      readonly type: 'ssh-rsa';
      readonly n: Uint8Array;
      readonly e: Uint8Array;
      readonly d: Uint8Array;
      readonly p: Uint8Array;
      readonly q: Uint8Array;
      readonly iqmp: Uint8Array;
    };

/**
 * Why a key type from a file cannot be used, or undefined for the types we sign with. The
 * message names the type.
 */
export function unsupportedTypeReason(type: string): string | undefined {
  if (type === 'ssh-ed25519' || type === 'ssh-rsa' || ecdsaCurve(type) !== undefined) {
    return undefined;
  }
  if (type === 'ssh-dss') return 'DSA keys ("ssh-dss") are not supported';
  if (type.startsWith('sk-')) {
    return `"${type}" is a FIDO security key: it needs an authenticator, not supported in files`;
  }
  if (type.includes('-cert-v01@openssh.com')) return `"${type}" is a certificate, not a key`;
  return `unsupported key type "${type}"`;
}

function ecdsaCurve(type: string): NistCurve | undefined {
  return type.startsWith('ecdsa-sha2-') ? nistCurve(type.slice('ecdsa-sha2-'.length)) : undefined;
}

function isEcdsaType(type: string): type is EcdsaKeyType {
  return ecdsaCurve(type) !== undefined;
}

function requireSupported(type: string): void {
  const reason = unsupportedTypeReason(type);
  if (reason !== undefined) throw new KeyFormatError(reason, { type });
}

/** The scalar d, checked to be in [1, n − 1], as exactly scalarBytes bytes. */
function ecdsaScalar(c: NistCurve, d: Uint8Array): Uint8Array {
  const v = bytesToBigInt(d);
  if (v === 0n || v >= c.order) throw new KeyFormatError(`${c.id} private scalar out of range`);
  return bigIntToBytes(v, c.scalarBytes);
}

function checkPoint(c: NistCurve, q: Uint8Array): Uint8Array {
  const problem = nistPointProblem(c, q);
  if (problem !== undefined) throw new KeyFormatError(`ecdsa-sha2-${c.id} public key: ${problem}`);
  return q.slice();
}

/** Reads one key of an openssh-key-v1 private section (after the check integers). */
export function readOpenSshPrivate(r: SshReader): PrivateKeyParts {
  const type = r.readAscii();
  requireSupported(type);
  if (type === 'ssh-ed25519') {
    const publicKey = r.readString().slice();
    const sk = r.readString();
    if (publicKey.length !== ED25519_PUBLIC_BYTES || sk.length !== 64) {
      throw new KeyFormatError('ssh-ed25519 private key has the wrong size');
    }
    if (!constantTimeEqual(sk.subarray(32), publicKey)) {
      throw new KeyFormatError('ssh-ed25519 private key does not contain its public key');
    }
    return { type, seed: sk.slice(0, 32), publicKey };
  }
  if (isEcdsaType(type)) {
    const c = ecdsaCurve(type);
    if (c === undefined) throw new KeyFormatError(`unsupported key type "${type}"`);
    const curveId = r.readAscii();
    if (curveId !== c.id) throw new KeyFormatError(`${type} key names curve ${curveId}`);
    const q = checkPoint(c, r.readString());
    return { type, curve: c, d: ecdsaScalar(c, r.readMpintBytes()), q };
  }
  const n = r.readMpintBytes().slice();
  const e = r.readMpintBytes().slice();
  const d = r.readMpintBytes().slice();
  const iqmp = r.readMpintBytes().slice();
  const p = r.readMpintBytes().slice();
  const q = r.readMpintBytes().slice();
  return { type: 'ssh-rsa', n, e, d, p, q, iqmp };
}

/**
 * Reads a PuTTY private blob for the key in `publicBlob` (already parsed and checked by
 * parsePublicKey). Bytes after the fields are the caller's business (cipher padding).
 */
export function readPpkPrivate(publicBlob: Uint8Array, r: SshReader): PrivateKeyParts {
  const pub = new SshReader(publicBlob, 'public key blob');
  const type = pub.readAscii();
  requireSupported(type);
  if (type === 'ssh-ed25519') {
    const publicKey = pub.readString().slice();
    const le = r.readString();
    if (le.length === 0 || le.length > 32) {
      throw new KeyFormatError('ssh-ed25519 private key has the wrong size');
    }
    const seed = new Uint8Array(32); // a little-endian integer: missing bytes are high zeros
    seed.set(le);
    return { type, seed, publicKey };
  }
  if (isEcdsaType(type)) {
    const c = ecdsaCurve(type);
    if (c === undefined) throw new KeyFormatError(`unsupported key type "${type}"`);
    pub.readAscii();
    const q = checkPoint(c, pub.readString());
    return { type, curve: c, d: ecdsaScalar(c, r.readMpintBytes()), q };
  }
  const e = pub.readMpintBytes().slice();
  const n = pub.readMpintBytes().slice();
  const d = r.readMpintBytes().slice();
  const p = r.readMpintBytes().slice();
  const q = r.readMpintBytes().slice();
  const iqmp = r.readMpintBytes().slice();
  return { type: 'ssh-rsa', n, e, d, p, q, iqmp };
}

/** The public key blob (RFC 4253 §6.6) of the key. */
export function partsBlob(k: PrivateKeyParts): Uint8Array {
  if (k.type === 'ssh-ed25519') return ed25519Blob(k.publicKey);
  if (k.type === 'ssh-rsa') return rsaBlob(k.e, k.n);
  return ecdsaBlob(k.curve, k.q);
}

export interface PrivateKeyDer {
  readonly der: Uint8Array;
  readonly type: 'pkcs1' | 'sec1' | 'pkcs8';
}

/**
 * DER for node:crypto createPrivateKey. RSA's CRT exponents are computed here (variable-time
 * BigInt, once, at load). The caller wipes the result once imported.
 */
export function partsDer(k: PrivateKeyParts): PrivateKeyDer {
  if (k.type === 'ssh-ed25519') return { der: ed25519Pkcs8Der(k.seed), type: 'pkcs8' };
  if (k.type !== 'ssh-rsa') return { der: ecPrivateKeyDer(k.curve.id, k.d, k.q), type: 'sec1' };
  const d = bytesToBigInt(k.d);
  const p = bytesToBigInt(k.p);
  const q = bytesToBigInt(k.q);
  if (p < 3n || q < 3n || d === 0n) {
    throw new KeyFormatError('ssh-rsa private key values are invalid');
  }
  const dp = bigIntToBytes(d % (p - 1n));
  const dq = bigIntToBytes(d % (q - 1n));
  const der = rsaPrivateKeyDer({ ...k, dp, dq, qinv: k.iqmp });
  wipe(dp, dq);
  return { der, type: 'pkcs1' };
}

/** Zeroes the secret fields. */
export function wipeParts(k: PrivateKeyParts): void {
  if (k.type === 'ssh-ed25519') wipe(k.seed);
  else if (k.type === 'ssh-rsa') wipe(k.d, k.p, k.q, k.iqmp);
  else wipe(k.d);
}
