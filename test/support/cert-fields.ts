// Certificates made in-process for unit tests: encodeCertificate with sensible defaults (a user
// certificate for "alice", valid forever, no options) signed by a generated CA key pair.
import {
  CERT_FOREVER,
  encodeCertificate,
  type CertificateFields,
  type HostKeyPair,
} from '../../core/crypto/hostkey/index.js';

/** The CA's first signature algorithm (rsa-sha2-512 for RSA). */
function caAlgorithm(ca: HostKeyPair): string {
  return ca.algorithms[0] ?? ca.publicKey.type;
}

/** A certificate of `key` (a plain blob) by `ca`, with `over` replacing the defaults. */
export function makeCertificate(
  ca: HostKeyPair,
  key: Uint8Array,
  over: Partial<CertificateFields> = {},
): Uint8Array {
  const fields: CertificateFields = {
    key,
    nonce: new Uint8Array(32),
    serial: 1n,
    certType: 'user',
    keyId: 'unit',
    principals: ['alice'],
    validAfter: 0n,
    validBefore: CERT_FOREVER,
    criticalOptions: [],
    extensions: [],
    signatureKey: ca.publicKey.blob,
    ...over,
  };
  return encodeCertificate(fields, (d) => ca.sign(caAlgorithm(ca), d));
}

/** A flag extension or option (no data). */
export const flag = (name: string) => ({ name, data: new Uint8Array(0) });
