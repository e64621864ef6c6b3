/**
 * New private keys, as ssh-keygen makes them: ed25519, ecdsa-sha2-nistp256/384/521, and RSA
 * (3072 bits by default; 2048…16384, a multiple of 8). node:crypto generates them; the parts are
 * what openssh-key-writer.ts writes and FileSigner signs with.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ConfigError, KeyFormatError } from '../errors.js';
import { nistCurve, nistCurves } from '../crypto/ec.js';
import { DEFAULT_RSA_BITS } from '../crypto/hostkey/generate.js';
import type { PrivateKeyParts } from './private-key.js';

export type GeneratedKeyType =
  'ssh-ed25519' | 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521' | 'ssh-rsa';

const b64u = (s: string | undefined): Uint8Array =>
  new Uint8Array(Buffer.from(s ?? '', 'base64url'));

/** Left-pads a big-endian integer to `n` bytes (JWK drops leading zero bytes). */
function fixed(b: Uint8Array, n: number): Uint8Array {
  if (b.length >= n) return b;
  const out = new Uint8Array(n);
  out.set(b, n - b.length);
  return out;
}

/**
 * The parts of a private KeyObject (ed25519, RSA, or EC on a NIST curve) by its JWK form, as
 * openssh-key-writer.ts writes them; used for new keys and for keys read from PEM files.
 */
export function partsFromKeyObject(key: KeyObject): PrivateKeyParts {
  const kind = key.asymmetricKeyType;
  const jwk = key.export({ format: 'jwk' });
  if (kind === 'ed25519') return { type: 'ssh-ed25519', seed: b64u(jwk.d), publicKey: b64u(jwk.x) };
  if (kind === 'rsa') {
    return {
      type: 'ssh-rsa',
      n: b64u(jwk.n),
      e: b64u(jwk.e),
      d: b64u(jwk.d),
      p: b64u(jwk.p),
      q: b64u(jwk.q),
      iqmp: b64u(jwk.qi),
    };
  }
  const curve = Object.values(nistCurves).find((c) => c.jwkCrv === jwk.crv);
  if (kind !== 'ec' || curve === undefined) {
    throw new KeyFormatError(`unsupported key type "${String(kind)} ${jwk.crv ?? ''}"`.trim());
  }
  const q = new Uint8Array(1 + 2 * curve.fieldBytes);
  q[0] = 0x04;
  q.set(fixed(b64u(jwk.x), curve.fieldBytes), 1);
  q.set(fixed(b64u(jwk.y), curve.fieldBytes), 1 + curve.fieldBytes);
  return {
    type: `ecdsa-sha2-${curve.id}`,
    curve,
    d: fixed(b64u(jwk.d), curve.scalarBytes),
    q,
  };
}

export function generateKeyParts(type: GeneratedKeyType, bits?: number): PrivateKeyParts {
  if (type === 'ssh-ed25519') return partsFromKeyObject(generateKeyPairSync('ed25519').privateKey);
  if (type === 'ssh-rsa') {
    const size = bits ?? DEFAULT_RSA_BITS;
    if (!Number.isInteger(size) || size < 2048 || size > 16384 || size % 8 !== 0) {
      throw new ConfigError(`RSA keys are 2048 to 16384 bits, a multiple of 8; not ${size}`);
    }
    return partsFromKeyObject(generateKeyPairSync('rsa', { modulusLength: size }).privateKey);
  }
  const curve = nistCurve(type.slice('ecdsa-sha2-'.length));
  if (curve === undefined) throw new ConfigError(`unknown key type ${String(type)}`);
  if (bits !== undefined && bits !== curve.bits) {
    throw new ConfigError(`${type} keys have ${curve.bits} bits, not ${bits}`);
  }
  return partsFromKeyObject(generateKeyPairSync('ec', { namedCurve: curve.jwkCrv }).privateKey);
}
