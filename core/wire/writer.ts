/**
 * SshWriter: a growable buffer for SSH wire data (RFC 4251 §5). The mirror of SshReader.
 */
import { utf8 } from './bytes.js';

export class SshWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  /** Grows the buffer for `extra` more bytes and returns their offset. Read buf/view after. */
  private ensure(extra: number): number {
    const need = this.len + extra;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.len;
    this.len = need;
    return at;
  }

  writeByte(v: number): this {
    const at = this.ensure(1);
    this.view.setUint8(at, v);
    return this;
  }

  writeBoolean(v: boolean): this {
    return this.writeByte(v ? 1 : 0);
  }

  writeUint32(v: number): this {
    const at = this.ensure(4);
    this.view.setUint32(at, v >>> 0, false);
    return this;
  }

  writeUint64(v: bigint): this {
    const at = this.ensure(8);
    this.view.setBigUint64(at, BigInt.asUintN(64, v), false);
    return this;
  }

  /** Raw bytes, no length prefix. */
  writeBytes(b: Uint8Array): this {
    const at = this.ensure(b.length);
    this.buf.set(b, at);
    return this;
  }

  /** string: uint32 length ‖ bytes. A JS string is encoded as UTF-8. */
  writeString(b: Uint8Array | string): this {
    const bytes = typeof b === 'string' ? utf8(b) : b;
    this.writeUint32(bytes.length);
    return this.writeBytes(bytes);
  }

  /** mpint from a bigint: two's complement, minimal, big-endian. */
  writeMpint(v: bigint): this {
    if (v === 0n) return this.writeUint32(0);
    const neg = v < 0n;
    let hex = (neg ? -v : v).toString(16);
    if (hex.length % 2) hex = '0' + hex;
    let mag = Buffer.from(hex, 'hex');
    if (!neg) {
      if ((mag[0] ?? 0) & 0x80) mag = Buffer.concat([Buffer.from([0]), mag]);
      return this.writeString(new Uint8Array(mag));
    }
    // two's complement of the magnitude over enough bytes to keep the sign bit set
    let nbytes = mag.length;
    const mod = (): bigint => 1n << BigInt(nbytes * 8);
    if (-v > mod() / 2n) nbytes++;
    let tc = (mod() + v).toString(16).padStart(nbytes * 2, '0');
    // strip redundant leading 0xff bytes
    while (tc.length > 2 && tc.startsWith('ff') && parseInt(tc.slice(2, 4), 16) >= 0x80) {
      tc = tc.slice(2);
    }
    return this.writeString(new Uint8Array(Buffer.from(tc, 'hex')));
  }

  /** mpint from unsigned big-endian magnitude bytes (leading zeros are stripped). */
  writeMpintBytes(mag: Uint8Array): this {
    let i = 0;
    while (i < mag.length && mag[i] === 0) i++;
    const m = mag.subarray(i);
    if (m.length === 0) return this.writeUint32(0);
    if ((m[0] ?? 0) & 0x80) {
      this.writeUint32(m.length + 1);
      this.writeByte(0);
      return this.writeBytes(m);
    }
    return this.writeString(m);
  }

  writeNameList(names: readonly string[]): this {
    return this.writeString(names.join(','));
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
