/**
 * Helpers shared by the packet-protection modules (RFC 4253 §6): sequence numbers, the
 * uint32 length field, and the checks on packet framing.
 *
 * Two kinds of bad input, two kinds of error: bytes from the peer that do not frame a valid
 * packet are a ProtocolError (the connection ends with a DISCONNECT); a malformed packet or
 * sequence number handed in by our own transport is a bug, a RangeError.
 */
import { ProtocolError } from '../../errors.js';

/** RFC 4253 §6: padding_length byte + at least 4 bytes of padding. */
export const MIN_PACKET_LENGTH = 5;

/** Key for util.inspect: protection objects print their algorithm name, never key bytes. */
export const inspectCustom: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/** The sequence number is a uint32 that the transport wraps mod 2^32 (RFC 4253 §6.4). */
export function checkSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffffffff) {
    throw new RangeError(`invalid packet sequence number ${seq}`);
  }
}

export function readUint32(b: Uint8Array, at = 0): number {
  return (
    (((b[at] ?? 0) << 24) |
      ((b[at + 1] ?? 0) << 16) |
      ((b[at + 2] ?? 0) << 8) |
      (b[at + 3] ?? 0)) >>>
    0
  );
}

/** The little-endian uint32 at `at` (ChaCha and Poly1305 words). */
export function readUint32LE(b: Uint8Array, at = 0): number {
  return (
    ((b[at] ?? 0) |
      ((b[at + 1] ?? 0) << 8) |
      ((b[at + 2] ?? 0) << 16) |
      ((b[at + 3] ?? 0) << 24)) >>>
    0
  );
}

export function writeUint32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** uint32 seq as 4 bytes, the prefix of every MAC input (RFC 4253 §6.4). */
export function seqBytes(seq: number): Uint8Array {
  checkSeq(seq);
  const b = new Uint8Array(4);
  writeUint32(b, 0, seq);
  return b;
}

function aligned(packetLength: number, blockSize: number, lengthOutsideBlocks: boolean): boolean {
  const padded = lengthOutsideBlocks ? packetLength : packetLength + 4;
  return packetLength >= MIN_PACKET_LENGTH && padded % blockSize === 0;
}

/**
 * Checks a plaintext packet given to seal(): at least the length field, the length field equal
 * to what follows it, and the padded part a multiple of the block size. Returns packet_length.
 */
export function checkPlainPacket(
  packet: Uint8Array,
  blockSize: number,
  lengthOutsideBlocks: boolean,
): number {
  const packetLength = packet.length >= 4 ? readUint32(packet) : -1;
  if (
    packetLength !== packet.length - 4 ||
    !aligned(packetLength, blockSize, lengthOutsideBlocks)
  ) {
    throw new RangeError(
      `seal: malformed packet (${packet.length} bytes, packet_length ${packetLength}, block ${blockSize})`,
    );
  }
  return packetLength;
}

/**
 * Checks the peer's packet_length against the bytes given to open(): it must frame exactly
 * `wire` (4 + packet_length + overhead) and be a multiple of the block size, as OpenSSH
 * requires. Throws ProtocolError otherwise.
 */
export function checkWirePacket(
  wire: Uint8Array,
  packetLength: number,
  blockSize: number,
  lengthOutsideBlocks: boolean,
  overhead: number,
): void {
  if (!aligned(packetLength, blockSize, lengthOutsideBlocks)) {
    throw new ProtocolError(
      `bad packet length ${packetLength}: not a multiple of the cipher block size ${blockSize}`,
      { packetLength, blockSize },
    );
  }
  if (wire.length !== 4 + packetLength + overhead) {
    throw new ProtocolError(
      `packet framing: packet_length ${packetLength} needs ${4 + packetLength + overhead} bytes, got ${wire.length}`,
      { packetLength, got: wire.length },
    );
  }
}

/**
 * A copy of b[start, end) in a new plain Uint8Array. Not b.slice(): key material may arrive as
 * a Buffer, whose slice() is a view, and a shared view would let the caller's wipe (or another
 * direction's counter) reach into our state.
 */
export function copyBytes(b: Uint8Array, start = 0, end = b.length): Uint8Array {
  return new Uint8Array(b.subarray(start, end));
}

/**
 * The same bytes as a plain Uint8Array view (no copy). node:crypto returns Buffers, whose
 * slice() shares memory; callers of open() get plain Uint8Arrays with the usual semantics.
 */
export function plain(b: Uint8Array): Uint8Array {
  return Buffer.isBuffer(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b;
}

/** Throws RangeError when the transport passes fewer header bytes than it was told to. */
export function checkHeader(header: Uint8Array, headerSize: number): void {
  if (header.length < headerSize) {
    throw new RangeError(`packetLength: need ${headerSize} header bytes, got ${header.length}`);
  }
}
