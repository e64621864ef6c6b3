/**
 * Binary packet protocol framing (RFC 4253 §6): padding, sequence numbers, size limits.
 *
 *   uint32 packet_length ‖ byte padding_length ‖ payload ‖ padding ‖ mac/tag
 *
 * The cipher objects (core/crypto/cipher) protect a framed packet; this module builds frames
 * on the way out and cuts the incoming byte stream into verified payloads on the way in.
 * Sequence numbers are uint32 and wrap; the transport resets them at NEWKEYS under strict KEX.
 */
import { randomFillSync } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import type { PacketOpener, PacketSealer } from '../crypto/cipher/types.js';
import { noneOpener, noneSealer } from '../crypto/cipher/index.js';
import { ChunkQueue } from '../wire/chunk-queue.js';
import { partsLength, type ByteParts } from '../wire/byte-parts.js';

/** OpenSSH's PACKET_MAX_SIZE: the largest packet_length either side accepts. */
export const MAX_PACKET_LENGTH = 256 * 1024;
const MIN_PADDING = 4;

/** Random bytes for padding, drawn from a pool refilled 16 KiB at a time (one call per ~1000 packets, not one each). */
const pool = new Uint8Array(16 * 1024);
let poolAt = pool.length;
function randomPadding(out: Uint8Array, at: number, n: number): void {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  out.set(pool.subarray(poolAt, poolAt + n), at);
  poolAt += n;
}

export class PacketWriter {
  private sealer: PacketSealer = noneSealer();
  /** Sequence number of the next packet to send. */
  seq = 0;

  /** Switches to new keys (at NEWKEYS); the old ones are wiped. */
  setSealer(sealer: PacketSealer): void {
    this.sealer.dispose();
    this.sealer = sealer;
  }

  /**
   * The plaintext packet is built here and only lives until seal() returns (sealers keep no
   * reference to it), so one buffer serves every packet: no allocation per packet.
   */
  private scratch = new Uint8Array(0);

  /**
   * Frames, pads and protects one payload, `payload ‖ tail` (the tail's parts save the caller
   * a copy: a channel's data after its message header, in the views it was written as);
   * returns the wire bytes and advances seq.
   */
  encode(payload: Uint8Array, tail: ByteParts = NO_PARTS): Uint8Array {
    const wire = this.sealer.seal(this.seq, this.frame(payload, tail));
    this.seq = (this.seq + 1) >>> 0;
    return wire;
  }

  /**
   * encode(), as pieces to write in order where the cipher can skip joining them: for bulk
   * packets only, since joining a small one costs less than writing it in pieces.
   */
  encodeParts(payload: Uint8Array, tail: ByteParts = NO_PARTS): Uint8Array[] {
    const s = this.sealer;
    const packet = this.frame(payload, tail);
    const wire =
      s.sealParts !== undefined && packet.length >= PIECES_FROM
        ? s.sealParts(this.seq, packet)
        : [s.seal(this.seq, packet)];
    this.seq = (this.seq + 1) >>> 0;
    return wire;
  }

  /** The plaintext packet (length ‖ padding length ‖ payload ‖ tail ‖ padding), in scratch. */
  private frame(payload: Uint8Array, tail: ByteParts): Uint8Array {
    const s = this.sealer;
    const block = Math.max(s.blockSize, 8);
    const payloadLength = payload.length + partsLength(tail);
    const aligned = 1 + payloadLength + (s.lengthOutsideBlocks ? 0 : 4);
    let pad = block - (aligned % block);
    if (pad < MIN_PADDING) pad += block;
    const packetLength = 1 + payloadLength + pad;
    if (this.scratch.length < 4 + packetLength) this.scratch = new Uint8Array(4 + packetLength);
    const packet = this.scratch.subarray(0, 4 + packetLength);
    packet[0] = packetLength >>> 24;
    packet[1] = (packetLength >>> 16) & 0xff;
    packet[2] = (packetLength >>> 8) & 0xff;
    packet[3] = packetLength & 0xff;
    packet[4] = pad;
    packet.set(payload, 5);
    let at = 5 + payload.length;
    for (const part of tail) {
      packet.set(part, at);
      at += part.length;
    }
    randomPadding(packet, 5 + payloadLength, pad);
    return packet;
  }
}

const NO_PARTS: ByteParts = [];
/** Packets from this size on are sealed in pieces (see encodeParts). */
const PIECES_FROM = 8 * 1024;

/**
 * Cuts the incoming stream into packets. push() buffers bytes; next() returns the next whole
 * verified payload, or null when more bytes are needed.
 */
export class PacketReader {
  private opener: PacketOpener = noneOpener();
  /** Sequence number of the next packet to receive. */
  seq = 0;
  /** Received bytes not yet consumed; a packet inside one chunk is opened in place. */
  private readonly bytes = new ChunkQueue();
  /** Where a packet that straddles chunks is joined (it only lives until open() returns). */
  private scratch = new Uint8Array(0);
  /** packet_length of the packet whose header was read, or -1. */
  private pendingLength = -1;

  /** Switches to new keys (at NEWKEYS); the old ones are wiped. */
  setOpener(opener: PacketOpener): void {
    this.opener.dispose();
    this.opener = opener;
  }

  /** Bytes buffered but not yet consumed. */
  get buffered(): number {
    return this.bytes.length;
  }

  push(chunk: Uint8Array): void {
    this.bytes.push(chunk);
  }

  /** Copies the bytes not yet consumed, so the chunks they came in may be reused. */
  ownBytes(): void {
    this.bytes.own();
  }

  /** The next payload (message type byte first) and its sequence number, or null. */
  next(): { payload: Uint8Array; seq: number } | null {
    const o = this.opener;
    if (this.pendingLength < 0) {
      if (this.bytes.length < o.headerSize) return null;
      const len = o.packetLength(this.seq, this.bytes.peek(o.headerSize));
      checkLength(len, o);
      this.pendingLength = len;
    }
    const total = 4 + this.pendingLength + o.overhead;
    if (this.bytes.length < total) return null;
    // openers keep no reference to the wire bytes, so a packet that straddles received
    // chunks is joined in one reused buffer
    if (this.scratch.length < total) {
      this.scratch = new Uint8Array(Math.max(total, 64 * 1024));
    }
    const wire = this.bytes.take(total, this.scratch);
    const body = o.open(this.seq, wire);
    this.pendingLength = -1;
    const seq = this.seq;
    this.seq = (this.seq + 1) >>> 0;
    const pad = body[0] ?? 0;
    if (pad < MIN_PADDING || pad > body.length - 2) {
      throw new ProtocolError(`bad padding length ${pad} in a packet of ${body.length} bytes`);
    }
    return { payload: body.subarray(1, body.length - pad), seq };
  }
}

function checkLength(len: number, o: PacketOpener): void {
  if (len > MAX_PACKET_LENGTH) {
    throw new ProtocolError(`packet length ${len} exceeds the limit of ${MAX_PACKET_LENGTH}`, {
      length: len,
    });
  }
  if (len < 1 + MIN_PADDING + 1) throw new ProtocolError(`packet length ${len} is too small`);
  const aligned = len + (o.lengthOutsideBlocks ? 0 : 4);
  if (aligned % Math.max(o.blockSize, 8) !== 0) {
    throw new ProtocolError(`packet length ${len} is not a multiple of the cipher block size`);
  }
}
