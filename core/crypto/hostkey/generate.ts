/**
 * In-memory host key pairs for the server role (tests now, the bundled sshd later):
 * ssh-ed25519 (RFC 8709), ecdsa-sha2-nistp256/384/521 (RFC 5656), ssh-rsa with rsa-sha2-512,
 * rsa-sha2-256 (RFC 8332) and ssh-rsa (SHA-1) signatures.
 *
 * Keys come from node:crypto generateKeyPairSync; ed25519 and ECDSA fall back to @noble/curves
 * when node:crypto cannot make or use them (each new pair signs and verifies once before it is
 * returned). RSA has no fallback; where a crypto policy forbids SHA-1 signatures the pair omits
 * ssh-rsa. Private keys live only in closures (a KeyObject or bytes), so util.inspect of a
 * HostKeyPair shows no secret.
 */
import { generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ConfigError } from '../../errors.js';
import { utf8 } from '../../wire/bytes.js';
import { nistCurve, type NistCurve } from '../ec.js';
import { rsaHashOf, signatureAlgorithmsFor, type HostKeyType } from './algorithms.js';
import { ecdsaBlob, ecdsaSignatureFromRs } from './ecdsa.js';
import { ed25519Blob } from './ed25519.js';
import { parsePublicKey } from './parse.js';
import { RSA_MAX_BITS, RSA_MIN_BITS, rsaBlob } from './rsa.js';
import { signatureBlob } from './signature.js';
import type { HostKeyPair } from './types.js';

/** Default RSA size, as ssh-keygen's. */
export const DEFAULT_RSA_BITS = 3072;

type RawSign = (algorithm: string, data: Uint8Array) => Uint8Array;

const b64u = (s: string | undefined): Uint8Array =>
  new Uint8Array(Buffer.from(s ?? '', 'base64url'));
const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

function pair(
  type: HostKeyType,
  blob: Uint8Array,
  rawSign: RawSign,
  algorithms: readonly string[] = signatureAlgorithmsFor(type),
): HostKeyPair {
  const publicKey = parsePublicKey(blob);
  const hk: HostKeyPair = {
    publicKey,
    algorithms,
    sign(algorithm, data) {
      if (!algorithms.includes(algorithm)) {
        throw new ConfigError(`a ${type} host key cannot sign with ${algorithm}`, {
          algorithm,
          keyType: type,
        });
      }
      return signatureBlob(algorithm, rawSign(algorithm, data));
    },
  };
  // Prove the pair works before anyone relies on it.
  const probe = utf8('keyway host key probe');
  for (const alg of algorithms) {
    if (!publicKey.verify(alg, hk.sign(alg, probe), probe)) {
      throw new ConfigError(`generated ${type} key failed its ${alg} self-check`);
    }
  }
  return hk;
}

function nodeEd25519(): HostKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pub = b64u(publicKey.export({ format: 'jwk' }).x);
  return pair('ssh-ed25519', ed25519Blob(pub), (_alg, data) =>
    view(nodeSign(null, data, privateKey)),
  );
}

function nobleEd25519(): HostKeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return pair('ssh-ed25519', ed25519Blob(publicKey), (_alg, data) => ed25519.sign(data, secretKey));
}

function nodeEcdsa(type: HostKeyType, c: NistCurve): HostKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: c.jwkCrv });
  const jwk = publicKey.export({ format: 'jwk' });
  const q = new Uint8Array(1 + 2 * c.fieldBytes);
  q[0] = 4;
  q.set(b64u(jwk.x), 1);
  q.set(b64u(jwk.y), 1 + c.fieldBytes);
  const key: { key: KeyObject; dsaEncoding: 'ieee-p1363' } = {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  };
  return pair(type, ecdsaBlob(c, q), (_alg, data) =>
    ecdsaSignatureFromRs(c, view(nodeSign(c.hash, data, key))),
  );
}

function nobleEcdsa(type: HostKeyType, c: NistCurve): HostKeyPair {
  const { secretKey } = c.noble.keygen();
  const q = c.noble.getPublicKey(secretKey, false);
  return pair(type, ecdsaBlob(c, q), (_alg, data) =>
    ecdsaSignatureFromRs(c, c.noble.sign(data, secretKey, { prehash: true })),
  );
}

function nodeRsa(bits: number): HostKeyPair {
  if (!Number.isInteger(bits) || bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
    throw new ConfigError(
      `RSA key size must be ${RSA_MIN_BITS}..${RSA_MAX_BITS} bits, got ${bits}`,
    );
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicExponent: 65537,
  });
  const jwk = publicKey.export({ format: 'jwk' });
  // A crypto policy may forbid SHA-1 signatures; then the key offers only the SHA-2 ones.
  let sha1 = true;
  try {
    nodeSign('sha1', utf8('probe'), privateKey);
  } catch {
    sha1 = false;
  }
  const algorithms = signatureAlgorithmsFor('ssh-rsa').filter((a) => sha1 || a !== 'ssh-rsa');
  return pair(
    'ssh-rsa',
    rsaBlob(b64u(jwk.e), b64u(jwk.n)),
    (alg, data) => view(nodeSign(rsaHashOf(alg) ?? 'sha512', data, privateKey)),
    algorithms,
  );
}

function withFallback(fast: () => HostKeyPair, slow: () => HostKeyPair): HostKeyPair {
  try {
    return fast();
  } catch {
    return slow();
  }
}

/** A new random host key pair of this type (RSA: rsaBits, default 3072). */
export function generateHostKeyPair(
  type: HostKeyType,
  rsaBits: number = DEFAULT_RSA_BITS,
): HostKeyPair {
  if (type === 'ssh-rsa') return nodeRsa(rsaBits);
  if (type === 'ssh-ed25519') return withFallback(nodeEd25519, nobleEd25519);
  const c = nistCurve(type.slice('ecdsa-sha2-'.length));
  if (c === undefined) throw new ConfigError(`cannot generate a ${String(type)} key`);
  return withFallback(
    () => nodeEcdsa(type, c),
    () => nobleEcdsa(type, c),
  );
}
