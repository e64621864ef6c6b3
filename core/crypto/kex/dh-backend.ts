/**
 * Finite-field Diffie-Hellman arithmetic (RFC 4253 §8): y = g^x mod p and K = f^x mod p.
 * node:crypto (constant-time OpenSSL/BoringSSL modexp, ~5× faster) for the RFC 3526 groups
 * after a self-test; BigInt otherwise (variable time).
 *
 * BigInt draws x with exactly `privateBits` bits, top bit set; node uses OpenSSL's length for
 * the named group (see below). Values from the peer are validated by the caller
 * (dh-session.ts) before they reach a backend.
 */
import { createDiffieHellmanGroup } from 'node:crypto';
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
 * node:crypto only for the RFC 3526 groups, through createDiffieHellmanGroup(). Both ways of
 * handing OpenSSL a prime of our own run DH_check (primality tests of p and (p-1)/2), which
 * costs 0.1 s at 2048 bits on Node 20 and, on Node 24's OpenSSL 3.5, 0.4 s for group 14 and
 * 37 s for group 18 — per call. Named groups skip it. They also take no private key from us:
 * OpenSSL draws the exponent at its own length for the group (225–400 bits: twice the group's
 * security strength, NIST SP 800-56A), not `privateBits`. A server-chosen group-exchange prime
 * and fixed test secrets go to BigInt (variable-time modexp; GEX comes after every elliptic-
 * curve and fixed-group method in the default order).
 */
const nodeGroupNames = new Map(
  Object.values(modpGroups).map((grp) => [Buffer.from(grp.p).toString('hex'), `modp${grp.id}`]),
);

function nodeGroupName(p: Uint8Array): string | undefined {
  return nodeGroupNames.get(Buffer.from(stripLeadingZeros(p)).toString('hex'));
}

function nodeEphemeral(name: string): DhEphemeral {
  const dh = createDiffieHellmanGroup(name);
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
  generate: (p, g, bits) => {
    const name = g.length === 1 && g[0] === 2 ? nodeGroupName(p) : undefined;
    return name ? nodeEphemeral(name) : bigintEphemeral(p, g, randomExponent(bits));
  },
  fromSecret: (p, g, x) => bigintEphemeral(p, g, x.slice()),
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

// Cross-check in group 14: OpenSSL's y = 2^x mod p and K = 3^x mod p for its own x, by BigInt.
const nodeWorks = selfTest(() => {
  const { pValue } = modpGroups.group14;
  const dh = createDiffieHellmanGroup('modp14');
  const y = dh.generateKeys();
  const x = bytesToBigInt(view(dh.getPrivateKey()));
  const k = dh.computeSecret(Buffer.from([3]));
  const wantY = bigIntToBytes(modPow(2n, x, pValue));
  const wantK = bigIntToBytes(modPow(3n, x, pValue));
  return (
    sameBytes(stripLeadingZeros(view(y)), wantY) && sameBytes(stripLeadingZeros(view(k)), wantK)
  );
});

/** node:crypto when its self-test passes, else BigInt. */
export function dhBackend(): DhBackend {
  return nodeWorks() ? nodeDh : bigintDh;
}

/** Every backend that works here, fastest first. */
export function dhBackends(): DhBackend[] {
  return nodeWorks() ? [nodeDh, bigintDh] : [bigintDh];
}
