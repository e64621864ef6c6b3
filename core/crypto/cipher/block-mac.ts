/**
 * A keystream cipher (AES-CTR) with a separate MAC, in the two framings SSH uses:
 *
 *   encrypt-and-MAC (RFC 4253 §6.4, RFC 6668 MACs):
 *     E(packet_length ‖ padding_length ‖ payload ‖ padding) ‖ MAC(key, uint32 seq ‖ packet)
 *     The receiver must decrypt the first block to learn the length (packetLength()), then
 *     decrypts the rest and verifies the MAC over the whole plaintext.
 *   encrypt-then-MAC, the -etm@openssh.com MACs (OpenSSH PROTOCOL §1.5):
 *     packet_length ‖ E(padding_length ‖ payload ‖ padding) ‖ MAC(key, uint32 seq ‖ packet_length ‖ E(…))
 *     The length is in the clear; the MAC is verified before anything is decrypted, and the
 *     keystream only advances for packets that verified.
 */
import { MacError, ProtocolError } from '../../errors.js';
import { wipe } from '../../wire/bytes.js';
import type { PacketMac } from '../mac/types.js';
import type { KeyStream } from './aes-ctr.js';
import {
  checkHeader,
  checkPlainPacket,
  checkSeq,
  checkWirePacket,
  copyBytes,
  inspectCustom,
  readUint32,
} from './common.js';
import type { PacketOpener, PacketSealer } from './types.js';

abstract class BlockMacBase {
  readonly blockSize: number;
  readonly lengthOutsideBlocks: boolean;
  readonly overhead: number;
  protected readonly stream: KeyStream;
  protected readonly mac: PacketMac;
  protected readonly name: string;
  readonly #label: string;

  constructor(
    names: { cipher: string; mac: string; backend: string; role: string },
    blockSize: number,
    stream: KeyStream,
    mac: PacketMac,
    etm: boolean,
  ) {
    this.blockSize = blockSize;
    this.lengthOutsideBlocks = etm;
    this.overhead = mac.macLength;
    this.stream = stream;
    this.mac = mac;
    this.name = `${names.cipher} + ${names.mac}`;
    this.#label = `${names.role}(${this.name}, ${names.backend})`;
  }

  dispose(): void {
    this.stream.dispose();
    this.mac.dispose();
  }

  [inspectCustom](): string {
    return this.#label;
  }
}

export class BlockMacSealer extends BlockMacBase implements PacketSealer {
  seal(seq: number, packet: Uint8Array): Uint8Array {
    checkSeq(seq);
    const len = checkPlainPacket(packet, this.blockSize, this.lengthOutsideBlocks);
    const out = new Uint8Array(4 + len + this.overhead);
    if (this.lengthOutsideBlocks) {
      out.set(packet.subarray(0, 4), 0);
      out.set(this.stream.xor(packet.subarray(4)), 4);
      out.set(this.mac.compute(seq, out.subarray(0, 4 + len)), 4 + len);
    } else {
      out.set(this.mac.compute(seq, packet), 4 + len);
      out.set(this.stream.xor(packet), 0);
    }
    return out;
  }
}

/** The first block of an encrypt-and-MAC packet, decrypted by packetLength() for open(). */
interface PendingHeader {
  readonly seq: number;
  readonly encrypted: Uint8Array;
  readonly plain: Uint8Array;
  readonly length: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class BlockMacOpener extends BlockMacBase implements PacketOpener {
  #pending: PendingHeader | undefined;

  get headerSize(): number {
    return this.lengthOutsideBlocks ? 4 : this.blockSize;
  }

  packetLength(seq: number, header: Uint8Array): number {
    checkSeq(seq);
    checkHeader(header, this.headerSize);
    if (this.lengthOutsideBlocks) return readUint32(header);
    const encrypted = copyBytes(header, 0, this.blockSize);
    const p = this.#pending;
    // Asked twice for the same packet: answer again without advancing the keystream.
    if (p !== undefined && p.seq === seq && sameBytes(p.encrypted, encrypted)) return p.length;
    const first = this.stream.xor(encrypted);
    const length = readUint32(first);
    this.#pending = { seq, encrypted, plain: first, length };
    return length;
  }

  open(seq: number, wire: Uint8Array): Uint8Array {
    checkSeq(seq);
    return this.lengthOutsideBlocks ? this.#openEtm(seq, wire) : this.#openMac(seq, wire);
  }

  #openEtm(seq: number, wire: Uint8Array): Uint8Array {
    if (wire.length < 4) throw new ProtocolError(`${this.name}: truncated packet`);
    const len = readUint32(wire);
    checkWirePacket(wire, len, this.blockSize, true, this.overhead);
    if (!this.mac.verify(seq, wire.subarray(0, 4 + len), wire.subarray(4 + len))) {
      throw new MacError(`${this.name}: packet authentication failed`, { seq });
    }
    return this.stream.xor(wire.subarray(4, 4 + len));
  }

  #openMac(seq: number, wire: Uint8Array): Uint8Array {
    const p = this.#pending;
    this.#pending = undefined;
    if (
      p === undefined ||
      p.seq !== seq ||
      !sameBytes(p.encrypted, wire.subarray(0, this.blockSize))
    ) {
      throw new RangeError(`${this.name}: open() must follow packetLength() for the same packet`);
    }
    const len = p.length;
    checkWirePacket(wire, len, this.blockSize, false, this.overhead);
    const packet = new Uint8Array(4 + len);
    packet.set(p.plain, 0);
    packet.set(this.stream.xor(wire.subarray(this.blockSize, 4 + len)), this.blockSize);
    wipe(p.plain);
    if (!this.mac.verify(seq, packet, wire.subarray(4 + len))) {
      wipe(packet);
      throw new MacError(`${this.name}: packet authentication failed`, { seq });
    }
    return packet.subarray(4);
  }
}
