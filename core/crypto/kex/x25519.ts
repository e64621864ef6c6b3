/**
 * X25519 (RFC 7748 §5) behind one small interface, with two backends: node:crypto (OpenSSL or
 * BoringSSL, ~10× faster) after a known-answer self-test, and @noble/curves otherwise.
 *
 * An ephemeral holds its private key where only `agree` can reach it (a KeyObject or a closure),
 * so it does not show in util.inspect. `agree` returns the raw 32-byte shared secret and
 * rejects a peer value of the wrong length or an all-zero result (a low-order peer point,
 * RFC 7748 §6.1; RFC 8731 §3).
 */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { x25519 as nobleX25519Curve } from '@noble/curves/ed25519.js';
import { KeyExchangeFailed } from '../../errors.js';
import { fromHex, wipe } from '../../wire/bytes.js';
import { sameBytes, selfTest } from '../selftest.js';
import { rejectAllZero } from './encode.js';

export const X25519_KEY_BYTES = 32;

export interface X25519Ephemeral {
  /** Our public value u (32 bytes, little-endian as in RFC 7748). */
  readonly publicKey: Uint8Array;
  /**
   * Raw shared secret X25519(k, peer). Throws KeyExchangeFailed on bad input. One agreement
   * per ephemeral: the private key may be wiped afterwards.
   */
  agree(peerPublic: Uint8Array): Uint8Array;
}

export interface X25519Backend {
  readonly name: 'node' | 'noble';
  /** A fresh random key pair. */
  generate(): X25519Ephemeral;
  /** A key pair from a fixed 32-byte scalar (known-answer tests). */
  fromSecret(secret: Uint8Array): X25519Ephemeral;
}

const LOW_ORDER = 'X25519 shared secret is all zero (low-order peer point)';

function checkPeer(peer: Uint8Array): void {
  if (peer.length !== X25519_KEY_BYTES) {
    throw new KeyExchangeFailed(`X25519 public value must be 32 bytes, got ${peer.length}`);
  }
}

function finish(secret: Uint8Array): Uint8Array {
  rejectAllZero(secret, 'X25519 shared secret');
  return secret;
}

// --- node:crypto ---------------------------------------------------------------------------

const PKCS8_X25519_PREFIX = fromHex('302e020100300506032b656e04220420');

function nodeEphemeral(privateKey: KeyObject, publicKey: KeyObject): X25519Ephemeral {
  const jwk = publicKey.export({ format: 'jwk' });
  const pub = Buffer.from(jwk.x ?? '', 'base64url');
  return {
    publicKey: new Uint8Array(pub.buffer, pub.byteOffset, pub.byteLength),
    agree(peer) {
      checkPeer(peer);
      let s: Buffer;
      try {
        const publicKey = createPublicKey({
          key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer).toString('base64url') },
          format: 'jwk',
        });
        s = diffieHellman({ privateKey, publicKey });
      } catch (cause) {
        // Any 32 bytes import as a key; what fails is OpenSSL's / BoringSSL's all-zero check.
        throw new KeyExchangeFailed(LOW_ORDER, {}, { cause });
      }
      return finish(new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
    },
  };
}

export const nodeX25519: X25519Backend = {
  name: 'node',
  generate() {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    return nodeEphemeral(privateKey, publicKey);
  },
  fromSecret(secret) {
    const der = Buffer.concat([PKCS8_X25519_PREFIX, secret]);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    wipe(der);
    return nodeEphemeral(privateKey, createPublicKey(privateKey));
  },
};

// --- @noble/curves -------------------------------------------------------------------------

function nobleEphemeral(secretKey: Uint8Array): X25519Ephemeral {
  return {
    publicKey: nobleX25519Curve.getPublicKey(secretKey),
    agree(peer) {
      checkPeer(peer);
      let s: Uint8Array;
      try {
        s = nobleX25519Curve.getSharedSecret(secretKey, peer);
      } catch (cause) {
        throw new KeyExchangeFailed(LOW_ORDER, {}, { cause });
      } finally {
        wipe(secretKey);
      }
      return finish(s);
    },
  };
}

export const nobleX25519: X25519Backend = {
  name: 'noble',
  generate: () => nobleEphemeral(nobleX25519Curve.utils.randomSecretKey()),
  fromSecret: (secret) => nobleEphemeral(secret.slice()),
};

// --- selection -----------------------------------------------------------------------------

// RFC 7748 §6.1: Alice's private key, Bob's public key, their shared secret.
const nodeWorks = selfTest(() => {
  const alice = nodeX25519.fromSecret(
    fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
  );
  const bobPublic = fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  const want = fromHex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  return sameBytes(alice.agree(bobPublic), want) && nodeX25519.generate().publicKey.length === 32;
});

/** The backend to use: node:crypto when its self-test passes, else noble. */
export function x25519Backend(): X25519Backend {
  return nodeWorks() ? nodeX25519 : nobleX25519;
}

/** Every backend that works here, fastest first (for cross-checks and benchmarks). */
export function x25519Backends(): X25519Backend[] {
  return nodeWorks() ? [nodeX25519, nobleX25519] : [nobleX25519];
}
