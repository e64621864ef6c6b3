/**
 * Key derivation (RFC 4253 §7.2):
 *   K1 = HASH(K ‖ H ‖ X ‖ session_id), Kn+1 = HASH(K ‖ H ‖ K1 ‖ … ‖ Kn), key = K1 ‖ K2 ‖ …
 * with X = 'A'…'F': IV c→s, IV s→c, key c→s, key s→c, MAC key c→s, MAC key s→c.
 * K is the shared secret already encoded (mpint or string) as the KEX method defines it.
 */
import type { DirectionKeys } from '../crypto/cipher/types.js';
import type { KexHashName } from '../crypto/kex/types.js';
import { kexHash } from '../crypto/hash.js';

export interface DirectionSizes {
  readonly ivLength: number;
  readonly keyLength: number;
  readonly macKeyLength: number;
}

export function deriveKey(
  hash: KexHashName,
  encodedK: Uint8Array,
  h: Uint8Array,
  sessionId: Uint8Array,
  letter: string,
  length: number,
): Uint8Array {
  if (length === 0) return new Uint8Array(0);
  const parts: Uint8Array[] = [
    kexHash(hash, encodedK, h, Buffer.from(letter, 'latin1'), sessionId),
  ];
  let have = parts[0]?.length ?? 0;
  while (have < length) {
    const next = kexHash(hash, encodedK, h, ...parts);
    parts.push(next);
    have += next.length;
  }
  const out = new Uint8Array(have);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out.subarray(0, length);
}

export function deriveDirectionKeys(
  hash: KexHashName,
  encodedK: Uint8Array,
  h: Uint8Array,
  sessionId: Uint8Array,
  ctos: DirectionSizes,
  stoc: DirectionSizes,
): { ctos: DirectionKeys; stoc: DirectionKeys } {
  const d = (letter: string, n: number): Uint8Array =>
    deriveKey(hash, encodedK, h, sessionId, letter, n);
  return {
    ctos: {
      iv: d('A', ctos.ivLength),
      key: d('C', ctos.keyLength),
      macKey: d('E', ctos.macKeyLength),
    },
    stoc: {
      iv: d('B', stoc.ivLength),
      key: d('D', stoc.keyLength),
      macKey: d('F', stoc.macKeyLength),
    },
  };
}
