/**
 * ChaCha20 as chacha20-poly1305@openssh.com uses it (OpenSSH PROTOCOL.chacha20poly1305):
 * D. J. Bernstein's original layout with a 64-bit block counter and a 64-bit nonce, the nonce
 * being the packet sequence number as uint64 big-endian. The block function is RFC 8439 §2.3.
 *
 * A stream starts at block 0 and continues across calls, so one object yields the Poly1305 key
 * (block 0) and then en/decrypts the payload (from block 1), as OpenSSH does.
 *
 * Backends: node:crypto's raw 'chacha20' (16-byte IV = le64 block counter ‖ be64 nonce; absent
 * in BoringSSL builds such as Electron's) or @noble/ciphers chacha20orig.
 */
import { createCipheriv, createSecretKey, type Cipheriv, type KeyObject } from 'node:crypto';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import type { ResolvedBackend } from '../backend.js';
import { plain, readUint32LE, writeUint32 } from './common.js';

export interface ChaChaStream {
  /**
   * XORs `data` with the next keystream bytes. Every call except the last must be a multiple
   * of 64 bytes (one block), so that the noble backend can track the counter.
   */
  xor(data: Uint8Array): Uint8Array;
}

/** The stream of one key for one sequence number (the nonce). */
export type ChaChaFactory = (seq: number) => ChaChaStream;

class NodeChaCha implements ChaChaStream {
  readonly #cipher: Cipheriv;

  constructor(key: KeyObject, seq: number) {
    const iv = new Uint8Array(16); // le64 counter 0 ‖ be64 seq (its high half is 0)
    writeUint32(iv, 12, seq);
    this.#cipher = createCipheriv('chacha20', key, iv);
  }

  xor(data: Uint8Array): Uint8Array {
    return plain(this.#cipher.update(data));
  }
}

class NobleChaCha implements ChaChaStream {
  readonly #key: Uint8Array;
  readonly #nonce = new Uint8Array(8);
  #block = 0;

