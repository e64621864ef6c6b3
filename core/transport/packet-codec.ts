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

/** OpenSSH's PACKET_MAX_SIZE: the largest packet_length either side accepts. */
export const MAX_PACKET_LENGTH = 256 * 1024;
const MIN_PADDING = 4;

export class PacketWriter {
  private sealer: PacketSealer = noneSealer();
  /** Sequence number of the next packet to send. */
  seq = 0;

  /** Switches to new keys (at NEWKEYS); the old ones are wiped. */
  setSealer(sealer: PacketSealer): void {
    this.sealer.dispose();
    this.sealer = sealer;
  }

  /** Frames, pads and protects one payload; returns the wire bytes and advances seq. */
  encode(payload: Uint8Array): Uint8Array {
    const s = this.sealer;
    const block = Math.max(s.blockSize, 8);
    const aligned = 1 + payload.length + (s.lengthOutsideBlocks ? 0 : 4);
    let pad = block - (aligned % block);
    if (pad < MIN_PADDING) pad += block;
    const packetLength = 1 + payload.length + pad;
    const packet = new Uint8Array(4 + packetLength);
    const view = new DataView(packet.buffer);
    view.setUint32(0, packetLength, false);
    packet[4] = pad;
    packet.set(payload, 5);
    randomFillSync(packet, 5 + payload.length, pad);
    const wire = s.seal(this.seq, packet);
    this.seq = (this.seq + 1) >>> 0;
    return wire;
  }
}

/**
 * Cuts the incoming stream into packets. push() buffers bytes; next() returns the next whole
 * verified payload, or null when more bytes are needed.
 */
export class PacketReader {
  private opener: PacketOpener = noneOpener();
  /** Sequence number of the next packet to receive. */
  seq = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private off = 0;
  /** packet_length of the packet whose header was read, or -1. */
  private pendingLength = -1;

  /** Switches to new keys (at NEWKEYS); the old ones are wiped. */
  setOpener(opener: PacketOpener): void {
    this.opener.dispose();
    this.opener = opener;
  }

  /** Bytes buffered but not yet consumed. */
  get buffered(): number {
    return this.buf.length - this.off;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.off === this.buf.length) {
      this.buf = chunk;
    } else {
      const rest = this.buf.subarray(this.off);
      const merged = new Uint8Array(rest.length + chunk.length);
      merged.set(rest, 0);
      merged.set(chunk, rest.length);
      this.buf = merged;
    }
    this.off = 0;
  }

  /** The next payload (message type byte first) and its sequence number, or null. */
  next(): { payload: Uint8Array; seq: number } | null {
    const o = this.opener;
    const avail = this.buf.length - this.off;
    if (this.pendingLength < 0) {
      if (avail < o.headerSize) return null;
      const header = this.buf.subarray(this.off, this.off + o.headerSize);
      const len = o.packetLength(this.seq, header);
      checkLength(len, o);
      this.pendingLength = len;
    }
    const total = 4 + this.pendingLength + o.overhead;
    if (avail < total) return null;
    const wire = this.buf.subarray(this.off, this.off + total);
    const body = o.open(this.seq, wire);
    this.off += total;
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
