/**
 * User certificates as Signers (OpenSSH PROTOCOL.certkeys; ssh(1) CertificateFile and the
 * `<key>-cert.pub` next to an identity file): a certificate and the Signer of the key it
 * certifies. The certificate's algorithms are the certified key's with the certificate
 * suffix (rsa-sha2-512-cert-v01@openssh.com, …); signatures are the plain key's, whose blob
 * names the plain algorithm, exactly as PROTOCOL.certkeys wants.
 */
import type { Signer } from '../auth/signer.js';
import {
  CERT_SUFFIX,
  hostKeyAlgorithmKeyType,
  plainName,
  signatureAlgorithmsFor,
} from '../crypto/hostkey/algorithms.js';
import type { HostKeyPair, PublicKey } from '../crypto/hostkey/types.js';
import { ConfigError, KeyFormatError } from '../errors.js';
import { keyFileError } from './errors.js';
import { loadPublicKeyFile } from './public-key-file.js';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The certificate file OpenSSH looks for next to an identity file: `<path>-cert.pub`. */
export function certificatePathFor(identityPath: string): string {
  return `${identityPath}-cert.pub`;
}

/** Reads a certificate file (`ssh-keygen -s` output); a plain key in it is a KeyFormatError. */
export async function loadCertificateFile(path: string): Promise<PublicKey> {
  const { publicKey } = await loadPublicKeyFile(path);
  if (publicKey.certificate === undefined) {
    throw keyFileError(path, `holds a plain ${publicKey.type} key, not a certificate`);
  }
  return publicKey;
}

/** Whether `cert` certifies the key whose plain blob is `plainBlob`. */
export function certifies(cert: PublicKey, plainBlob: Uint8Array): boolean {
  return cert.certificate !== undefined && sameBytes(cert.certificate.key.blob, plainBlob);
}

/** The certificate algorithms for a certified key's plain algorithms, in the same order. */
export function certificateAlgorithms(
  cert: PublicKey,
  plainAlgorithms: readonly string[],
): string[] {
  const type = hostKeyAlgorithmKeyType(cert.type);
  const possible = type === undefined ? [] : signatureAlgorithmsFor(type);
  return plainAlgorithms.map((a) => a + CERT_SUFFIX).filter((a) => possible.includes(a));
}

function checkPair(cert: PublicKey, plain: PublicKey): void {
  if (cert.certificate === undefined) {
    throw new KeyFormatError(`a ${cert.type} key is not a certificate`);
  }
  if (!certifies(cert, plain.blob)) {
    throw new KeyFormatError(
      `the certificate (${cert.certificate.keyId}) does not certify this ${plain.type} key`,
    );
  }
}

class CertifiedSigner implements Signer {
  readonly publicKey: PublicKey;
  readonly comment: string;
  readonly source: string;
  readonly algorithms: readonly string[];
  readonly #signer: Signer;

  constructor(signer: Signer, cert: PublicKey, source: string) {
    this.#signer = signer;
    this.publicKey = cert;
    this.comment = signer.comment;
    this.source = source;
    this.algorithms = Object.freeze(certificateAlgorithms(cert, signer.algorithms));
  }

  async sign(algorithm: string, data: Uint8Array): Promise<Uint8Array> {
    if (!this.algorithms.includes(algorithm)) {
      throw new ConfigError(`certificate ${this.source} cannot sign with ${algorithm}`, {
        algorithm,
        source: this.source,
      });
    }
    return this.#signer.sign(plainName(algorithm), data);
  }

  toJSON(): Record<string, unknown> {
    return {
      type: this.publicKey.type,
      keyId: this.publicKey.certificate?.keyId,
      source: this.source,
    };
  }
}

/**
 * A Signer that presents `cert` and signs with `signer`, the certified key's. Throws
 * KeyFormatError when `cert` is not a certificate of that key.
 */
export function certifiedSigner(signer: Signer, cert: PublicKey, source = signer.source): Signer {
  checkPair(cert, signer.publicKey);
  return new CertifiedSigner(signer, cert, source);
}

/**
 * A server host key presenting its certificate (sshd's HostCertificate): the certificate
 * algorithms, signed by the host key's own algorithms. Throws KeyFormatError on a mismatch.
 */
export function certifiedHostKey(pair: HostKeyPair, cert: PublicKey): HostKeyPair {
  checkPair(cert, pair.publicKey);
  return {
    publicKey: cert,
    algorithms: certificateAlgorithms(cert, pair.algorithms),
    sign: (algorithm, data) => pair.sign(plainName(algorithm), data),
  };
}
