/**
 * Keys (DESIGN.md keys/): private key files as Signers (core/auth/signer.ts), public key text,
 * and OpenSSH's default identity files. Private key bytes never leave this layer.
 *
 *   loadPrivateKeyFile / parsePrivateKey   openssh-key-v1, PEM PKCS#1 / SEC1, PKCS#8, PuTTY
 *                                          .ppk v2 / v3; ed25519, ecdsa-nistp256/384/521, rsa
 *   readPrivateKeyFileInfo                 format, encryption and (where the file shows it)
 *                                          the public key, without a passphrase
 *   parsePublicKeyText / loadPublicKeyFile OpenSSH one-line and RFC 4716 public keys
 *   formatOpenSshPublicKey / formatRfc4716PublicKey
 *   defaultIdentityFiles                   ~/.ssh/id_rsa, … in OpenSSH's order
 *   writeNewKeyFile                        a new key pair on disk, as ssh-keygen writes it
 *   bcryptPbkdf                            the openssh-key-v1 KDF
 *   certifiedSigner / loadCertificateFile  OpenSSH certificates as Signers (PROTOCOL.certkeys)
 *   checkCertificate / describeCertificate validity checks; ssh-keygen -L's display
 */
export {
  DEFAULT_PASSPHRASE_ATTEMPTS,
  loadPrivateKeyFile,
  parsePrivateKey,
  readPrivateKeyFileInfo,
  type LoadPrivateKeyOptions,
  type ParsePrivateKeyOptions,
  type PassphraseCallback,
  type PassphrasePrompt,
  type PrivateKeyFileInfo,
} from './load.js';
export { FileSigner, type KeyFileFormat } from './signer.js';
export {
  KeyPermissionError,
  PassphraseCancelledError,
  PassphraseRequiredError,
  WrongPassphraseError,
} from './errors.js';
export {
  formatOpenSshPublicKey,
  formatRfc4716PublicKey,
  loadPublicKeyFile,
  parsePublicKeyText,
  type PublicKeyWithComment,
} from './public-key-file.js';
export { DEFAULT_IDENTITY_NAMES, defaultIdentityFiles } from './identity-files.js';
export { BCRYPT_PBKDF_MAX_ROUNDS, bcryptPbkdf, bcryptPbkdfSync } from './bcrypt-pbkdf.js';
export { PPK_MAX_ARGON2_MEMORY_KIB, PPK_MAX_ARGON2_WORK } from './ppk.js';
export type { GeneratedKeyType } from './generate.js';
export { openToOthers } from './file-io.js';
export { DEFAULT_KDF_ROUNDS } from './openssh-key-writer.js';
export {
  KeyFileExistsError,
  writeNewKeyFile,
  type NewKeyFile,
  type NewKeyFileOptions,
} from './new-key-file.js';
export * from './pkcs11/index.js';
export { changeKeyFilePassphrase, type PassphraseChange } from './passphrase-change.js';
export { readAnyPublicKeys } from './any-public-key.js';
export {
  certificateAlgorithms,
  certificatePathFor,
  certifiedHostKey,
  certifiedSigner,
  certifies,
  loadCertificateFile,
} from './cert-signer.js';
export { checkCertificate, type CertificateCheckOptions } from './cert-validate.js';
export { certificateTime, certificateValidity, describeCertificate } from './cert-describe.js';
