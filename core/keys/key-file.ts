/**
 * Private key files, recognised by content (never by name), as OpenSSH's sshkey_parse_private
 * and PuTTY's key_type do:
 *
 *   "PuTTY-User-Key-File-<v>: …"             PuTTY .ppk v2 and v3           ppk.ts
 *   -----BEGIN OPENSSH PRIVATE KEY-----      openssh-key-v1 (PROTOCOL.key)  openssh-key.ts
 *   -----BEGIN RSA PRIVATE KEY-----          PKCS#1 (RFC 8017 §A.1.2)       pem.ts
 *   -----BEGIN EC PRIVATE KEY-----           SEC1 (RFC 5915)                pem.ts
 *   -----BEGIN PRIVATE KEY-----              PKCS#8 (RFC 5958)              pem.ts
 *   -----BEGIN ENCRYPTED PRIVATE KEY-----    PKCS#8 encrypted (RFC 5958 §3) pem.ts
 *
 * A KeyFile is what can be known before the passphrase; unlock() is the rest.
 */
import { KeyFormatError } from '../errors.js';
import { pemLabel, readPemBlock } from './armor.js';
import { readOpenSshKeyFile } from './openssh-key.js';
import { readPemKeyFile } from './pem.js';
import { readPpkFile } from './ppk.js';
import type { KeyFileFormat, KeyMaterial } from './signer.js';

export interface Unlocked {
  readonly material: KeyMaterial;
  /** The comment stored with the key ('' when the format has none). */
  readonly comment: string;
}

export interface KeyFile {
  readonly format: KeyFileFormat;
  readonly encrypted: boolean;
  /** The public key blob when the file shows it without the passphrase (openssh-key-v1, ppk). */
  readonly publicBlob: Uint8Array | undefined;
  /**
   * Decrypts with `passphrase` (ignored when the file is not encrypted). Resolves undefined
   * when the passphrase is wrong; throws KeyFormatError when the content is malformed.
   */
  unlock(passphrase: string | undefined): Promise<Unlocked | undefined>;
}

/** Key files are small: 8192-bit RSA in PEM is under 7 KB. Anything far larger is not one. */
export const MAX_KEY_FILE_BYTES = 1 << 20;

const PEM_FORMATS: ReadonlyMap<string, KeyFileFormat> = new Map<string, KeyFileFormat>([
  ['RSA PRIVATE KEY', 'pkcs1'],
  ['EC PRIVATE KEY', 'sec1'],
  ['PRIVATE KEY', 'pkcs8'],
  ['ENCRYPTED PRIVATE KEY', 'pkcs8'],
]);

/** Why a PEM label that is not a supported private key is refused. */
function labelProblem(label: string): string {
  if (label === 'DSA PRIVATE KEY') return 'DSA keys ("ssh-dss") are not supported';
  if (label.includes('PUBLIC KEY') || label === 'CERTIFICATE') {
    return `this is a public key or certificate ("${label}"), not a private key`;
  }
  if (label === 'SSH2 ENCRYPTED PRIVATE KEY') {
    return 'ssh.com private keys are not supported: convert the key with ssh-keygen or puttygen';
  }
  return `unsupported PEM type "${label}"`;
}

/** Recognises and reads the clear part of a private key file. Throws KeyFormatError. */
export function readKeyFile(data: Uint8Array): KeyFile {
  if (data.length > MAX_KEY_FILE_BYTES) {
    throw new KeyFormatError(`${data.length} bytes is too large for a key file`);
  }
  // latin1 keeps every byte as one character: PuTTY's MAC covers the comment's exact bytes.
  let text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3); // a UTF-8 byte order mark
  const start = text.trimStart();
  if (start.startsWith('PuTTY-User-Key-File-')) return readPpkFile(start);
  const label = pemLabel(text);
  if (label === undefined) {
    if (
      /^(ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/=]{16,}/.test(start) ||
      start.startsWith('---- BEGIN SSH2')
    ) {
      throw new KeyFormatError('this is a public key, not a private key');
    }
    throw new KeyFormatError('not a private key file: no PEM armor and no PuTTY header');
  }
  if (label === 'OPENSSH PRIVATE KEY') return readOpenSshKeyFile(readPemBlock(text).body);
  const format = PEM_FORMATS.get(label);
  if (format === undefined) throw new KeyFormatError(labelProblem(label), { label });
  return readPemKeyFile(readPemBlock(text), format);
}
