/**
 * The checks every OpenSSH certificate must pass before its CA is trusted for it
 * (PROTOCOL.certkeys; OpenSSH's sshkey_cert_check_authority and cert_parse), in OpenSSH's
 * order: the CA signature (with an algorithm CASignatureAlgorithms allows), the certificate
 * type, the validity window, a principal list that is not empty, and the principal wanted.
 * Each failure is a CertificateError whose `check` names it. Who the CA may be (known_hosts
 * `@cert-authority`, TrustedUserCAKeys) is the caller's business.
 */
import type { Certificate, CertificateType } from '../crypto/hostkey/certificate.js';
import {
  DEFAULT_CA_SIGNATURE_ALGORITHMS,
  verifyCertificateSignature,
} from '../crypto/hostkey/certificate.js';
import { CertificateError } from '../errors.js';
import { certificateTime } from './cert-describe.js';

export interface CertificateCheckOptions {
  readonly certType: CertificateType;
  /** The principal that must be listed (a user name, a host name); undefined: any. */
  readonly principal?: string;
  /** How a listed principal matches (hosts: patterns). Default: exact. */
  readonly principalMatches?: (name: string, listed: string) => boolean;
  /** The time to judge validity by, ms since the epoch. */
  readonly now: number;
  /** CASignatureAlgorithms. */
  readonly caSignatureAlgorithms?: readonly string[];
}

/** Throws CertificateError for the first check `cert` fails. */
export function checkCertificate(cert: Certificate, o: CertificateCheckOptions): void {
  const algs = o.caSignatureAlgorithms ?? DEFAULT_CA_SIGNATURE_ALGORITHMS;
  if (!algs.includes(cert.signatureAlgorithm)) {
    throw new CertificateError(
      'signature',
      `certificate signature algorithm ${cert.signatureAlgorithm} is not allowed (CASignatureAlgorithms)`,
      { algorithm: cert.signatureAlgorithm },
    );
  }
  if (!verifyCertificateSignature(cert, algs)) {
    throw new CertificateError('signature', 'certificate signature by its CA does not verify');
  }
  if (cert.certType !== o.certType) {
    throw new CertificateError(
      'type',
      `not a ${o.certType} certificate (it is a ${cert.certType} certificate)`,
      {
        certType: cert.certType,
      },
    );
  }
  const now = BigInt(Math.floor(o.now / 1000));
  if (now < cert.validAfter) {
    throw new CertificateError(
      'not-yet-valid',
      `certificate is not yet valid: valid from ${certificateTime(cert.validAfter)}`,
      { validAfter: cert.validAfter.toString() },
    );
  }
  if (now >= cert.validBefore) {
    throw new CertificateError(
      'expired',
      `certificate expired at ${certificateTime(cert.validBefore)}`,
      { validBefore: cert.validBefore.toString() },
    );
  }
  if (cert.principals.length === 0) {
    throw new CertificateError('no-principals', 'certificate lacks a principal list');
  }
  const name = o.principal;
  if (name === undefined) return;
  const matches = o.principalMatches ?? ((n: string, p: string) => n === p);
  if (!cert.principals.some((p) => matches(name, p))) {
    throw new CertificateError(
      'principal',
      `"${name}" is not a listed principal of the certificate (${cert.principals.join(', ')})`,
      { principal: name, principals: [...cert.principals] },
    );
  }
}
