/**
 * PEM private keys that OpenSSL-based tools write, read by node:crypto createPrivateKey:
 *   RSA PRIVATE KEY        PKCS#1 RSAPrivateKey (RFC 8017 §A.1.2; ssh-keygen -m PEM)
 *   EC PRIVATE KEY         SEC1 ECPrivateKey (RFC 5915 §3; ssh-keygen -m PEM)
 *   PRIVATE KEY            PKCS#8 OneAsymmetricKey (RFC 5958 §2; ssh-keygen -m PKCS8)
 *   ENCRYPTED PRIVATE KEY  PKCS#8 EncryptedPrivateKeyInfo (RFC 5958 §3; PBES2, RFC 8018)
 * The first two may also carry OpenSSL's legacy encryption, RFC 1421 headers
 * "Proc-Type: 4,ENCRYPTED" and "DEK-Info: <cipher>,<iv>" (ssh-keygen -m PEM -N …).
 *
 * Before node:crypto sees the text, the clear DER structure is checked to be whole, so a
 * truncated file is reported as such. Once decryption is involved the two cannot be told
 * apart: any failure of an encrypted key to decrypt and parse is a wrong passphrase, as in
 * OpenSSH, which reports libcrypto's errors there as "incorrect passphrase".
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { KeyFormatError } from '../errors.js';
import type { PemBlock } from './armor.js';
import { derSequenceProblem } from './der.js';
import type { KeyFile } from './key-file.js';
import type { KeyFileFormat } from './signer.js';

const LEGACY_CIPHER = /^([A-Z0-9-]+),([0-9A-Fa-f]+)$/;

/** The type node:crypto must find in a PEM of this label, when the label implies one. */
const expectedType: Readonly<Partial<Record<KeyFileFormat, string>>> = { pkcs1: 'rsa', sec1: 'ec' };

function importError(e: unknown): KeyFormatError {
  const message = e instanceof Error ? e.message : String(e);
  return new KeyFormatError(`cannot read the key: ${message}`, {}, { cause: e });
}

export function readPemKeyFile(block: PemBlock, format: KeyFileFormat): KeyFile {
  const procType = block.headers.get('Proc-Type');
  const legacyEncrypted = procType !== undefined && /^4,\s*ENCRYPTED$/i.test(procType.trim());
  const encrypted = legacyEncrypted || block.label === 'ENCRYPTED PRIVATE KEY';
  if (legacyEncrypted) {
    if (format === 'pkcs8') throw new KeyFormatError('PKCS#8 with legacy PEM encryption headers');
    const dek = LEGACY_CIPHER.exec((block.headers.get('DEK-Info') ?? '').trim());
    if (dek === null) throw new KeyFormatError('encrypted PEM without a valid DEK-Info header');
    // CBC ciphertext is whole blocks; a cut inside a block shows here.
    if (block.body.length === 0 || block.body.length % 8 !== 0) {
      throw new KeyFormatError(
        `truncated: ${block.body.length} bytes of ${dek[1] ?? ''} ciphertext`,
      );
    }
  } else {
    const problem = derSequenceProblem(block.body);
    if (problem !== undefined) throw new KeyFormatError(problem);
  }

  const check = (key: KeyObject): KeyObject => {
    const want = expectedType[format];
    if (key.type !== 'private' || (want !== undefined && key.asymmetricKeyType !== want)) {
      throw new KeyFormatError(`"${block.label}" holds a ${String(key.asymmetricKeyType)} key`);
    }
    return key;
  };

  return {
    format,
    encrypted,
    publicBlob: undefined,
    // async: every failure below becomes a rejection, like the other formats' unlock().
    async unlock(passphrase) {
      if (!encrypted) {
        let key: KeyObject;
        try {
          key = createPrivateKey({ key: block.text, format: 'pem' });
        } catch (e) {
          throw importError(e);
        }
        return { material: { kind: 'keyObject', key: check(key) }, comment: '' };
      }
      if (passphrase === undefined || passphrase === '') return undefined;
      let key: KeyObject;
      try {
        key = createPrivateKey({ key: block.text, format: 'pem', passphrase });
      } catch {
        return undefined;
      }
      return { material: { kind: 'keyObject', key: check(key) }, comment: '' };
    },
  };
}
