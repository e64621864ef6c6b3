/**
 * Packet protection for one direction of the binary packet protocol (RFC 4253 §6):
 * a cipher, plus a MAC unless the cipher is an AEAD. The transport's packet codec pads and
 * frames; these objects only encrypt/authenticate and decrypt/verify.
 *
 * Plaintext packet layout (RFC 4253 §6):
 *   uint32 packet_length ‖ byte padding_length ‖ payload ‖ random padding
 * Wire layout per mode:
 *   none:                 packet as is
 *   aes-ctr + MAC:        E(packet) ‖ MAC(seq ‖ packet)
 *   aes-ctr + -etm MAC:   packet_length ‖ E(rest) ‖ MAC(seq ‖ packet_length ‖ E(rest))
 *   aes-gcm (RFC 5647, OpenSSH): packet_length (AAD) ‖ E(rest) ‖ tag16
 *   chacha20-poly1305@openssh.com: E_K1(packet_length) ‖ E_K2(rest) ‖ poly1305 tag16
 */

export interface DirectionKeys {
  /** Initial IV (RFC 4253 §7.2 letter A/B), at least ivLength bytes. */
  readonly iv: Uint8Array;
  /** Encryption key (letter C/D), at least keyLength bytes. */
  readonly key: Uint8Array;
  /** Integrity key (letter E/F); ignored for AEAD ciphers. */
  readonly macKey: Uint8Array;
}

interface PacketProtection {
  /** Padding multiple: the padded block must be a multiple of this (at least 8). */
  readonly blockSize: number;
  /**
   * True when the 4-byte packet_length is outside the padded block (AEAD and -etm modes,
   * and chacha20-poly1305): then padding_length ‖ payload ‖ padding is a multiple of
   * blockSize. False when the whole packet including the length is.
   */
  readonly lengthOutsideBlocks: boolean;
  /** Bytes of tag or MAC after the packet. */
  readonly overhead: number;
  /** Zeroes the key material this object holds. It must not be used afterwards. */
  dispose(): void;
}

export interface PacketSealer extends PacketProtection {
  /**
   * Protects one plaintext packet (uint32 length ‖ padlen ‖ payload ‖ padding) with
   * sequence number `seq` (uint32). Returns the bytes to put on the wire. May not keep a
   * reference to `packet`.
   */
  seal(seq: number, packet: Uint8Array): Uint8Array;
  /**
   * Optional: the same bytes as seal(), in pieces the caller writes one after another, where
   * joining them would cost a copy of every packet (AES-GCM: length ‖ ciphertext ‖ tag).
   */
  sealParts?(seq: number, packet: Uint8Array): Uint8Array[];
}

export interface PacketOpener extends PacketProtection {
  /** Wire bytes needed before packetLength() can answer: 4, or the block size (ctr + MAC). */
  readonly headerSize: number;
  /**
   * Returns packet_length from the first headerSize wire bytes. Called exactly once per
   * packet, before open(); stateful openers (ctr without etm) keep what they decrypted.
   * Never verifies the length: the caller bounds it before waiting for more bytes.
   */
  packetLength(seq: number, header: Uint8Array): number;
  /**
   * Verifies and decrypts one whole packet: `wire` is 4 + packet_length + overhead bytes.
   * Returns padding_length ‖ payload ‖ padding (without the length field). Throws MacError
   * when the tag or MAC does not verify; nothing is decrypted before that (except the length
   * of a non-etm ctr packet, which needs it to find the MAC).
   * The result is the opener's own: it keeps no reference to `wire`, which the caller reuses.
   */
  open(seq: number, wire: Uint8Array): Uint8Array;
}

/** A cipher's static properties, as negotiated (RFC 4253 §6.3). */
export interface CipherInfo {
  readonly name: string;
  readonly keyLength: number;
  readonly ivLength: number;
  readonly blockSize: number;
  /** AEAD ciphers bring their own integrity: the negotiated MAC is ignored. */
  readonly aead: boolean;
}

/** A MAC's static properties (RFC 4253 §6.4, RFC 6668; -etm from OpenSSH PROTOCOL §1.5). */
export interface MacInfo {
  readonly name: string;
  readonly keyLength: number;
  readonly macLength: number;
  /** Encrypt-then-MAC: the MAC covers the ciphertext and the length stays in the clear. */
  readonly etm: boolean;
}

/** Which implementation does the math. 'auto' picks node:crypto where the runtime has it. */
export type CryptoBackend = 'auto' | 'node' | 'noble';
