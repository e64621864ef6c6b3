/**
 * Signature blobs (RFC 4253 §6.6): string signature-algorithm ‖ string signature, and the
 * common shape of a parsed public key. Algorithm checks follow OpenSSH's sshkey_verify: the
 * negotiated algorithm must use this key type, and the blob must name that same algorithm.
 */
import { ProtocolError } from '../../errors.js';
import { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';
import { hostKeyAlgorithmKeyType, type HostKeyType } from './algorithms.js';
import type { PublicKey } from './types.js';

/** Builds string algorithm ‖ string signature. */
export function signatureBlob(algorithm: string, signature: Uint8Array): Uint8Array {
  return new SshWriter(signature.length + algorithm.length + 8)
    .writeString(algorithm)
    .writeString(signature)
    .toBytes();
}

/**
 * Verifies the algorithm-specific signature bytes (the inner string) over data. Returns false
 * for a signature that does not verify; throws ProtocolError when the bytes are malformed.
 */
export type InnerVerify = (algorithm: string, signature: Uint8Array, data: Uint8Array) => boolean;

/** A PublicKey whose verify() checks names and framing, then calls `inner`. */
export function makePublicKey(
  type: HostKeyType,
  blob: Uint8Array,
  bits: number,
  inner: InnerVerify,
): PublicKey {
  const own = blob.slice();
  return {
    type,
    blob: own,
    bits,
    verify(algorithm, signatureBlobBytes, data) {
      const wanted = hostKeyAlgorithmKeyType(algorithm);
      if (wanted !== type) {
        throw new ProtocolError(`signature algorithm ${algorithm} does not fit a ${type} key`, {
          algorithm,
          keyType: type,
        });
      }
      const r = new SshReader(signatureBlobBytes, 'signature blob');
      const named = r.readAscii();
      const signature = r.readString();
      r.expectEnd();
      if (named !== algorithm) {
        throw new ProtocolError(`signature blob is ${named}, expected ${algorithm}`, {
          algorithm,
          named,
        });
      }
      return inner(algorithm, signature, data);
    },
  };
}
