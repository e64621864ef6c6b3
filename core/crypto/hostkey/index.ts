/**
 * Host keys: parsing public key blobs, verifying and making signatures (RFC 4253 §6.6,
 * RFC 5656, RFC 8332, RFC 8709), and the names KEXINIT negotiates.
 */
export type { HostKeyPair, PublicKey } from './types.js';
export {
  hostKeyAlgorithmKeyType,
  legacyHostKeyAlgorithms,
  signatureAlgorithmsFor,
  supportedHostKeyAlgorithms,
  type HostKeyType,
  type RsaSignatureAlgorithm,
} from './algorithms.js';
export { parsePublicKey } from './parse.js';
export { signatureBlob } from './signature.js';
export { DEFAULT_RSA_BITS, generateHostKeyPair } from './generate.js';
