/**
 * Ciphers of encrypted openssh-key-v1 files (OpenSSH PROTOCOL.key; cipher.c): the private
 * section is encrypted in one piece, with the key and IV taken from bcrypt_pbkdf output
 * (key ‖ IV), and for the AEAD ciphers a tag follows the encrypted string in the file.
 *
 *   aes128/192/256-ctr           RFC 4344 §4, counter = the IV
 *   aes128/192/256-cbc           no padding (the section is padded to the block size)
 *   aes128/256-gcm@openssh.com   12-byte IV as the nonce, no AAD, 16-byte tag (PROTOCOL §1.6)
 *   chacha20-poly1305@openssh.com  64-byte key, K_2 = first 32 bytes; sequence number 0;
 *                                Poly1305 key from block 0, data from block 1, no AAD
 *                                (PROTOCOL.chacha20poly1305 with an empty length field)
 * 3des-cbc, which ssh-keygen can still be told to use, is not supported.
 *
 * Decryption only, through the packet primitives in core/crypto/cipher, or @noble/ciphers for
 * CBC, which the packet layer does not have. AEAD tags are checked before anything is used.
 */
import { timingSafeEqual } from 'node:crypto';
import { cbc } from '@noble/ciphers/aes.js';
import { resolveBackend } from '../crypto/backend.js';
import {
  aes128CtrInfo,
  aes192CtrInfo,
  aes256CtrInfo,
  aesCtrNative,
  aesCtrStream,
} from '../crypto/cipher/aes-ctr.js';
import { gcmPrimitive } from '../crypto/cipher/aes-gcm.js';
import { chachaFactory } from '../crypto/cipher/chacha20.js';
import { poly1305 } from '../crypto/cipher/poly1305.js';
import type { CipherInfo } from '../crypto/cipher/types.js';
import { wipe } from '../wire/bytes.js';

export interface FileCipher {
  readonly name: string;
  readonly keyLength: number;
  readonly ivLength: number;
  /** The private section's length is a multiple of this, and its padding fills up to it. */
  readonly blockSize: number;
  /** Bytes of authentication tag after the encrypted string (0 for non-AEAD ciphers). */
  readonly tagLength: number;
  /** Plaintext, or undefined when an AEAD tag does not verify. */
  decrypt(
    key: Uint8Array,
    iv: Uint8Array,
    data: Uint8Array,
    tag: Uint8Array,
  ): Uint8Array | undefined;
}

function ctrCipher(info: CipherInfo): FileCipher {
  return {
    name: info.name,
    keyLength: info.keyLength,
    ivLength: 16,
    blockSize: 16,
    tagLength: 0,
    decrypt(key, iv, data) {
      const stream = aesCtrStream(info, key, iv, resolveBackend(aesCtrNative(info)));
      const out = stream.xor(data);
      stream.dispose();
      return out;
    },
  };
}

function cbcCipher(name: string, keyLength: number): FileCipher {
  return {
    name,
    keyLength,
    ivLength: 16,
    blockSize: 16,
    tagLength: 0,
    decrypt: (key, iv, data) => cbc(key, iv, { disablePadding: true }).decrypt(data),
  };
}

function gcmCipher(name: string, keyLength: number): FileCipher {
  return {
    name,
    keyLength,
    ivLength: 12,
    blockSize: 16,
    tagLength: 16,
    decrypt(key, iv, data, tag) {
      const gcm = gcmPrimitive(
        key,
        resolveBackend(keyLength === 16 ? 'aes-128-gcm' : 'aes-256-gcm'),
      );
      const sealed = new Uint8Array(data.length + tag.length);
      sealed.set(data);
      sealed.set(tag, data.length);
      return gcm.open(iv, new Uint8Array(0), sealed);
    },
  };
}

const chachaPoly: FileCipher = {
  name: 'chacha20-poly1305@openssh.com',
  keyLength: 64,
  ivLength: 0,
  blockSize: 8,
  tagLength: 16,
  decrypt(key, _iv, data, tag) {
    const stream = chachaFactory(resolveBackend('chacha20'))(key.subarray(0, 32))(0);
    const block0 = stream.xor(new Uint8Array(64));
    const expected = poly1305(data, block0.subarray(0, 32));
    wipe(block0);
    if (tag.length !== 16 || !timingSafeEqual(expected, tag)) return undefined;
    return stream.xor(data);
  },
};

const CIPHERS: ReadonlyMap<string, FileCipher> = new Map(
  [
    ctrCipher(aes128CtrInfo),
    ctrCipher(aes192CtrInfo),
    ctrCipher(aes256CtrInfo),
    cbcCipher('aes128-cbc', 16),
    cbcCipher('aes192-cbc', 24),
    cbcCipher('aes256-cbc', 32),
    gcmCipher('aes128-gcm@openssh.com', 16),
    gcmCipher('aes256-gcm@openssh.com', 32),
    chachaPoly,
  ].map((c) => [c.name, c]),
);

/** The cipher for an openssh-key-v1 cipher name, or undefined when unsupported. */
export function fileCipher(name: string): FileCipher | undefined {
  return CIPHERS.get(name);
}
