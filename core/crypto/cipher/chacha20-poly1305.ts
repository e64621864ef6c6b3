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
 * Backends: with 'auto', libsodium (../sodium.ts) does both ChaCha20 and Poly1305 for every
 * packet, writing the ciphertext or plaintext straight into the buffer it returns. Without it
 * (no sodium-native for this platform, or a backend forced by name): ChaCha20 from node:crypto
 * or @noble (chacha20.ts), and Poly1305 from this project's WebAssembly module
 * (../wasm/poly1305.ts), or its float64 JavaScript (poly1305.ts) where WebAssembly is missing.
 * A forced 'noble' backend uses @noble/ciphers throughout so that tests can cross-check the
 * paths.
 */
import { timingSafeEqual } from 'node:crypto';
import { MacError, ProtocolError } from '../../errors.js';
import { joinParts } from '../../wire/byte-parts.js';
import { concatBytes, wipe } from '../../wire/bytes.js';
import type { ResolvedBackend } from '../backend.js';
import { sodium, type SodiumChaChaPoly } from '../sodium.js';
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

/** A new array of `length` bytes whose contents are not zeroed first: every byte is written. */
function uninitialized(length: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
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
  /** libsodium for whole packets, or null: then mainStream, shortKeystream and poly1305. */
  protected readonly lib: SodiumChaChaPoly | null;
  /** lib's nonce: the sequence number as uint64 big-endian (set by libPolyKey). */
  protected readonly nonce = new Uint8Array(8);
  /** The packet's Poly1305 key from lib, wiped after each use. */
  private readonly polyKey = new Uint8Array(32);
  readonly #label: string;

  /**
   * `requested` is the caller's backend choice, `chacha` what it resolved to for ChaCha20;
   * `lib` is libsodium, by default the process's when the choice is 'auto'.
   */
  constructor(
    key: Uint8Array,
    chacha: ResolvedBackend,
    requested: CryptoBackend,
    role: string,
    lib: SodiumChaChaPoly | null = requested === 'auto' ? sodium() : null,
  ) {
    if (key.length < 64) throw new RangeError(`${NAME}: key needs 64 bytes, got ${key.length}`);
    this.mainKey = copyBytes(key, 0, 32);
    this.headerWords = chachaKeyWords(key.subarray(32, 64));
    this.mainStream = chachaFactory(chacha)(this.mainKey);
    // a forced noble backend stays noble throughout: tests cross-check the two paths
    this.mainWords = chacha === 'node' && littleEndian ? chachaKeyWords(this.mainKey) : null;
    this.poly1305 = requested === 'noble' ? nobleParts : defaultParts;
    this.lib = lib;
    this.#label = `${role}(${NAME}, ${lib === null ? chacha : 'sodium'})`;
  }

  dispose(): void {
    wipe(this.mainKey);
    this.polyKey.fill(0);
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

  /**
   * With lib: sets the nonce to `seq` and returns the packet's Poly1305 key, the first 32 bytes
   * of K_2's block 0, in a buffer the caller wipes.
   */
  protected libPolyKey(lib: SodiumChaChaPoly, seq: number): Uint8Array {
    const n = this.nonce;
    n[4] = seq >>> 24;
    n[5] = (seq >>> 16) & 0xff;
    n[6] = (seq >>> 8) & 0xff;
    n[7] = seq & 0xff;
    const key = this.polyKey;
    key.fill(0);
    lib.chacha20Xor(key, key, n, 0, this.mainKey);
    return key;
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
  constructor(
    key: Uint8Array,
    chacha: ResolvedBackend,
    requested: CryptoBackend,
    lib?: SodiumChaChaPoly | null,
  ) {
    super(key, chacha, requested, 'PacketSealer', lib);
  }

  seal(seq: number, packet: Uint8Array): Uint8Array {
    checkSeq(seq);
    checkPlainPacket(packet, this.blockSize, true);
    if (this.lib !== null) return this.sealWith(this.lib, seq, packet);
    return this.sealShort(seq, packet) ?? concatBytes(...this.sealLong(seq, packet));
  }

  /** seal()'s bytes as encrypted length ‖ ciphertext ‖ tag, without the copy that joins them. */
  sealParts(seq: number, packet: Uint8Array): Uint8Array[] {
    checkSeq(seq);
    checkPlainPacket(packet, this.blockSize, true);
    const whole =
      this.lib !== null ? this.sealWith(this.lib, seq, packet) : this.sealShort(seq, packet);
    if (whole === null) return this.sealLong(seq, packet);
    const end = whole.length - TAG;
    return [whole.subarray(0, 4), whole.subarray(4, end), whole.subarray(end)];
  }

  /** A packet sealed by libsodium into one new array: length, ciphertext, then the tag. */
  private sealWith(lib: SodiumChaChaPoly, seq: number, packet: Uint8Array): Uint8Array {
    const end = packet.length;
    const out = uninitialized(end + TAG);
    out.set(this.header(seq, packet));
    const polyKey = this.libPolyKey(lib, seq);
    lib.chacha20Xor(out.subarray(4, end), packet.subarray(4), this.nonce, 1, this.mainKey);
    lib.poly1305(out.subarray(end), out.subarray(0, end), polyKey);
    polyKey.fill(0);
    return out;
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
  /** Where openWith computes the tag it compares. */
  private readonly tag = new Uint8Array(TAG);
  /** The last length decrypted by packetLength(), reused by open() for the same bytes. */
  #last: { seq: number; encrypted: number; length: number } | undefined;

  constructor(
    key: Uint8Array,
    chacha: ResolvedBackend,
    requested: CryptoBackend,
    lib?: SodiumChaChaPoly | null,
  ) {
    super(key, chacha, requested, 'PacketOpener', lib);
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
    if (this.lib !== null) return this.openWith(this.lib, seq, wire, len);
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

  /** open() by libsodium: the tag checked, then the payload decrypted into a new array. */
  private openWith(lib: SodiumChaChaPoly, seq: number, wire: Uint8Array, len: number): Uint8Array {
    const polyKey = this.libPolyKey(lib, seq);
    const tag = this.tag;
    lib.poly1305(tag, wire.subarray(0, 4 + len), polyKey);
    polyKey.fill(0);
    if (!timingSafeEqual(tag, wire.subarray(4 + len))) {
      throw new MacError(`${NAME}: packet authentication failed`, { seq });
    }
    const plain = uninitialized(len);
    lib.chacha20Xor(plain, wire.subarray(4, 4 + len), this.nonce, 1, this.mainKey);
    return plain;
  }
}
