/**
 * HMAC-SHA-256 and HMAC-SHA-512 packet MACs: hmac-sha2-256 and hmac-sha2-512 (RFC 6668,
 * key and MAC lengths 32 and 64) and their encrypt-then-MAC forms
 * hmac-sha2-256-etm@openssh.com and hmac-sha2-512-etm@openssh.com (OpenSSH PROTOCOL §1.5;
 * same primitive, the framing differs and lives in cipher/block-mac.ts).
 *
 * Backends: node:crypto createHmac (present in OpenSSL and BoringSSL builds), or
 * @noble/hashes hmac with the keyed inner/outer state prepared once and cloned per packet.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { wipe } from '../../wire/bytes.js';
import type { ResolvedBackend } from '../backend.js';
import { copyBytes, inspectCustom, seqBytes } from '../cipher/common.js';
import type { MacAlgorithm, PacketMac } from './types.js';

export type HashName = 'sha256' | 'sha512';

class NodeHmac implements PacketMac {
  readonly macLength: number;
  readonly #hash: HashName;
  readonly #key: Uint8Array;

  constructor(hash: HashName, key: Uint8Array, macLength: number) {
    this.#hash = hash;
    this.#key = key;
    this.macLength = macLength;
  }

  compute(seq: number, data: Uint8Array): Uint8Array {
    const h = createHmac(this.#hash, this.#key);
    h.update(seqBytes(seq));
    h.update(data);
    return h.digest();
  }

  verify(seq: number, data: Uint8Array, mac: Uint8Array): boolean {
    return mac.length === this.macLength && timingSafeEqual(this.compute(seq, data), mac);
  }

  dispose(): void {
    wipe(this.#key);
  }

  [inspectCustom](): string {
    return `PacketMac(hmac-${this.#hash}, node)`;
  }
}

type NobleHmacState = ReturnType<typeof hmac.create>;

class NobleHmac implements PacketMac {
  readonly macLength: number;
  readonly #hash: HashName;
  /** Keyed inner/outer hash state; cloned for each packet, never updated itself. */
  readonly #keyed: NobleHmacState;

  constructor(hash: HashName, key: Uint8Array, macLength: number) {
    this.#hash = hash;
    this.#keyed = hmac.create(hash === 'sha256' ? sha256 : sha512, key);
    this.macLength = macLength;
    wipe(key);
  }

  compute(seq: number, data: Uint8Array): Uint8Array {
    return this.#keyed.clone().update(seqBytes(seq)).update(data).digest();
  }

  verify(seq: number, data: Uint8Array, mac: Uint8Array): boolean {
    return mac.length === this.macLength && timingSafeEqual(this.compute(seq, data), mac);
  }

  dispose(): void {
    this.#keyed.destroy();
  }

  [inspectCustom](): string {
    return `PacketMac(hmac-${this.#hash}, noble)`;
  }
}

/** HMAC with any key length (RFC 2104), as a PacketMac. `key` is kept: pass a copy. */
export function hmacPacketMac(
  hash: HashName,
  key: Uint8Array,
  backend: ResolvedBackend,
): PacketMac {
  const macLength = hash === 'sha256' ? 32 : 64;
  return backend === 'node'
    ? new NodeHmac(hash, key, macLength)
    : new NobleHmac(hash, key, macLength);
}

function hmacSha2(name: string, hash: HashName, bytes: number, etm: boolean): MacAlgorithm {
  return {
    info: Object.freeze({ name, keyLength: bytes, macLength: bytes, etm }),
    native: hash,
    create(key: Uint8Array, backend: ResolvedBackend): PacketMac {
      if (key.length < bytes) {
        throw new RangeError(`${name}: integrity key needs ${bytes} bytes, got ${key.length}`);
      }
      return hmacPacketMac(hash, copyBytes(key, 0, bytes), backend);
    },
  };
}

export const hmacSha2_256 = hmacSha2('hmac-sha2-256', 'sha256', 32, false);
export const hmacSha2_512 = hmacSha2('hmac-sha2-512', 'sha512', 64, false);
export const hmacSha2_256Etm = hmacSha2('hmac-sha2-256-etm@openssh.com', 'sha256', 32, true);
export const hmacSha2_512Etm = hmacSha2('hmac-sha2-512-etm@openssh.com', 'sha512', 64, true);
