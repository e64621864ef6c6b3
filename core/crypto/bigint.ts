/**
 * Unsigned big-endian magnitudes ↔ bigint, and modular exponentiation: the arithmetic under
 * finite-field DH (RFC 4253 §8, RFC 3526, RFC 4419) and the RSA fallback verifier (RFC 8017).
 *
 * BigInt arithmetic is not constant time. It is only a fallback for runtimes whose node:crypto
 * lacks the operation; callers prefer node:crypto (OpenSSL/BoringSSL) when its self-test passes.
 */

/** Interprets bytes as an unsigned big-endian integer. */
export function bytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
}

/**
 * Unsigned big-endian bytes of v: minimal length, or exactly `length` bytes (left-padded with
 * zeros). Throws RangeError when v is negative or does not fit.
 */
export function bigIntToBytes(v: bigint, length?: number): Uint8Array {
  if (v < 0n) throw new RangeError('negative value');
  let hex = v === 0n ? '' : v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const n = hex.length / 2;
  if (length === undefined) return new Uint8Array(Buffer.from(hex, 'hex'));
  if (n > length) throw new RangeError(`value needs ${n} bytes, have ${length}`);
  const out = new Uint8Array(length);
  out.set(Buffer.from(hex, 'hex'), length - n);
  return out;
}

/** The bytes without leading zero bytes (a view). */
export function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.subarray(i);
}

/** Number of significant bits in an unsigned big-endian magnitude. */
export function bitLength(b: Uint8Array): number {
  const m = stripLeadingZeros(b);
  const first = m[0];
  if (first === undefined) return 0;
  return (m.length - 1) * 8 + (32 - Math.clz32(first));
}

/** base^exp mod m (m > 1, exp ≥ 0), with a fixed 4-bit window. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m <= 1n) throw new RangeError('modulus must be > 1');
  if (exp < 0n) throw new RangeError('negative exponent');
  const b = ((base % m) + m) % m;
  const table: bigint[] = [1n];
  for (let i = 1; i < 16; i++) table.push(((table[i - 1] ?? 1n) * b) % m);
  let r = 1n;
  for (const digit of exp.toString(16)) {
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * r) % m;
    const d = parseInt(digit, 16);
    if (d !== 0) r = (r * (table[d] ?? 1n)) % m;
  }
  return r;
}
