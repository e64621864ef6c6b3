/**
 * openssh-key-v1 private key files (OpenSSH PROTOCOL.key), "-----BEGIN OPENSSH PRIVATE
 * KEY-----" armor around:
 *
 *   byte[]  "openssh-key-v1\0"
 *   string  ciphername          none | aes256-ctr | aes256-gcm@openssh.com | … (file-ciphers.ts)
 *   string  kdfname             none | bcrypt
 *   string  kdfoptions          bcrypt: string salt ‖ uint32 rounds; none: empty
 *   uint32  number of keys N    (OpenSSH writes and reads exactly 1)
 *   string  public key 1        a public key blob, in the clear
 *   string  encrypted section   a multiple of the cipher's block size (8 for none)
 *   byte[]  tag                 AEAD ciphers only
 *
 * and the section, once decrypted:
 *
 *   uint32 checkint ‖ uint32 checkint    equal, random: they differ after a wrong passphrase
 *   private key 1                        private-key.ts
 *   string comment
 *   byte[] padding                       1, 2, 3, … up to the block size
 *
 * As in OpenSSH's sshkey_parse_private2: unknown ciphers and KDFs, a cipher without a KDF,
 * more than one key, bad padding, and a private key other than the public one are format
 * errors; different check integers mean a wrong passphrase when encrypted, and corruption
 * when not. Our own limit: bcrypt rounds ≤ BCRYPT_PBKDF_MAX_ROUNDS.
 */
import { KeyFormatError } from '../errors.js';
import { parsePublicKey } from '../crypto/hostkey/parse.js';
import { constantTimeEqual, decodeUtf8, utf8, wipe } from '../wire/bytes.js';
import { SshReader } from '../wire/reader.js';
import { BCRYPT_PBKDF_MAX_ROUNDS, bcryptPbkdf } from './bcrypt-pbkdf.js';
import { fileCipher, type FileCipher } from './file-ciphers.js';
import { partsBlob, readOpenSshPrivate, unsupportedTypeReason } from './private-key.js';
import type { KeyFile, Unlocked } from './key-file.js';

const MAGIC = utf8('openssh-key-v1\0');

interface Kdf {
  readonly salt: Uint8Array;
  readonly rounds: number;
}

function readKdf(kdfName: string, options: Uint8Array): Kdf | undefined {
  if (kdfName === 'none') {
    if (options.length !== 0) throw new KeyFormatError('KDF "none" with KDF options');
    return undefined;
  }
  if (kdfName !== 'bcrypt') throw new KeyFormatError(`unsupported KDF "${kdfName}"`, { kdfName });
  const r = new SshReader(options, 'bcrypt KDF options');
  const salt = r.readString().slice();
  const rounds = r.readUint32();
  r.expectEnd();
  if (salt.length === 0) throw new KeyFormatError('bcrypt KDF with an empty salt');
  if (rounds < 1 || rounds > BCRYPT_PBKDF_MAX_ROUNDS) {
    throw new KeyFormatError(
      `bcrypt KDF rounds ${rounds} outside 1..${BCRYPT_PBKDF_MAX_ROUNDS}` +
        (rounds > BCRYPT_PBKDF_MAX_ROUNDS ? ' (refused: it would take too long)' : ''),
      { rounds, max: BCRYPT_PBKDF_MAX_ROUNDS },
    );
  }
  return { salt, rounds };
}

/** Parses the decrypted section. Returns undefined when the check integers differ. */
function readSection(
  plain: Uint8Array,
  publicBlob: Uint8Array,
  blockSize: number,
): Unlocked | undefined {
  const r = new SshReader(plain, 'openssh-key-v1 private section');
  const check1 = r.readUint32();
  const check2 = r.readUint32();
  if (check1 !== check2) return undefined;
  const parts = readOpenSshPrivate(r);
  const commentBytes = r.readString();
  const comment = decodeUtf8(commentBytes) ?? Buffer.from(commentBytes).toString('latin1');
  const padding = r.readRest();
  if (padding.length >= blockSize || padding.some((b, i) => b !== ((i + 1) & 0xff))) {
    throw new KeyFormatError('bad padding after the private key');
  }
  if (!constantTimeEqual(partsBlob(parts), publicBlob)) {
    throw new KeyFormatError('the private key is not the key named in the public part');
  }
  return { material: { kind: 'parts', parts }, comment };
}

/** Reads the clear part of an openssh-key-v1 file; `body` is what the PEM armor holds. */
export function readOpenSshKeyFile(body: Uint8Array): KeyFile {
  const r = new SshReader(body, 'openssh-key-v1');
  if (body.length < MAGIC.length || !constantTimeEqual(r.readBytes(MAGIC.length), MAGIC)) {
    throw new KeyFormatError('not an openssh-key-v1 file (bad magic)');
  }
  const cipherName = r.readAscii();
  const kdfName = r.readAscii();
  const kdf = readKdf(kdfName, r.readString());
  const count = r.readUint32();
  if (count !== 1) throw new KeyFormatError(`${count} keys in one file: only 1 is supported`);
  const publicBlob = r.readString().slice();
  const encrypted = r.readString();
  let cipher: FileCipher | undefined;
  if (cipherName !== 'none') {
    cipher = fileCipher(cipherName);
    if (cipher === undefined) {
      throw new KeyFormatError(`unsupported cipher "${cipherName}"`, { cipherName });
    }
    if (kdf === undefined) throw new KeyFormatError(`cipher ${cipherName} without a KDF`);
  } else if (kdf !== undefined) {
    throw new KeyFormatError(`KDF ${kdfName} without a cipher`);
  }
  const tag = r.readBytes(cipher?.tagLength ?? 0).slice();
  r.expectEnd();
  const blockSize = cipher?.blockSize ?? 8;
  if (encrypted.length < blockSize || encrypted.length % blockSize !== 0) {
    throw new KeyFormatError(
      `private section of ${encrypted.length} bytes is not a multiple of ${blockSize}`,
    );
  }
  // An unusable public key is reported before anyone is asked for a passphrase.
  const type = new SshReader(publicBlob, 'public key blob').readAscii();
  const unsupported = unsupportedTypeReason(type);
  if (unsupported !== undefined) throw new KeyFormatError(unsupported, { type });
  parsePublicKey(publicBlob);
  const section = encrypted.slice();

  return {
    format: 'openssh',
    encrypted: cipher !== undefined,
    publicBlob,
    async unlock(passphrase) {
      if (cipher === undefined || kdf === undefined) {
        const unlocked = readSection(section, publicBlob, blockSize);
        if (unlocked === undefined) {
          throw new KeyFormatError('check integers differ: the file is corrupt');
        }
        return unlocked;
      }
      const pass = utf8(passphrase ?? '');
      if (pass.length === 0) return undefined; // bcrypt_pbkdf refuses an empty passphrase
      const keyIv = await bcryptPbkdf(
        pass,
        kdf.salt,
        cipher.keyLength + cipher.ivLength,
        kdf.rounds,
      );
      wipe(pass);
      const key = keyIv.subarray(0, cipher.keyLength);
      const iv = keyIv.subarray(cipher.keyLength);
      const plain = cipher.decrypt(key, iv, section, tag);
      wipe(keyIv);
      if (plain === undefined) return undefined;
      try {
        return readSection(plain, publicBlob, blockSize);
      } finally {
        wipe(plain);
      }
    },
  };
}
