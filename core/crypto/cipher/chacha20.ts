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
import { plain, writeUint32 } from './common.js';

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
