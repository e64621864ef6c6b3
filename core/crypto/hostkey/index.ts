/**
 * Host keys: parsing public key blobs, verifying and making signatures (RFC 4253 §6.6,
 * RFC 5656, RFC 8332, RFC 8709), and the names KEXINIT negotiates.
 */
export type { HostKeyPair, PublicKey } from './types.js';
export {
  CERT_SUFFIX,
  certificateHostKeyAlgorithms,
  hostKeyAlgorithmKeyType,
  isCertificateName,
  legacyCertificateHostKeyAlgorithms,
  plainName,
  type AnyKeyType,
  type CertKeyType,
  legacyHostKeyAlgorithms,
  signatureAlgorithmsFor,
  supportedHostKeyAlgorithms,
  type HostKeyType,
  type RsaSignatureAlgorithm,
} from './algorithms.js';
export { parsePlainPublicKey, parsePublicKey } from './parse.js';
export {
  CERT_FOREVER,
  DEFAULT_CA_SIGNATURE_ALGORITHMS,
  MAX_CERT_OPTIONS,
  MAX_CERT_PRINCIPALS,
  encodeCertificate,
  optionString,
  verifyCertificateSignature,
  type Certificate,
  type CertificateFields,
  type CertificateOption,
  type CertificateType,
} from './certificate.js';
export { signatureBlob } from './signature.js';
export { DEFAULT_RSA_BITS, generateHostKeyPair } from './generate.js';
