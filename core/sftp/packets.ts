/**
 * SFTP framing (draft-ietf-secsh-filexfer-02 §3): `uint32 length, byte type, data`, carried on
 * a session channel's data stream. PacketDecoder turns a byte stream into whole packets without
 * copying a packet that arrived in one piece; a length above the limit, or zero, is a protocol
 * error before anything is allocated. encodePacket writes the length prefix for a body.
 */
import { SshWriter } from '../wire/writer.js';
import { MAX_PACKET_LENGTH } from './constants.js';
import { SftpProtocolError } from './errors.js';

export interface SftpPacket {
  readonly type: number;
  /** Everything after the type byte (the request id first, for all but INIT / VERSION). */
  readonly body: Uint8Array;
}

export class PacketDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private readonly maxLength: number;

  constructor(maxLength = MAX_PACKET_LENGTH) {
    this.maxLength = maxLength;
  }

  /** Bytes received but not yet part of a whole packet. */
  get pending(): number {
    return this.buffered;
  }

  /** Adds bytes; returns the packets they complete, in order. Throws SftpProtocolError. */
  push(chunk: Uint8Array): SftpPacket[] {
    if (chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: SftpPacket[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const len = this.peekLength();
      if (len === 0 || len > this.maxLength) {
        throw new SftpProtocolError(
          len === 0
            ? 'SFTP packet of length 0'
            : `SFTP packet of ${len} bytes exceeds the ${this.maxLength}-byte limit`,
          { length: len },
        );
      }
      if (this.buffered < 4 + len) break;
      const whole = this.take(4 + len);
      out.push({ type: whole[4] as number, body: whole.subarray(5) });
    }
    return out;
  }

  private peekLength(): number {
    const first = this.chunks[0] as Uint8Array;
    if (first.length >= 4) {
      return (
        (first[0] as number) * 0x1000000 +
        ((first[1] as number) << 16) +
        (((first[2] as number) << 8) | (first[3] as number))
      );
    }
    const head = this.copyOut(4, false);
    return new DataView(head.buffer, head.byteOffset, 4).getUint32(0, false);
  }

  /** Removes n bytes from the front: a view when the first chunk holds them, else one copy. */
  private take(n: number): Uint8Array {
    const first = this.chunks[0] as Uint8Array;
    if (first.length >= n) {
      const view = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return view;
    }
    return this.copyOut(n, true);
  }

  private copyOut(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    let i = 0;
    while (at < n) {
      const c = this.chunks[i] as Uint8Array;
      const want = Math.min(n - at, c.length);
      out.set(c.subarray(0, want), at);
      at += want;
      if (consume) {
        if (want === c.length) {
          this.chunks.shift();
        } else {
          this.chunks[0] = c.subarray(want);
        }
      } else {
        i++;
      }
    }
    if (consume) this.buffered -= n;
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
