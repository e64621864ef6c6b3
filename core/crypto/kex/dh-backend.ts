/**
 * Finite-field Diffie-Hellman arithmetic (RFC 4253 §8): y = g^x mod p and K = f^x mod p.
 * node:crypto createDiffieHellman (constant-time OpenSSL/BoringSSL modexp, ~5× faster) after a
 * known-answer self-test; BigInt otherwise (variable time: a fallback only).
 *
 * The private exponent x is `privateBits` long with its top bit set. Values from the peer are
 * validated by the caller (dh-session.ts) before they reach a backend.
 */
import { createDiffieHellman } from 'node:crypto';
import { KeyExchangeFailed } from '../../errors.js';
import { wipe } from '../../wire/bytes.js';
import { randomBytes } from '../random.js';
import { bigIntToBytes, bytesToBigInt, modPow, stripLeadingZeros } from '../bigint.js';
import { sameBytes, selfTest } from '../selftest.js';
import { modpGroups } from './modp-groups.js';

export interface DhEphemeral {
  /** y = g^x mod p, unsigned magnitude. */
  readonly publicKey: Uint8Array;
  /** peer^x mod p, unsigned magnitude. One use: x may be wiped afterwards. */
  agree(peerPublic: Uint8Array): Uint8Array;
}

export interface DhBackend {
  readonly name: 'node' | 'bigint';
  /** A random private exponent of exactly privateBits bits. */
  generate(p: Uint8Array, g: Uint8Array, privateBits: number): DhEphemeral;
  /** A fixed private exponent (known-answer tests). */
  fromSecret(p: Uint8Array, g: Uint8Array, x: Uint8Array): DhEphemeral;
}

/** A random exponent of exactly privateBits bits (top bit set), big-endian. */
export function randomExponent(privateBits: number): Uint8Array {
  const nbytes = Math.ceil(privateBits / 8);
  const x = randomBytes(nbytes);
  const topBits = privateBits - (nbytes - 1) * 8; // 1..8
  x[0] = ((x[0] ?? 0) & ((1 << topBits) - 1)) | (1 << (topBits - 1));
  return x;
}

function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

// --- node:crypto ---------------------------------------------------------------------------

/**
 * Primes node:crypto may use. createDiffieHellman() runs OpenSSL's DH_check (primality tests
 * of p and (p-1)/2) on a prime it does not know: 0.1 s at 2048 bits, seconds at 4096, on every
 * group-exchange connection. The RFC 3526 groups skip that, so only they take the node path;
 * a group-exchange prime from the server goes to BigInt (variable-time modexp: GEX sits after
 * every elliptic-curve and fixed-group method in the default order).
 */
const nodePrimes = new Set(
  Object.values(modpGroups).map((grp) => Buffer.from(grp.p).toString('hex')),
);

function nodeEphemeral(p: Uint8Array, g: Uint8Array, x: Uint8Array): DhEphemeral {
  if (!nodePrimes.has(Buffer.from(stripLeadingZeros(p)).toString('hex')))
    return bigintEphemeral(p, g, x);
  const dh = createDiffieHellman(p, g);
  dh.setPrivateKey(x);
  wipe(x);
  // With a private key already set, generateKeys() only computes g^x mod p.
  const y = dh.generateKeys();
  return {
    publicKey: view(y),
    agree(peer) {
      try {
        return view(dh.computeSecret(peer));
      } catch (cause) {
        throw new KeyExchangeFailed('DH peer value rejected', {}, { cause });
      }
    },
  };
}

export const nodeDh: DhBackend = {
  name: 'node',
  generate: (p, g, bits) => nodeEphemeral(p, g, randomExponent(bits)),
  fromSecret: (p, g, x) => nodeEphemeral(p, g, x.slice()),
};

// --- BigInt --------------------------------------------------------------------------------

function bigintEphemeral(p: Uint8Array, g: Uint8Array, xBytes: Uint8Array): DhEphemeral {
  const pv = bytesToBigInt(p);
  let x = bytesToBigInt(xBytes);
  wipe(xBytes);
  const y = modPow(bytesToBigInt(g), x, pv);
  return {
    publicKey: bigIntToBytes(y),
    agree(peer) {
      const k = modPow(bytesToBigInt(peer), x, pv);
      x = 0n;
      return bigIntToBytes(k, p.length);
    },
  };
}

export const bigintDh: DhBackend = {
  name: 'bigint',
  generate: (p, g, bits) => bigintEphemeral(p, g, randomExponent(bits)),
  fromSecret: (p, g, x) => bigintEphemeral(p, g, x.slice()),
};

// --- selection -----------------------------------------------------------------------------

// Known answer in group 14 with x = 65537: y = 2^x and K = 3^x mod p, against BigInt.
const nodeWorks = selfTest(() => {
  const { p, g, pValue } = modpGroups.group14;
  const e = nodeDh.fromSecret(p, g, Uint8Array.of(1, 0, 1));
  const y = bigIntToBytes(modPow(2n, 65537n, pValue));
  const k = bigIntToBytes(modPow(3n, 65537n, pValue));
  const agreed = stripLeadingZeros(e.agree(Uint8Array.of(3)));
  return sameBytes(stripLeadingZeros(e.publicKey), y) && sameBytes(agreed, k);
});

/** node:crypto when its self-test passes, else BigInt. */
export function dhBackend(): DhBackend {
  return nodeWorks() ? nodeDh : bigintDh;
}

/** Every backend that works here, fastest first. */
export function dhBackends(): DhBackend[] {
  return nodeWorks() ? [nodeDh, bigintDh] : [bigintDh];
}
