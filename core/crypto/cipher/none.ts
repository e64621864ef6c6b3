/**
 * The 'none' cipher with no MAC (RFC 4253 §6.3, §6.4), in force from the version exchange until
 * the first SSH_MSG_NEWKEYS of each direction. Packets go on the wire as they are; the padding
 * rule still applies with a block size of 8, and the peer's length is still checked.
 * Not in the negotiable registry: it cannot be chosen by configuration.
 */
import { ProtocolError } from '../../errors.js';
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

const BLOCK = 8;

class NoneSealer implements PacketSealer {
  readonly blockSize = BLOCK;
  readonly lengthOutsideBlocks = false;
  readonly overhead = 0;

  seal(seq: number, packet: Uint8Array): Uint8Array {
    checkSeq(seq);
    checkPlainPacket(packet, BLOCK, false);
    return copyBytes(packet);
  }

  /** Nothing secret to wipe. */
  dispose(): void {}

  [inspectCustom](): string {
    return 'PacketSealer(none)';
  }
}

class NoneOpener implements PacketOpener {
  readonly blockSize = BLOCK;
  readonly lengthOutsideBlocks = false;
  readonly overhead = 0;
  readonly headerSize = 4;

  packetLength(seq: number, header: Uint8Array): number {
    checkSeq(seq);
    checkHeader(header, 4);
    return readUint32(header);
  }

  open(seq: number, wire: Uint8Array): Uint8Array {
    checkSeq(seq);
    if (wire.length < 4) throw new ProtocolError('truncated packet');
    checkWirePacket(wire, readUint32(wire), BLOCK, false, 0);
    return copyBytes(wire, 4);
  }

  /** Nothing secret to wipe. */
  dispose(): void {}

  [inspectCustom](): string {
    return 'PacketOpener(none)';
  }
}

export function noneSealer(): PacketSealer {
  return new NoneSealer();
}

export function noneOpener(): PacketOpener {
  return new NoneOpener();
}
