/**
 * Cryptographically secure random bytes for the engine: packet padding (RFC 4253 §6), KEXINIT
 * cookies (§7.1), ephemeral secrets. One place, so every caller draws from the OS CSPRNG
 * through node:crypto (present in Node and in Electron's BoringSSL build alike).
 */
import { randomFillSync } from 'node:crypto';

/** Returns `n` fresh random bytes in a new (unshared) Uint8Array. */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`randomBytes: invalid length ${n}`);
  const out = new Uint8Array(n);
  if (n > 0) randomFillSync(out);
  return out;
}

/** Fills `buf` (or its [offset, offset + size) range) with random bytes, in place. */
export function randomFill(buf: Uint8Array, offset = 0, size = buf.length - offset): Uint8Array {
  if (size > 0) randomFillSync(buf, offset, size);
  return buf;
}
