/**
 * What every Signer of this layer shows about itself (file keys, token keys): a summary for
 * logs and util.inspect with no key material, and the error for an algorithm it cannot make.
 */
import type { Signer } from '../auth/signer.js';
import { ConfigError } from '../errors.js';
import { fingerprintSha256 } from '../crypto/fingerprint.js';

/** Type, bits, SHA256 fingerprint, comment and source. */
export function signerSummary(s: Signer): Record<string, unknown> {
  return {
    type: s.publicKey.type,
    bits: s.publicKey.bits,
    fingerprint: fingerprintSha256(s.publicKey.blob),
    comment: s.comment,
    source: s.source,
  };
}

/** Throws unless `algorithm` is one the signer makes. */
export function checkSignerAlgorithm(s: Signer, algorithm: string): void {
  if (s.algorithms.includes(algorithm)) return;
  throw new ConfigError(`key ${s.source} (${s.publicKey.type}) cannot sign with ${algorithm}`, {
    algorithm,
    keyType: s.publicKey.type,
    source: s.source,
  });
}
