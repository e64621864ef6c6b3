/**
 * A keyed MAC for one direction of the binary packet protocol (RFC 4253 §6.4):
 * mac = MAC(key, uint32 sequence_number ‖ data). What `data` is depends on the mode: the whole
 * plaintext packet (RFC 4253, RFC 6668), or packet_length ‖ ciphertext for the -etm variants
 * (OpenSSH PROTOCOL §1.5). The construction that feeds it lives in cipher/block-mac.ts.
 */
import type { MacInfo } from '../cipher/types.js';
import type { ResolvedBackend } from '../backend.js';

export interface PacketMac {
  readonly macLength: number;
  /** MAC over uint32 seq ‖ data. */
  compute(seq: number, data: Uint8Array): Uint8Array;
  /** Compares `mac` with compute(seq, data) in constant time. */
  verify(seq: number, data: Uint8Array, mac: Uint8Array): boolean;
  /** Zeroes the key copy this object holds. */
  dispose(): void;
}

export interface MacAlgorithm {
  readonly info: MacInfo;
  /** Which node:crypto primitive the 'node' backend needs. */
  readonly native: 'sha256' | 'sha512';
  /** `key` is copied (first info.keyLength bytes); the caller may wipe its buffer. */
  create(key: Uint8Array, backend: ResolvedBackend): PacketMac;
}
