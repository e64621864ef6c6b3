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
 * The first four keystream bytes of ChaCha20 block 0 (RFC 8439 §2.3 rounds, the original
 * layout above) under `key` (eight little-endian words) with the sequence number as nonce:
 * what encrypts a packet's 4-byte length under the header key, as a little-endian word.
 * Computed here rather than by a node:crypto cipher object, whose creation costs several times
 * these twenty rounds and would otherwise be made for every packet.
 */
export function chachaHeaderWord(key: Uint32Array, seq: number): number {
  // constants ‖ key ‖ le64 block counter 0 ‖ be64 seq (its high half is 0)
  const x = work;
  x.set(SIGMA, 0);
  x.set(key, 4);
  x[12] = 0;
  x[13] = 0;
  x[14] = 0;
  x[15] = swap32(seq >>> 0);
  for (let i = 0; i < 10; i++) {
    quarter(x, 0, 4, 8, 12);
    quarter(x, 1, 5, 9, 13);
    quarter(x, 2, 6, 10, 14);
    quarter(x, 3, 7, 11, 15);
    quarter(x, 0, 5, 10, 15);
    quarter(x, 1, 6, 11, 12);
    quarter(x, 2, 7, 8, 13);
    quarter(x, 3, 4, 9, 14);
  }
  const w = ((x[0] as number) + (SIGMA[0] as number)) >>> 0;
  x.fill(0);
  return w;
}

/** "expand 32-byte k" */
const SIGMA = Uint32Array.of(0x61707865, 0x3320646e, 0x79622d32, 0x6b206574);
const work = new Uint32Array(16);

/** The ChaCha quarter round on state words a, b, c, d (RFC 8439 §2.1). */
function quarter(x: Uint32Array, a: number, b: number, c: number, d: number): void {
  let va = x[a] as number;
  let vb = x[b] as number;
  let vc = x[c] as number;
  let vd = x[d] as number;
  va = (va + vb) | 0;
  vd = rotl(vd ^ va, 16);
  vc = (vc + vd) | 0;
  vb = rotl(vb ^ vc, 12);
  va = (va + vb) | 0;
  vd = rotl(vd ^ va, 8);
  vc = (vc + vd) | 0;
  vb = rotl(vb ^ vc, 7);
  x[a] = va;
  x[b] = vb;
  x[c] = vc;
  x[d] = vd;
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
