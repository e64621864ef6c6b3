/**
 * FileSigner: a private key loaded from a file, as a Signer (core/auth/signer.ts).
 *
 * Signatures (RFC 4253 §6.6 blobs, built by core/crypto/hostkey's signatureBlob):
 *   ssh-ed25519          R ‖ S, 64 bytes (RFC 8709 §6)
 *   ecdsa-sha2-<id>      mpint r ‖ mpint s, over SHA-256/384/512 by curve (RFC 5656 §3.1.2)
 *   rsa-sha2-512/256     RSASSA-PKCS1-v1_5 with SHA-512/256 (RFC 8332 §3)
 *   ssh-rsa              RSASSA-PKCS1-v1_5 with SHA-1 (RFC 4253 §6.6), listed only where
 *                        the runtime's crypto policy still allows SHA-1 signatures
 *
 * The private key lives in a node:crypto KeyObject, or, for ed25519 and ECDSA when this
 * runtime's node:crypto cannot use it (Electron's BoringSSL lacks some), as bytes for
 * @noble/curves, held in a closure. Before a signer is returned it signs a probe with each
 * backend in turn and verifies that with the public key: the first that passes is kept, and a
 * key whose private half does not match its public half is refused. Nothing secret is
 * reachable from the object: util.inspect and JSON show the type, fingerprint and source.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Signer } from '../auth/signer.js';
import { KeyFormatError } from '../errors.js';
import { nistCurves, type NistCurve } from '../crypto/ec.js';
import {
  hostKeyAlgorithmKeyType,
  rsaHashOf,
  signatureAlgorithmsFor,
} from '../crypto/hostkey/algorithms.js';
import { ecdsaBlob, ecdsaSignatureFromRs } from '../crypto/hostkey/ecdsa.js';
import { ed25519Blob } from '../crypto/hostkey/ed25519.js';
import { parsePublicKey } from '../crypto/hostkey/parse.js';
import { rsaBlob } from '../crypto/hostkey/rsa.js';
import { signatureBlob } from '../crypto/hostkey/signature.js';
import type { HostKeyPair, PublicKey } from '../crypto/hostkey/types.js';
import { utf8, wipe } from '../wire/bytes.js';
import { partsBlob, partsDer, wipeParts, type PrivateKeyParts } from './private-key.js';
import { checkSignerAlgorithm, signerSummary } from './signer-info.js';

/** Where a key came from, by file format. */
export type KeyFileFormat = 'openssh' | 'pkcs1' | 'sec1' | 'pkcs8' | 'ppk';

/** Decrypted key material as a format reader hands it over. */
export type KeyMaterial =
  | { readonly kind: 'parts'; readonly parts: PrivateKeyParts }
  | { readonly kind: 'keyObject'; readonly key: KeyObject };

/** Makes the algorithm-specific signature bytes (the inner string of the blob). */
type RawSign = (algorithm: string, data: Uint8Array) => Uint8Array;

interface Backend {
  readonly name: 'node' | 'noble';
  readonly sign: RawSign;
}

const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const b64u = (s: string | undefined): Uint8Array =>
  new Uint8Array(Buffer.from(s ?? '', 'base64url'));

/** A key's public blob, and its curve for ECDSA. */
interface KeyShape {
  readonly blob: Uint8Array;
  readonly curve: NistCurve | undefined;
}

const curveByOpensslName: ReadonlyMap<string, NistCurve> = new Map(
  Object.values(nistCurves).map((c) => [c.opensslName, c]),
);

