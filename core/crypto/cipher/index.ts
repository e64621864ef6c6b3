/**
 * Packet protection for the SSH binary packet protocol (RFC 4253 §6): the public entry point.
 *
 *   cipherInfo / supportedCiphers      chacha20-poly1305@openssh.com, aes128/256-gcm@openssh.com,
 *                                      aes128/192/256-ctr
 *   macInfo / supportedMacs            hmac-sha2-256/512 and their -etm@openssh.com forms
 *   createSealer / createOpener        one direction's protection from negotiated names + keys
 *   noneSealer / noneOpener            before the first NEWKEYS
 *   nativeAvailable                    which node:crypto primitives passed their self-test
 */
export type {
  CipherInfo,
  CryptoBackend,
  DirectionKeys,
  MacInfo,
  PacketOpener,
  PacketSealer,
} from './types.js';
export { cipherInfo, createOpener, createSealer, supportedCiphers } from './registry.js';
export { macInfo, supportedMacs } from '../mac/index.js';
export { noneOpener, noneSealer } from './none.js';
export { nativeAvailable } from '../backend.js';
