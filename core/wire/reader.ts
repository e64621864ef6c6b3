/**
 * SshReader: a bounds-checked cursor over SSH wire data (RFC 4251 §5).
 *
 * Every read goes through take(n), which throws ProtocolError on overrun, never RangeError.
 * Lengths from the peer are checked against the remaining bytes before anything is allocated,
 * so a hostile length can never cause a large allocation. Slices returned by readString() are
 * views into the input: copy them if the input buffer is reused.
 */
import { ProtocolError } from '../errors.js';
import { decodeUtf8 } from './bytes.js';

export class SshReader {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private pos = 0;
  /** What is being parsed, for error messages ("KEXINIT", "public key blob"). */
  private readonly what: string;

  constructor(buf: Uint8Array, what = 'message') {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.what = what;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** The single bounds check: returns the offset of n bytes and advances past them. */
  private take(n: number): number {
    if (n > this.buf.length - this.pos) {
      throw new ProtocolError(
        `${this.what}: truncated: need ${n} bytes at offset ${this.pos}, have ${this.buf.length - this.pos}`,
        { what: this.what, offset: this.pos, need: n },
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** byte */
  readByte(): number {
    return this.view.getUint8(this.take(1));
  }

  /** boolean: any non-zero value is true (RFC 4251 §5). */
  readBoolean(): boolean {
    return this.readByte() !== 0;
  }

  /** uint32, network byte order */
  readUint32(): number {
    return this.view.getUint32(this.take(4), false);
  }

  /** uint64, network byte order */
  readUint64(): bigint {
    return this.view.getBigUint64(this.take(8), false);
  }

  /** n raw bytes (a view into the input) */
  readBytes(n: number): Uint8Array {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  /** All bytes left (a view). */
  readRest(): Uint8Array {
    return this.readBytes(this.remaining);
  }

  /** string: uint32 length ‖ bytes (a view into the input). */
  readString(): Uint8Array {
    const len = this.readUint32();
    return this.readBytes(len);
  }

  /** string holding UTF-8 text; invalid UTF-8 is a ProtocolError. */
  readUtf8(): string {
    const text = decodeUtf8(this.readString());
    if (text === null) throw new ProtocolError(`${this.what}: string is not valid UTF-8`);
    return text;
  }

  /** string holding US-ASCII (algorithm names, method names); other bytes are an error. */
  readAscii(): string {
    const b = this.readString();
    let s = '';
    for (const c of b) {
      if (c > 0x7e || c < 0x20) {
        throw new ProtocolError(`${this.what}: non-printable byte 0x${c.toString(16)} in name`);
      }
      s += String.fromCharCode(c);
    }
    return s;
  }

  /**
   * mpint: two's complement, big-endian, minimal encoding (RFC 4251 §5). Returns a bigint.
   * Non-minimal encodings (a redundant leading 0x00 or 0xff) are rejected, as OpenSSH does.
   */
  readMpint(): bigint {
    const b = this.readString();
    if (b.length === 0) return 0n;
    const first = b[0] ?? 0;
    const second = b[1] ?? 0;
    if (b.length > 1 && ((first === 0 && second < 0x80) || (first === 0xff && second >= 0x80))) {
      throw new ProtocolError(`${this.what}: mpint is not minimally encoded`);
    }
    let v = BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
    if (first & 0x80) v -= 1n << BigInt(b.length * 8);
    return v;
  }

  /**
   * mpint that must be non-negative, returned as unsigned big-endian magnitude bytes without
   * the sign byte (a view into the input). Used for RSA and DH values.
   */
  readMpintBytes(): Uint8Array {
    const b = this.readString();
    if (b.length === 0) return b;
    if ((b[0] ?? 0) & 0x80) throw new ProtocolError(`${this.what}: negative mpint`);
    if (b[0] === 0) {
      if (b.length === 1 || (b[1] ?? 0) < 0x80) {
        throw new ProtocolError(`${this.what}: mpint is not minimally encoded`);
      }
      return b.subarray(1);
    }
    return b;
  }

  /** name-list: comma-separated US-ASCII names, none empty (RFC 4251 §5). */
  readNameList(): string[] {
    const s = this.readAscii();
    if (s === '') return [];
    const names = s.split(',');
    for (const n of names) {
      if (n === '') throw new ProtocolError(`${this.what}: empty name in name-list`);
    }
    return names;
  }

  /** Asserts that the message has been read completely. */
  expectEnd(): void {
    if (this.pos !== this.buf.length) {
      throw new ProtocolError(
        `${this.what}: ${this.buf.length - this.pos} unexpected trailing bytes`,
        { what: this.what, trailing: this.buf.length - this.pos },
      );
    }
  }
}
