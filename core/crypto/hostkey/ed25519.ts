/**
 * ssh-ed25519 keys and signatures (RFC 8709 §4, §6; RFC 8032 §5.1).
 *
 *   key blob:  string "ssh-ed25519" ‖ string ENC(A) (32 bytes)
 *   signature: string "ssh-ed25519" ‖ string R ‖ S (64 bytes)
 *
 * Verification through node:crypto after a known-answer self-test, else @noble/curves with
 * the strict RFC 8032 rules (zip215: false), matching OpenSSL and OpenSSH's ref10 code.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { KeyFormatError, ProtocolError } from '../../errors.js';
import { fromHex } from '../../wire/bytes.js';
import type { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';
import { selfTest } from '../selftest.js';
import { ed25519Vector } from './selftest-vectors.js';
import { makePublicKey } from './signature.js';
import type { PublicKey } from './types.js';

export const ED25519_PUBLIC_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

export type Ed25519Verify = (publicKey: Uint8Array, sig: Uint8Array, data: Uint8Array) => boolean;

export const nodeEd25519Verify: Ed25519Verify = (publicKey, sig, data) => {
  try {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
      format: 'jwk',
    });
    return nodeVerify(null, data, key, sig);
  } catch {
    return false; // the self-test passed, so a throw here is about this key or signature
  }
};

export const nobleEd25519Verify: Ed25519Verify = (publicKey, sig, data) => {
  try {
    return ed25519.verify(sig, data, publicKey, { zip215: false });
  } catch {
    return false; // an undecodable point or S ≥ L is a bad signature, not a malformed blob
  }
};

const nodeWorks = selfTest(() => {
  const pk = fromHex(ed25519Vector.publicKey);
  const sig = fromHex(ed25519Vector.signature);
  const bad = sig.slice();
  bad[0] = (bad[0] ?? 0) ^ 1;
  const empty = new Uint8Array(0);
  return nodeEd25519Verify(pk, sig, empty) && !nodeEd25519Verify(pk, bad, empty);
});

/** node:crypto when its self-test passes, else noble. */
export function ed25519Verifier(): Ed25519Verify {
  return nodeWorks() ? nodeEd25519Verify : nobleEd25519Verify;
}

/** Every verifier that works here, fastest first. */
export function ed25519Verifiers(): Ed25519Verify[] {
  return nodeWorks() ? [nodeEd25519Verify, nobleEd25519Verify] : [nobleEd25519Verify];
}

/** The key blob for a 32-byte public key. */
export function ed25519Blob(publicKey: Uint8Array): Uint8Array {
  return new SshWriter(51).writeString('ssh-ed25519').writeString(publicKey).toBytes();
}

/** Parses the fields after the key type. The caller checks the end of the blob. */
export function parseEd25519(r: SshReader, blob: Uint8Array): PublicKey {
  const pk = r.readString().slice();
  if (pk.length !== ED25519_PUBLIC_BYTES) {
    throw new KeyFormatError(`ssh-ed25519 public key must be 32 bytes, got ${pk.length}`);
  }
  return makePublicKey('ssh-ed25519', blob, 256, (_alg, sig, data) => {
    if (sig.length !== ED25519_SIGNATURE_BYTES) {
      throw new ProtocolError(`ssh-ed25519 signature must be 64 bytes, got ${sig.length}`);
    }
    return ed25519Verifier()(pk, sig, data);
  });
}