  constructor(key: Uint8Array, seq: number) {
    this.#key = key;
    writeUint32(this.#nonce, 4, seq);
  }

  xor(data: Uint8Array): Uint8Array {
    const out = chacha20orig(this.#key, this.#nonce, data, undefined, this.#block);
    this.#block += Math.ceil(data.length / 64);
    return out;
  }
}

/**
 * Streams under one key, one per sequence number. The node backend wraps the key in a
 * KeyObject once: node:crypto checks a raw key's type on every cipher it makes, and that
 * check (a failed brand test per call) cost a fifth of a chacha20-poly1305 transfer's CPU.
 */
export function chachaFactory(backend: ResolvedBackend): (key: Uint8Array) => ChaChaFactory {
  return backend === 'node'
    ? (key) => {
        const k = createSecretKey(key);
        return (seq) => new NodeChaCha(k, seq);
      }
    : (key) => (seq) => new NobleChaCha(key, seq);
}

/**
 * Keystream blocks 0 to `count` - 1 of ChaCha20 (RFC 8439 §2.3 rounds, the original layout
 * above) under `key` (eight little-endian words) with the sequence number as nonce, as 16
 * words a block into `out`. Computed here rather than by a node:crypto cipher object for what
 * is short: making one costs about 5 µs, 35 blocks' worth of these rounds (0.13 µs a block
 * here), and a packet would otherwise make one each time.
 */
export function chachaBlocks(key: Uint32Array, seq: number, count: number, out: Uint32Array): void {
  const k0 = key[0] as number;
  const k1 = key[1] as number;
  const k2 = key[2] as number;
  const k3 = key[3] as number;
  const k4 = key[4] as number;
  const k5 = key[5] as number;
  const k6 = key[6] as number;
  const k7 = key[7] as number;
  const nonce = swap32(seq >>> 0); // be64 seq: its high half is 0
  for (let block = 0; block < count; block++) {
    let x0 = S0;
    let x1 = S1;
    let x2 = S2;
    let x3 = S3;
    let x4 = k0;
    let x5 = k1;
    let x6 = k2;
    let x7 = k3;
    let x8 = k4;
    let x9 = k5;
    let x10 = k6;
    let x11 = k7;
    let x12 = block;
    let x13 = 0;
    let x14 = 0;
    let x15 = nonce;
    for (let i = 0; i < 10; i++) {
      // quarter rounds on the columns, then on the diagonals (RFC 8439 §2.1, §2.3)
      // prettier-ignore
      {
        x0 = (x0 + x4) | 0; x12 = rotl(x12 ^ x0, 16); x8 = (x8 + x12) | 0; x4 = rotl(x4 ^ x8, 12);
        x0 = (x0 + x4) | 0; x12 = rotl(x12 ^ x0, 8); x8 = (x8 + x12) | 0; x4 = rotl(x4 ^ x8, 7);
        x1 = (x1 + x5) | 0; x13 = rotl(x13 ^ x1, 16); x9 = (x9 + x13) | 0; x5 = rotl(x5 ^ x9, 12);
        x1 = (x1 + x5) | 0; x13 = rotl(x13 ^ x1, 8); x9 = (x9 + x13) | 0; x5 = rotl(x5 ^ x9, 7);
        x2 = (x2 + x6) | 0; x14 = rotl(x14 ^ x2, 16); x10 = (x10 + x14) | 0; x6 = rotl(x6 ^ x10, 12);
        x2 = (x2 + x6) | 0; x14 = rotl(x14 ^ x2, 8); x10 = (x10 + x14) | 0; x6 = rotl(x6 ^ x10, 7);
        x3 = (x3 + x7) | 0; x15 = rotl(x15 ^ x3, 16); x11 = (x11 + x15) | 0; x7 = rotl(x7 ^ x11, 12);
        x3 = (x3 + x7) | 0; x15 = rotl(x15 ^ x3, 8); x11 = (x11 + x15) | 0; x7 = rotl(x7 ^ x11, 7);
        x0 = (x0 + x5) | 0; x15 = rotl(x15 ^ x0, 16); x10 = (x10 + x15) | 0; x5 = rotl(x5 ^ x10, 12);
        x0 = (x0 + x5) | 0; x15 = rotl(x15 ^ x0, 8); x10 = (x10 + x15) | 0; x5 = rotl(x5 ^ x10, 7);
        x1 = (x1 + x6) | 0; x12 = rotl(x12 ^ x1, 16); x11 = (x11 + x12) | 0; x6 = rotl(x6 ^ x11, 12);
        x1 = (x1 + x6) | 0; x12 = rotl(x12 ^ x1, 8); x11 = (x11 + x12) | 0; x6 = rotl(x6 ^ x11, 7);
        x2 = (x2 + x7) | 0; x13 = rotl(x13 ^ x2, 16); x8 = (x8 + x13) | 0; x7 = rotl(x7 ^ x8, 12);
        x2 = (x2 + x7) | 0; x13 = rotl(x13 ^ x2, 8); x8 = (x8 + x13) | 0; x7 = rotl(x7 ^ x8, 7);
        x3 = (x3 + x4) | 0; x14 = rotl(x14 ^ x3, 16); x9 = (x9 + x14) | 0; x4 = rotl(x4 ^ x9, 12);
        x3 = (x3 + x4) | 0; x14 = rotl(x14 ^ x3, 8); x9 = (x9 + x14) | 0; x4 = rotl(x4 ^ x9, 7);
      }
    }
    const o = block * 16;
    out[o] = x0 + S0;
    out[o + 1] = x1 + S1;
    out[o + 2] = x2 + S2;
    out[o + 3] = x3 + S3;
    out[o + 4] = x4 + k0;
    out[o + 5] = x5 + k1;
    out[o + 6] = x6 + k2;
    out[o + 7] = x7 + k3;
    out[o + 8] = x8 + k4;
    out[o + 9] = x9 + k5;
    out[o + 10] = x10 + k6;
    out[o + 11] = x11 + k7;
    out[o + 12] = x12 + block;
    out[o + 13] = x13;
    out[o + 14] = x14;
    out[o + 15] = x15 + nonce;
  }
}

/** "expand 32-byte k" */
const S0 = 0x61707865;
const S1 = 0x3320646e;
const S2 = 0x79622d32;
const S3 = 0x6b206574;
const oneBlock = new Uint32Array(16);

/**
 * The first four keystream bytes of block 0 (chachaBlocks) as a little-endian word: what
 * encrypts a packet's 4-byte length under the header key.
 */
export function chachaHeaderWord(key: Uint32Array, seq: number): number {
  chachaBlocks(key, seq, 1, oneBlock);
  const w = oneBlock[0] as number;
  oneBlock.fill(0);
  return w;
}

const rotl = (v: number, n: number): number => (v << n) | (v >>> (32 - n));
const swap32 = (v: number): number =>
  ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);

/** A 32-byte key as the eight little-endian words chachaHeaderWord takes. */
export function chachaKeyWords(key: Uint8Array): Uint32Array {
  const words = new Uint32Array(8);
  for (let i = 0; i < 8; i++) words[i] = readUint32LE(key, i * 4);
  return words;
}

/** `bytes` (4) XORed with the keystream word `w`'s bytes, least significant first. */
export function xorWord(bytes: Uint8Array, w: number): Uint8Array {
  return Uint8Array.of(
    (bytes[0] as number) ^ (w & 0xff),
    (bytes[1] as number) ^ ((w >>> 8) & 0xff),
    (bytes[2] as number) ^ ((w >>> 16) & 0xff),
    (bytes[3] as number) ^ (w >>> 24),
  );
}
