/**
 * SFTP framing (draft-ietf-secsh-filexfer-02 §3): `uint32 length, byte type, data`, carried on
 * a session channel's data stream. PacketDecoder turns a byte stream into whole packets without
 * copying a packet that arrived in one piece; a length above the limit, or zero, is a protocol
 * error before anything is allocated. With `dataAsParts`, a DATA packet (§7) is never joined
 * at all: its data comes out as the views it arrived in. encodePacket writes the length
 * prefix for a body.
 */
import type { ByteParts } from '../wire/byte-parts.js';
import { ChunkQueue } from '../wire/chunk-queue.js';
import { SshWriter } from '../wire/writer.js';
import { MAX_PACKET_LENGTH, PacketType } from './constants.js';
import { SftpProtocolError } from './errors.js';

export interface SftpPacket {
  readonly type: number;
  /**
   * Everything after the type byte (the request id first, for all but INIT / VERSION); for a
   * packet with `parts`, only its head: request id and the data's uint32 length.
   */
  readonly body: Uint8Array;
  /** A DATA packet's data bytes (what follows `body`), as received views; dataAsParts only. */
  readonly parts?: ByteParts;
}

export interface PacketDecoderOptions {
  /** Hand DATA packets over as head + parts instead of one body (the client's bulk reads). */
  readonly dataAsParts?: boolean;
}

/** A DATA packet's head after the length: byte type, uint32 id, uint32 data length. */
const DATA_HEAD = 1 + 4 + 4;

export class PacketDecoder {
  private readonly bytes = new ChunkQueue();
  private readonly maxLength: number;
  private readonly dataAsParts: boolean;

  constructor(maxLength = MAX_PACKET_LENGTH, options: PacketDecoderOptions = {}) {
    this.maxLength = maxLength;
    this.dataAsParts = options.dataAsParts === true;
  }

  /** Bytes received but not yet part of a whole packet. */
  get pending(): number {
    return this.bytes.length;
  }

  /** Adds bytes; returns the packets they complete, in order. Throws SftpProtocolError. */
  push(chunk: Uint8Array): SftpPacket[] {
    this.bytes.push(chunk);
    const out: SftpPacket[] = [];
    while (this.bytes.length >= 4) {
      const head = this.bytes.peek(4);
      const len = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, false);
      if (len === 0 || len > this.maxLength) {
        throw new SftpProtocolError(
          len === 0
            ? 'SFTP packet of length 0'
            : `SFTP packet of ${len} bytes exceeds the ${this.maxLength}-byte limit`,
          { length: len },
        );
      }
      if (this.bytes.length < 4 + len) break;
      if (this.dataAsParts && len >= DATA_HEAD && this.bytes.peek(5)[4] === PacketType.DATA) {
        const head = this.bytes.take(4 + DATA_HEAD);
        const parts = this.bytes.takeParts(len - DATA_HEAD);
        out.push({ type: PacketType.DATA, body: head.subarray(5), parts });
        continue;
      }
      const whole = this.bytes.take(4 + len);
      out.push({ type: whole[4] as number, body: whole.subarray(5) });
    }
    return out;
  }
}

/**
 * A whole packet: length, type, then what `body` writes. `capacity` is a hint for the body's
 * size (a WRITE's data, say) so the buffer is allocated once.
 */
export function encodePacket(
  type: number,
  body: (w: SshWriter) => void,
  capacity = 64,
): Uint8Array {
  const w = new SshWriter(capacity + 5);
  w.writeUint32(0);
  w.writeByte(type);
  body(w);
  const bytes = w.toBytes();
  new DataView(bytes.buffer, bytes.byteOffset, 4).setUint32(0, bytes.length - 4, false);
  return bytes;
}
