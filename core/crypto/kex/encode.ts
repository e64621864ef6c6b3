/**
 * Encodings shared by the KEX methods (RFC 4251 §5, RFC 4253 §7.2, RFC 5656 §4, RFC 8731 §3.1).
 *
 * K goes back to the transport with its length prefix, ready to be hashed into H and the keys:
 * mpint for DH, ECDH and curve25519; string for the hybrid PQ methods. Peer DH values arrive as
 * mpint *content* (the bytes after the length), which must be a minimal, positive encoding.
 */
import { KeyExchangeFailed } from '../../errors.js';
import { SshWriter } from '../../wire/writer.js';
import { stripLeadingZeros } from '../bigint.js';

/** K as an mpint (uint32 length ‖ two's complement) from an unsigned magnitude. */
export function mpintSecret(magnitude: Uint8Array): Uint8Array {
  return new SshWriter(magnitude.length + 5).writeMpintBytes(magnitude).toBytes();
}

/** K as a string (uint32 length ‖ bytes). */
export function stringSecret(bytes: Uint8Array): Uint8Array {
  return new SshWriter(bytes.length + 4).writeString(bytes).toBytes();
}

/** mpint content (no length prefix) of an unsigned magnitude: minimal, with a 0x00 sign byte
 * when the top bit is set. */
export function mpintContent(magnitude: Uint8Array): Uint8Array {
  const m = stripLeadingZeros(magnitude);
  const first = m[0];
  if (first === undefined) return new Uint8Array(0);
  if ((first & 0x80) === 0) return m.slice();
  const out = new Uint8Array(m.length + 1);
  out.set(m, 1);
  return out;
}

/**
 * The magnitude in mpint content from the peer; rejects negative and non-minimal encodings
 * (as sshbuf_get_bignum2 does). Returns a view without the sign byte; empty for zero.
 */
export function magnitudeOfMpintContent(content: Uint8Array, what: string): Uint8Array {
  const first = content[0];
  if (first === undefined) return content;
  if (first & 0x80) throw new KeyExchangeFailed(`${what} is negative`);
  if (first === 0) {
    if (content.length === 1 || ((content[1] ?? 0) & 0x80) === 0) {
      throw new KeyExchangeFailed(`${what} is not a minimally encoded mpint`);
    }
    return content.subarray(1);
  }
  return content;
}

/** Throws KeyExchangeFailed when every byte is zero (constant time in the contents). */
export function rejectAllZero(secret: Uint8Array, what: string): void {
  let acc = 0;
  for (const b of secret) acc |= b;
  if (acc === 0) throw new KeyExchangeFailed(`${what} is all zero (low-order peer point)`);
}

/** A session's computeSecret may run once: its private key is wiped afterwards. */
export function usedOnce(): () => void {
  let used = false;
  return () => {
    if (used) throw new KeyExchangeFailed('key exchange session already used');
    used = true;
  };
}
