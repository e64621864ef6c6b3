/**
 * chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305).
 *
 * 64 bytes of key: the first 32 are K_2, the main key; the last 32 are K_1, the header key.
 * The nonce of both ChaCha20 instances is the sequence number as uint64 big-endian.
 *   - packet_length is encrypted alone with K_1 (block 0), so the receiver can frame the
 *     packet before authenticating it; that is by design.
 *   - Poly1305 key = first 32 bytes of ChaCha20(K_2) block 0; the rest of the packet is
 *     encrypted with K_2 from block 1.
 *   - tag = Poly1305(encrypted length ‖ ciphertext), 16 bytes, verified before anything but
 *     the length is decrypted.
 * blockSize is 8 and the length is outside the padded part (the packet is not block-aligned
 * for the cipher, only for the padding rule).
 *
 * Backends: ChaCha20 from node:crypto or @noble (chacha20.ts). Poly1305 is this project's
 * WebAssembly module (../wasm/poly1305.ts), or its float64 JavaScript (poly1305.ts) where
 * WebAssembly is missing; a forced 'noble' backend uses @noble/ciphers throughout so that
 * tests can cross-check the two paths.
 */
import { timingSafeEqual } from 'node:crypto';
import { MacError, ProtocolError } from '../../errors.js';
import { joinParts } from '../../wire/byte-parts.js';
import { concatBytes, wipe } from '../../wire/bytes.js';
import type { ResolvedBackend } from '../backend.js';
import {
  chachaFactory,
  chachaHeaderWord,
  chachaKeyWords,
  xorWord,
  type ChaChaFactory,
} from './chacha20.js';
import {
  checkHeader,
  checkPlainPacket,
  checkSeq,
  checkWirePacket,
  copyBytes,
  inspectCustom,
  readUint32,
} from './common.js';
import { wasmPoly1305, type Poly1305 } from '../wasm/poly1305.js';
import { poly1305, poly1305Noble } from './poly1305.js';
import type { CipherInfo, CryptoBackend, PacketOpener, PacketSealer } from './types.js';

export const chacha20Poly1305Info: CipherInfo = Object.freeze({
  name: 'chacha20-poly1305@openssh.com',
  keyLength: 64,
  ivLength: 0,
  blockSize: 8,
  aead: true,
});

const NAME = chacha20Poly1305Info.name;
const TAG = 16;
/** Block 0 of the K_2 stream: its first 32 bytes are the Poly1305 key, the rest is unused. */
const BLOCK0 = new Uint8Array(64);

/** A one-message Poly1305 as a parts one: the parts are joined first (rarely more than one). */
function overJoined(mac: (msg: Uint8Array, key: Uint8Array) => Uint8Array): Poly1305 {
  return (parts, key) => mac(joinParts(parts), key);
}

const nobleParts = overJoined(poly1305Noble);
const defaultParts = wasmPoly1305 ?? overJoined(poly1305);

abstract class ChaChaPolyBase {
  readonly blockSize = 8;
  readonly lengthOutsideBlocks = true;
  readonly overhead = TAG;
  protected readonly mainKey: Uint8Array;
  /** The header key as words, for the length's keystream (chachaHeaderWord). */
  protected readonly headerWords: Uint32Array;
  protected readonly mainStream: ChaChaFactory;
  protected readonly poly1305: Poly1305;
  readonly #label: string;

  /** `requested` is the caller's backend choice, `chacha` what it resolved to for ChaCha20. */
  constructor(key: Uint8Array, chacha: ResolvedBackend, requested: CryptoBackend, role: string) {
    if (key.length < 64) throw new RangeError(`${NAME}: key needs 64 bytes, got ${key.length}`);
    this.mainKey = copyBytes(key, 0, 32);
    this.headerWords = chachaKeyWords(key.subarray(32, 64));
    this.mainStream = chachaFactory(chacha)(this.mainKey);
    this.poly1305 = requested === 'noble' ? nobleParts : defaultParts;
    this.#label = `${role}(${NAME}, ${chacha})`;
  }

  dispose(): void {
    wipe(this.mainKey);
    this.headerWords.fill(0);
  }

  /** The 4 length bytes XORed with the header key's keystream for `seq`. */
  protected header(seq: number, bytes: Uint8Array): Uint8Array {
    return xorWord(bytes, chachaHeaderWord(this.headerWords, seq));
  }

  [inspectCustom](): string {
    return this.#label;
  }
}

export class ChaChaPolySealer extends ChaChaPolyBase implements PacketSealer {
  constructor(key: Uint8Array, chacha: ResolvedBackend, requested: CryptoBackend) {
    super(key, chacha, requested, 'PacketSealer');
  }

  seal(seq: number, packet: Uint8Array): Uint8Array {
    return concatBytes(...this.sealParts(seq, packet));
  }

  /** seal()'s bytes as encrypted length ‖ ciphertext ‖ tag, without the copy that joins them. */
  sealParts(seq: number, packet: Uint8Array): Uint8Array[] {
    checkSeq(seq);
    checkPlainPacket(packet, this.blockSize, true);
    const length = this.header(seq, packet);
    const main = this.mainStream(seq);
    const block0 = main.xor(BLOCK0);
    const ciphertext = main.xor(packet.subarray(4));
    const tag = this.poly1305([length, ciphertext], block0.subarray(0, 32));
    wipe(block0);
    return [length, ciphertext, tag];
  }
}

export class ChaChaPolyOpener extends ChaChaPolyBase implements PacketOpener {
  readonly headerSize = 4;
  /** The last length decrypted by packetLength(), reused by open() for the same bytes. */
  #last: { seq: number; encrypted: number; length: number } | undefined;

  constructor(key: Uint8Array, chacha: ResolvedBackend, requested: CryptoBackend) {
    super(key, chacha, requested, 'PacketOpener');
  }

  packetLength(seq: number, header: Uint8Array): number {
    checkSeq(seq);
    checkHeader(header, 4);
    const length = readUint32(this.header(seq, header));
    this.#last = { seq, encrypted: readUint32(header), length };
    return length;
  }

  open(seq: number, wire: Uint8Array): Uint8Array {
    checkSeq(seq);
    if (wire.length < 4) throw new ProtocolError(`${NAME}: truncated packet`);
    const last = this.#last;
    this.#last = undefined;
    const len =
      last !== undefined && last.seq === seq && last.encrypted === readUint32(wire)
        ? last.length
        : readUint32(this.header(seq, wire));
    checkWirePacket(wire, len, this.blockSize, true, TAG);
    const main = this.mainStream(seq);
    const block0 = main.xor(BLOCK0);
    const expected = this.poly1305([wire.subarray(0, 4 + len)], block0.subarray(0, 32));
    wipe(block0);
    if (!timingSafeEqual(expected, wire.subarray(4 + len))) {
      throw new MacError(`${NAME}: packet authentication failed`, { seq });
    }
    return main.xor(wire.subarray(4, 4 + len));
  }
}
