/**
 * aes128-ctr, aes192-ctr, aes256-ctr (RFC 4344 §4): AES in counter mode as one continuous
 * keystream per direction, across packets, for the lifetime of the keys. The counter block is
 * the whole 128-bit IV, incremented as a big-endian integer mod 2^128 (RFC 4344 §4: X is
 * incremented "as if it were an unsigned integer").
 *
 * Backends: a persistent node:crypto Cipheriv ('aes-128-ctr', …), which continues the stream
 * by itself, or @noble/ciphers ctr with the counter carried here between calls. The packet
 * code always hands whole 16-byte blocks, which the noble backend relies on.
 *
 * The framing (MAC, -etm) is in block-mac.ts.
 */
import { createCipheriv, type Cipheriv } from 'node:crypto';
import { ctr } from '@noble/ciphers/aes.js';
import { wipe } from '../../wire/bytes.js';
import type { ResolvedBackend } from '../backend.js';
import { copyBytes, plain } from './common.js';
import type { CipherInfo } from './types.js';

function ctrInfo(name: string, keyLength: number): CipherInfo {
  return Object.freeze({ name, keyLength, ivLength: 16, blockSize: 16, aead: false });
}

export const aes128CtrInfo = ctrInfo('aes128-ctr', 16);
export const aes192CtrInfo = ctrInfo('aes192-ctr', 24);
export const aes256CtrInfo = ctrInfo('aes256-ctr', 32);

export type AesCtrNative = 'aes-128-ctr' | 'aes-192-ctr' | 'aes-256-ctr';

export function aesCtrNative(info: CipherInfo): AesCtrNative {
  return info.keyLength === 16
    ? 'aes-128-ctr'
    : info.keyLength === 24
      ? 'aes-192-ctr'
      : 'aes-256-ctr';
}

/** A keystream that continues across calls; encryption and decryption are the same XOR. */
export interface KeyStream {
  /** XORs whole 16-byte blocks with the next keystream bytes. */
  xor(data: Uint8Array): Uint8Array;
  dispose(): void;
}

class NodeCtr implements KeyStream {
  #cipher: Cipheriv | undefined;

  constructor(name: AesCtrNative, key: Uint8Array, iv: Uint8Array) {
    this.#cipher = createCipheriv(name, key, iv);
  }

  xor(data: Uint8Array): Uint8Array {
    if (this.#cipher === undefined) throw new Error('AES-CTR stream used after dispose()');
    return plain(this.#cipher.update(data));
  }

  dispose(): void {
    this.#cipher = undefined;
  }
}

/** Adds `blocks` to a 16-byte big-endian counter, in place, mod 2^128. */
export function addToCounter(counter: Uint8Array, blocks: number): void {
  let carry = blocks;
  for (let i = 15; i >= 0 && carry > 0; i--) {
    const v = (counter[i] ?? 0) + (carry % 256);
    counter[i] = v & 0xff;
    carry = Math.floor(carry / 256) + (v >> 8);
  }
}

class NobleCtr implements KeyStream {
  readonly #key: Uint8Array;
  readonly #counter: Uint8Array;

  constructor(key: Uint8Array, iv: Uint8Array) {
    this.#key = copyBytes(key);
    this.#counter = copyBytes(iv, 0, 16);
  }

  xor(data: Uint8Array): Uint8Array {
    if (data.length % 16 !== 0) throw new RangeError('AES-CTR: partial block');
    const out = ctr(this.#key, this.#counter).encrypt(data);
    addToCounter(this.#counter, data.length / 16);
    return out;
  }

  dispose(): void {
    wipe(this.#key, this.#counter);
  }
}

/** `key` and `iv` are copied where the backend keeps them. */
export function aesCtrStream(
  info: CipherInfo,
  key: Uint8Array,
  iv: Uint8Array,
  backend: ResolvedBackend,
): KeyStream {
  if (key.length < info.keyLength || iv.length < 16) {
    throw new RangeError(`${info.name}: key or IV too short`);
  }
  const k = key.subarray(0, info.keyLength);
  return backend === 'node'
    ? new NodeCtr(aesCtrNative(info), k, iv.subarray(0, 16))
    : new NobleCtr(k, iv);
}
