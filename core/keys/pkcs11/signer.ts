/**
 * Pkcs11Signer: a key held by a PKCS#11 token, as a Signer (core/auth/signer.ts). The token
 * makes every signature; nothing private is ever read.
 *
 *   rsa-sha2-512/256, ssh-rsa  CKM_RSA_PKCS over DigestInfo(SHA-512/256/1 of the data)
 *                              (RFC 8017 §9.2, RFC 8332 §3)
 *   ecdsa-sha2-nistp*          CKM_ECDSA over the curve's hash of the data; the token answers
 *                              r ‖ s at fixed length (PKCS#11 v2.40 §2.3.1), turned into
 *                              mpint r ‖ mpint s (RFC 5656 §3.1.2)
 */
import { inspect } from 'node:util';
import type { Signer } from '../../auth/signer.js';
import { ConfigError } from '../../errors.js';
import { hash } from '../../crypto/hash.js';
import {
  hostKeyAlgorithmKeyType,
  rsaHashOf,
  signatureAlgorithmsFor,
} from '../../crypto/hostkey/algorithms.js';
import { ecdsaSignatureFromRs } from '../../crypto/hostkey/ecdsa.js';
import { pkcs1DigestInfo } from '../../crypto/hostkey/rsa-pkcs1.js';
import { signatureBlob } from '../../crypto/hostkey/signature.js';
import type { PublicKey } from '../../crypto/hostkey/types.js';
import { checkSignerAlgorithm, signerSummary } from '../signer-info.js';
import { Pkcs11Error } from './errors.js';
import type { TokenPublicKey } from './public-keys.js';
import type { Pkcs11Token } from './token.js';

export class Pkcs11Signer implements Signer {
  readonly publicKey: PublicKey;
  /** CKA_LABEL, as ssh-keygen -D shows it. */
  readonly comment: string;
  /** The key's pkcs11: URI (without PIN). */
  readonly source: string;
  readonly algorithms: readonly string[];
  readonly #token: Pkcs11Token;
  readonly #key: TokenPublicKey;

  constructor(token: Pkcs11Token, key: TokenPublicKey, uri: string) {
    this.#token = token;
    this.#key = key;
    this.publicKey = key.publicKey;
    this.comment = key.label;
    this.source = uri;
    const type = hostKeyAlgorithmKeyType(key.publicKey.type);
    this.algorithms = Object.freeze(type === undefined ? [] : [...signatureAlgorithmsFor(type)]);
  }

  /** The token's label. */
  get token(): string {
    return this.#token.info.label;
  }

  /**
   * Logs in to the token (PIN from the URI or the callback) if that has not happened yet;
   * rejects with the PIN errors. sign() does this itself; callers that want to tell "could not
   * unlock" from "could not sign" call it first.
   */
  unlock(): Promise<void> {
    return this.#token.login();
  }

  async sign(algorithm: string, data: Uint8Array): Promise<Uint8Array> {
    checkSignerAlgorithm(this, algorithm);
    const L = this.#token.module.lib;
    const { id, label, curve } = this.#key;
    if (curve === undefined) {
      const digestInfo = pkcs1DigestInfo(rsaHashOf(algorithm) ?? 'sha512', data);
      if (digestInfo === undefined) throw new ConfigError(`no DigestInfo for ${algorithm}`);
      const sig = await this.#token.sign(id, label, L.CKM_RSA_PKCS, digestInfo);
      return signatureBlob(algorithm, sig);
    }
    const rs = await this.#token.sign(id, label, L.CKM_ECDSA, hash(curve.hash, data));
    if (rs.length !== 2 * curve.scalarBytes) {
      throw new Pkcs11Error(
        'failed',
        `token '${this.token}' returned a ${rs.length}-byte ECDSA signature for ${curve.id}`,
      );
    }
    return signatureBlob(algorithm, ecdsaSignatureFromRs(curve, rs));
  }

  /** What a log line may show. */
  toJSON(): Record<string, unknown> {
    return signerSummary(this);
  }

  [inspect.custom](): string {
    return `Pkcs11Signer ${inspect(this.toJSON())}`;
  }
}
