/**
 * aes128-gcm@openssh.com and aes256-gcm@openssh.com: AES-GCM in SSH as RFC 5647 defines it and
 * OpenSSH implements it (OpenSSH PROTOCOL §1.6).
 *
 *   - 12-byte nonce = 4-byte fixed field ‖ 8-byte invocation counter, both from the derived
 *     IV; the counter is incremented by one (big-endian, mod 2^64) after every packet, the
 *     fixed field never changes. The sequence number is not an input: a skipped, replayed or
 *     reordered packet fails because the counter no longer matches.
 *   - packet_length is the additional authenticated data and stays in the clear.
 *   - 16-byte tag after the ciphertext; the negotiated MAC is ignored.
 *
 * Backends: node:crypto 'aes-128-gcm'/'aes-256-gcm' (a new cipher object per packet costs
 * little; GCM authenticates and decrypts in one pass, and the plaintext is zeroed and dropped
 * when final() rejects the tag), or @noble/ciphers gcm, which checks the tag first.
 */
import { createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { MacError, ProtocolError } from '../../errors.js';
import { wipe } from '../../wire/bytes.js';
import type { ResolvedBackend } from '../backend.js';
import {
  checkHeader,
  checkPlainPacket,
  checkSeq,
  checkWirePacket,
  copyBytes,
  inspectCustom,
  plain,
  readUint32,
} from './common.js';
import type { CipherInfo, DirectionKeys, PacketOpener, PacketSealer } from './types.js';

export const aes128GcmInfo: CipherInfo = Object.freeze({
  name: 'aes128-gcm@openssh.com',
  keyLength: 16,
  ivLength: 12,
  blockSize: 16,
  aead: true,
});

export const aes256GcmInfo: CipherInfo = Object.freeze({
  name: 'aes256-gcm@openssh.com',
  keyLength: 32,
  ivLength: 12,
  blockSize: 16,
  aead: true,
});

const TAG = 16;

/** One AES-GCM key, one message at a time. */
export interface Gcm {
  /** Writes ciphertext ‖ tag of `plaintext` into `out` at `at`. */
  seal(
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    out: Uint8Array,
    at: number,
  ): void;
  /** Ciphertext and tag of `plaintext`, as the cipher produced them (no copy into one buffer). */
  sealParts(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array[];
  /** Plaintext of `sealed` (ciphertext ‖ tag), or undefined when the tag does not verify. */
  open(nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined;
}

function nodeGcm(name: 'aes-128-gcm' | 'aes-256-gcm', keyBytes: Uint8Array): Gcm {
  // One KeyObject for the key's life: node:crypto checks a raw key's type on every cipher it
  // makes, and that check (a failed brand test per call) cost more than the AES itself.
  const key = createSecretKey(keyBytes);
  return {
    seal(nonce, aad, plaintext, out, at) {
      const c = createCipheriv(name, key, nonce, { authTagLength: TAG });
      c.setAAD(aad);
      out.set(c.update(plaintext), at);
      c.final();
      out.set(c.getAuthTag(), at + plaintext.length);
    },
    sealParts(nonce, aad, plaintext) {
      const c = createCipheriv(name, key, nonce, { authTagLength: TAG });
      c.setAAD(aad);
      const ct = c.update(plaintext);
      c.final();
      return [ct, c.getAuthTag()];
    },
    open(nonce, aad, sealed) {
      const ctLen = sealed.length - TAG;
      const d = createDecipheriv(name, key, nonce, { authTagLength: TAG });
      d.setAAD(aad);
      d.setAuthTag(sealed.subarray(ctLen));
      const plaintext = d.update(sealed.subarray(0, ctLen));
      try {
        d.final();
      } catch {
        wipe(plaintext);
        return undefined;
      }
      return plain(plaintext);
    },
  };
}

function nobleGcm(key: Uint8Array): Gcm {
  return {
    seal(nonce, aad, plaintext, out, at) {
      out.set(gcm(key, nonce, aad).encrypt(plaintext), at);
    },
    sealParts(nonce, aad, plaintext) {
      return [gcm(key, nonce, aad).encrypt(plaintext)];
    },
    open(nonce, aad, sealed) {
      try {
        return gcm(key, nonce, aad).decrypt(sealed);
      } catch {
        return undefined; // noble throws only for a tag mismatch here: lengths were checked
      }
    },
  };
}

/** AES-GCM with `key` (16 or 32 bytes, not copied) on the given backend. */
export function gcmPrimitive(key: Uint8Array, backend: ResolvedBackend): Gcm {
  if (key.length !== 16 && key.length !== 32) throw new RangeError('AES-GCM: bad key length');
  return backend === 'node'
    ? nodeGcm(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key)
    : nobleGcm(key);
}

/** Adds one to the 8-byte invocation counter nonce[4..12], big-endian, wrapping mod 2^64. */
function incrementInvocation(nonce: Uint8Array): void {
  for (let i = 11; i >= 4; i--) {
    const v = ((nonce[i] ?? 0) + 1) & 0xff;
    nonce[i] = v;
    if (v !== 0) break;
  }
}

abstract class GcmBase {
  readonly blockSize = 16;
  readonly lengthOutsideBlocks = true;
  readonly overhead = TAG;
  protected readonly gcm: Gcm;
  protected readonly nonce: Uint8Array;
  readonly #key: Uint8Array;
  readonly #label: string;

  constructor(info: CipherInfo, keys: DirectionKeys, backend: ResolvedBackend, role: string) {
    if (keys.key.length < info.keyLength || keys.iv.length < info.ivLength) {
      throw new RangeError(`${info.name}: key or IV too short`);
    }
    this.#key = copyBytes(keys.key, 0, info.keyLength);
    this.nonce = copyBytes(keys.iv, 0, 12);
    this.gcm = gcmPrimitive(this.#key, backend);
    this.#label = `${role}(${info.name}, ${backend})`;
  }

  protected next(): void {
    incrementInvocation(this.nonce);
  }

  dispose(): void {
    wipe(this.#key, this.nonce);
  }

  [inspectCustom](): string {
    return this.#label;
  }
}

export class GcmSealer extends GcmBase implements PacketSealer {
  constructor(info: CipherInfo, keys: DirectionKeys, backend: ResolvedBackend) {
    super(info, keys, backend, 'PacketSealer');
  }

  seal(seq: number, packet: Uint8Array): Uint8Array {
    checkSeq(seq);
    const len = checkPlainPacket(packet, this.blockSize, true);
    const out = new Uint8Array(4 + len + TAG);
    const aad = packet.subarray(0, 4);
    out.set(aad, 0);
    this.gcm.seal(this.nonce, aad, packet.subarray(4), out, 4);
    this.next();
    return out;
  }

  /** seal()'s bytes as length ‖ ciphertext ‖ tag, without the copy that joins them. */
  sealParts(seq: number, packet: Uint8Array): Uint8Array[] {
    checkSeq(seq);
    checkPlainPacket(packet, this.blockSize, true);
    const aad = packet.slice(0, 4);
    const parts = this.gcm.sealParts(this.nonce, aad, packet.subarray(4));
    this.next();
    return [aad, ...parts];
  }
}

export class GcmOpener extends GcmBase implements PacketOpener {
  readonly headerSize = 4;
  readonly #name: string;

  constructor(info: CipherInfo, keys: DirectionKeys, backend: ResolvedBackend) {
    super(info, keys, backend, 'PacketOpener');
    this.#name = info.name;
  }

  packetLength(seq: number, header: Uint8Array): number {
    checkSeq(seq);
    checkHeader(header, 4);
    return readUint32(header);
  }

  open(seq: number, wire: Uint8Array): Uint8Array {
    checkSeq(seq);
    if (wire.length < 4) throw new ProtocolError(`${this.#name}: truncated packet`);
    checkWirePacket(wire, readUint32(wire), this.blockSize, true, TAG);
    const plaintext = this.gcm.open(this.nonce, wire.subarray(0, 4), wire.subarray(4));
    if (plaintext === undefined) {
      throw new MacError(`${this.#name}: packet authentication failed`, { seq });
    }
    this.next();
    return plaintext;
  }
}