function describeKeyObject(key: KeyObject): KeyShape {
  const kind = key.asymmetricKeyType;
  if (kind === 'dsa') {
    throw new KeyFormatError('DSA keys ("ssh-dss") are not supported', { type: kind });
  }
  if (kind !== 'ed25519' && kind !== 'rsa' && kind !== 'ec') {
    throw new KeyFormatError(`unsupported key type "${String(kind)}"`, { type: kind });
  }
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  if (kind === 'ed25519') return { blob: ed25519Blob(b64u(jwk.x)), curve: undefined };
  if (kind === 'ec') {
    const name = key.asymmetricKeyDetails?.namedCurve ?? '';
    const c = curveByOpensslName.get(name);
    if (c === undefined) {
      throw new KeyFormatError(`unsupported elliptic curve "${name}"`, { type: `ec ${name}` });
    }
    const q = new Uint8Array(1 + 2 * c.fieldBytes);
    q[0] = 4;
    q.set(b64u(jwk.x), 1);
    q.set(b64u(jwk.y), 1 + c.fieldBytes);
    return { blob: ecdsaBlob(c, q), curve: c };
  }
  return { blob: rsaBlob(b64u(jwk.e), b64u(jwk.n)), curve: undefined };
}

function describeParts(k: PrivateKeyParts): KeyShape {
  return {
    blob: partsBlob(k),
    curve: k.type === 'ssh-ed25519' || k.type === 'ssh-rsa' ? undefined : k.curve,
  };
}

/** The backend a candidate builds, or undefined when this runtime cannot import or use the key. */
function attempt(candidate: Candidate): Backend | undefined {
  try {
    return candidate.make();
  } catch {
    return undefined;
  }
}

function nodeBackend(type: string, key: KeyObject, curve: NistCurve | undefined): Backend {
  if (type === 'ssh-ed25519') {
    return { name: 'node', sign: (_alg, data) => view(nodeSign(null, data, key)) };
  }
  if (curve !== undefined) {
    const k = { key, dsaEncoding: 'ieee-p1363' as const };
    return {
      name: 'node',
      sign: (_alg, data) => ecdsaSignatureFromRs(curve, view(nodeSign(curve.hash, data, k))),
    };
  }
  return {
    name: 'node',
    sign: (alg, data) => view(nodeSign(rsaHashOf(alg) ?? 'sha512', data, key)),
  };
}

/** noble backend from a secret (ed25519 seed or ECDSA scalar); it keeps its own copy. */
function nobleBackend(curve: NistCurve | undefined, secret: Uint8Array): Backend {
  const s = secret.slice();
  if (curve === undefined) return { name: 'noble', sign: (_alg, data) => ed25519.sign(data, s) };
  return {
    name: 'noble',
    sign: (_alg, data) => ecdsaSignatureFromRs(curve, curve.noble.sign(data, s, { prehash: true })),
  };
}

const PROBE = utf8('keyway key probe');

function proves(pk: PublicKey, backend: Backend, alg: string): boolean {
  try {
    return pk.verify(alg, signatureBlob(alg, backend.sign(alg, PROBE)), PROBE);
  } catch {
    return false;
  }
}

/** A way to build a backend, tried in order (fastest first); built only when tried. */
interface Candidate {
  readonly name: 'node' | 'noble';
  readonly make: () => Backend;
}

function candidatesFor(
  material: KeyMaterial,
  type: string,
  curve: NistCurve | undefined,
): Candidate[] {
  if (material.kind === 'keyObject') {
    const key = material.key;
    const out: Candidate[] = [{ name: 'node', make: () => nodeBackend(type, key, curve) }];
    if (type !== 'ssh-rsa') {
      out.push({
        name: 'noble',
        make: () => {
          // JWK "d": the ed25519 seed, or the ECDSA scalar at full length (RFC 7518 §6.2.2.1).
          const d = b64u(key.export({ format: 'jwk' }).d);
          const b = nobleBackend(curve, d);
          wipe(d);
          return b;
        },
      });
    }
    return out;
  }
  const k = material.parts;
  const out: Candidate[] = [
    {
      name: 'node',
      make: () => {
        const { der, type: derType } = partsDer(k);
        try {
          const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
          return nodeBackend(type, createPrivateKey({ key, format: 'der', type: derType }), curve);
        } finally {
          wipe(der);
        }
      },
    },
  ];
  if (k.type === 'ssh-ed25519') {
    out.push({ name: 'noble', make: () => nobleBackend(undefined, k.seed) });
  } else if (k.type !== 'ssh-rsa') {
    out.push({ name: 'noble', make: () => nobleBackend(k.curve, k.d) });
  }
  return out;
}

