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
  chachaBlocks,
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

/**
 * Packets of up to SHORT bytes after the length (a request, a reply, a keystroke) take their
 * K_2 keystream from chachaBlocks, into this buffer and wiped after use, rather than from a
 * node:crypto cipher object made for the packet: 1.5-3.5 µs per packet against 5-7 here
 * (measured at 32 to 1,000 bytes); from about 2 KiB node's is the cheaper. The buffer is read
 * as bytes, so only where words are stored little-endian (everywhere node runs but s390x).
 */
const SHORT = 1024;
const shortStream = new Uint32Array((1 + SHORT / 64) * 16);
const shortStreamBytes = new Uint8Array(shortStream.buffer);
const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** `data` XORed with `stream` from byte 64 (block 1), written into `out` at `at`. */
function xorFromBlock1(data: Uint8Array, stream: Uint8Array, out: Uint8Array, at: number): void {
  for (let i = 0; i < data.length; i++) {
    out[at + i] = (data[i] as number) ^ (stream[64 + i] as number);
  }
}

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
  /** The main key as words for short packets' keystream (shortKeystream), or null. */
  private readonly mainWords: Uint32Array | null;
  protected readonly poly1305: Poly1305;
  readonly #label: string;

  /** `requested` is the caller's backend choice, `chacha` what it resolved to for ChaCha20. */
  constructor(key: Uint8Array, chacha: ResolvedBackend, requested: CryptoBackend, role: string) {
    if (key.length < 64) throw new RangeError(`${NAME}: key needs 64 bytes, got ${key.length}`);
    this.mainKey = copyBytes(key, 0, 32);
    this.headerWords = chachaKeyWords(key.subarray(32, 64));
    this.mainStream = chachaFactory(chacha)(this.mainKey);
    // a forced noble backend stays noble throughout: tests cross-check the two paths
    this.mainWords = chacha === 'node' && littleEndian ? chachaKeyWords(this.mainKey) : null;
    this.poly1305 = requested === 'noble' ? nobleParts : defaultParts;
    this.#label = `${role}(${NAME}, ${chacha})`;
  }

  dispose(): void {
    wipe(this.mainKey);
    this.headerWords.fill(0);
    this.mainWords?.fill(0);
  }

  /**
   * K_2's keystream for `seq` from block 0 to the end of a payload of `length` bytes (block
   * 0's first 32 bytes are the Poly1305 key, the payload's start at byte 64), in the shared
   * buffer the caller wipes; null when the payload is too long for it.
   */
  protected shortKeystream(seq: number, length: number): Uint8Array | null {
    if (this.mainWords === null || length > SHORT) return null;
    const blocks = 1 + Math.ceil(length / 64);
    chachaBlocks(this.mainWords, seq, blocks, shortStream);
    return shortStreamBytes.subarray(0, blocks * 64);
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
    checkSeq(seq);
    checkPlainPacket(packet, this.blockSize, true);
    return this.sealShort(seq, packet) ?? concatBytes(...this.sealLong(seq, packet));
  }

  /** seal()'s bytes as encrypted length ‖ ciphertext ‖ tag, without the copy that joins them. */
  sealParts(seq: number, packet: Uint8Array): Uint8Array[] {
    checkSeq(seq);
    checkPlainPacket(packet, this.blockSize, true);
    const short = this.sealShort(seq, packet);
    if (short === null) return this.sealLong(seq, packet);
    const end = short.length - TAG;
    return [short.subarray(0, 4), short.subarray(4, end), short.subarray(end)];
  }

  /** A short packet sealed into one new array (shortKeystream), or null when it is longer. */
  private sealShort(seq: number, packet: Uint8Array): Uint8Array | null {
    const payload = packet.subarray(4);
    const stream = this.shortKeystream(seq, payload.length);
    if (stream === null) return null;
    const end = packet.length;
    const out = new Uint8Array(end + TAG);
    out.set(this.header(seq, packet));
    xorFromBlock1(payload, stream, out, 4);
    out.set(this.poly1305([out.subarray(0, end)], stream.subarray(0, 32)), end);
    stream.fill(0);
    return out;
  }

  private sealLong(seq: number, packet: Uint8Array): Uint8Array[] {
    const length = this.header(seq, packet);
    const payload = packet.subarray(4);
    const main = this.mainStream(seq);
    const block0 = main.xor(BLOCK0);
    const ciphertext = main.xor(payload);
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
    const stream = this.shortKeystream(seq, len);
    if (stream !== null) {
      try {
        const expected = this.poly1305([wire.subarray(0, 4 + len)], stream.subarray(0, 32));
        if (!timingSafeEqual(expected, wire.subarray(4 + len))) {
          throw new MacError(`${NAME}: packet authentication failed`, { seq });
        }
        const plain = new Uint8Array(len);
        xorFromBlock1(wire.subarray(4, 4 + len), stream, plain, 0);
        return plain;
      } finally {
        stream.fill(0);
      }
    }
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