export interface FileSignerInfo {
  readonly comment: string;
  readonly source: string;
  readonly format: KeyFileFormat;
}

export class FileSigner implements Signer {
  readonly publicKey: PublicKey;
  readonly comment: string;
  readonly source: string;
  readonly algorithms: readonly string[];
  readonly format: KeyFileFormat;
  /** 'node' or 'noble': which implementation signs. */
  readonly backend: 'node' | 'noble';
  readonly #sign: RawSign;

  private constructor(
    publicKey: PublicKey,
    algorithms: readonly string[],
    backend: Backend,
    info: FileSignerInfo,
  ) {
    this.publicKey = publicKey;
    this.algorithms = Object.freeze([...algorithms]);
    this.#sign = backend.sign;
    this.backend = backend.name;
    this.comment = info.comment;
    this.source = info.source;
    this.format = info.format;
  }

  /**
   * A signer for decrypted key material. Throws KeyFormatError (cause only: the caller names
   * the file) for an unsupported key or one whose private half does not match its public half.
   * Wipes the bytes of `material` once they are imported. `only` restricts the backends
   * tried, for tests that cross-check them.
   */
  static create(material: KeyMaterial, info: FileSignerInfo, only?: 'node' | 'noble'): FileSigner {
    try {
      const { blob, curve } =
        material.kind === 'keyObject'
          ? describeKeyObject(material.key)
          : describeParts(material.parts);
      const publicKey = parsePublicKey(blob);
      const keyType = hostKeyAlgorithmKeyType(publicKey.type);
      if (keyType === undefined) {
        throw new KeyFormatError(`unsupported key type "${publicKey.type}"`, {
          type: publicKey.type,
        });
      }
      const [primary = keyType, ...others] = signatureAlgorithmsFor(keyType);
      for (const candidate of candidatesFor(material, keyType, curve)) {
        if (only !== undefined && candidate.name !== only) continue;
        const backend = attempt(candidate);
        if (backend === undefined || !proves(publicKey, backend, primary)) continue;
        // rsa-sha2-256 differs from rsa-sha2-512 only in the hash; ssh-rsa needs SHA-1
        // signatures, which a crypto policy may forbid, so it is listed only if it works.
        const algorithms = [
          primary,
          ...others.filter((a) => a !== 'ssh-rsa' || proves(publicKey, backend, a)),
        ];
        return new FileSigner(publicKey, algorithms, backend, info);
      }
      throw new KeyFormatError(`the ${keyType} private key does not match its public key`, {
        type: keyType,
      });
    } finally {
      if (material.kind === 'parts') wipeParts(material.parts);
    }
  }

  async sign(algorithm: string, data: Uint8Array): Promise<Uint8Array> {
    return this.signNow(algorithm, data);
  }

  /**
   * This key as a server's host key (core/transport wants a synchronous signer). The private
   * half stays in this object.
   */
  hostKeyPair(): HostKeyPair {
    return {
      publicKey: this.publicKey,
      algorithms: this.algorithms,
      sign: (algorithm, data) => this.signNow(algorithm, data),
    };
  }

  private signNow(algorithm: string, data: Uint8Array): Uint8Array {
    checkSignerAlgorithm(this, algorithm);
    return signatureBlob(algorithm, this.#sign(algorithm, data));
  }

  /** What a log line may show: no key material. */
  toJSON(): Record<string, unknown> {
    return { ...signerSummary(this), format: this.format };
  }

  [inspect.custom](): string {
    return `FileSigner ${inspect(this.toJSON())}`;
  }
}
