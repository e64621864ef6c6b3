/**
 * Host-key and signature algorithm names (RFC 4253 §6.6, RFC 5656 §6.2, RFC 8332 §3,
 * RFC 8709 §4). KEXINIT negotiates *signature* algorithms; rsa-sha2-256, rsa-sha2-512 and
 * the legacy ssh-rsa (SHA-1) all sign with a key of type ssh-rsa.
 */
import type { HashName } from '../hash.js';

export type HostKeyType =
  'ssh-ed25519' | 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521' | 'ssh-rsa';

/** The certificate form of a key type (OpenSSH PROTOCOL.certkeys). */
export type CertKeyType = `${HostKeyType}-cert-v01@openssh.com`;

/** Any key type a blob may name: a plain key or an OpenSSH certificate. */
export type AnyKeyType = HostKeyType | CertKeyType;

/** The suffix of every certificate key type and signature algorithm (PROTOCOL.certkeys). */
export const CERT_SUFFIX = '-cert-v01@openssh.com';

export type RsaSignatureAlgorithm = 'rsa-sha2-512' | 'rsa-sha2-256' | 'ssh-rsa';

/** Hash under each RSA signature algorithm (RFC 8332 §3; RFC 4253 §6.6 for ssh-rsa). */
export const rsaSignatureHash: Readonly<Record<RsaSignatureAlgorithm, HashName>> = {
  'rsa-sha2-512': 'sha512',
  'rsa-sha2-256': 'sha256',
  'ssh-rsa': 'sha1',
};

/** The hash of an RSA signature algorithm, or undefined when alg is not one. */
export function rsaHashOf(alg: string): HashName | undefined {
  return alg === 'rsa-sha2-512' || alg === 'rsa-sha2-256' || alg === 'ssh-rsa'
    ? rsaSignatureHash[alg]
    : undefined;
}

const keyTypeOf: ReadonlyMap<string, HostKeyType> = new Map<string, HostKeyType>([
  ['ssh-ed25519', 'ssh-ed25519'],
  ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256'],
  ['ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384'],
  ['ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521'],
  ['rsa-sha2-512', 'ssh-rsa'],
  ['rsa-sha2-256', 'ssh-rsa'],
  ['ssh-rsa', 'ssh-rsa'],
]);

/**
 * The key type a signature algorithm uses, or undefined for an algorithm we do not know.
 * Certificate algorithms map to certificate key types: rsa-sha2-512-cert-v01@openssh.com uses
 * an ssh-rsa-cert-v01@openssh.com key.
 */
export function hostKeyAlgorithmKeyType(alg: string): AnyKeyType | undefined {
  if (alg.endsWith(CERT_SUFFIX)) {
    const plain = keyTypeOf.get(alg.slice(0, -CERT_SUFFIX.length));
    return plain === undefined ? undefined : `${plain}${CERT_SUFFIX}`;
  }
  return keyTypeOf.get(alg);
}

/** Whether a key type or algorithm name is a certificate's (…-cert-v01@openssh.com). */
export function isCertificateName(name: string): boolean {
  return name.endsWith(CERT_SUFFIX);
}

/**
 * The plain name under a certificate name: the key type of the certified key, or the algorithm
 * that signatures made with a certificate name inside their blob (rsa-sha2-512 for
 * rsa-sha2-512-cert-v01@openssh.com, PROTOCOL.certkeys). Plain names are returned as they are.
 */
export function plainName(name: string): string {
  return isCertificateName(name) ? name.slice(0, -CERT_SUFFIX.length) : name;
}

/** Certificate host-key algorithms, OpenSSH's order (ssh-rsa-cert-v01 is legacy, SHA-1). */
export function certificateHostKeyAlgorithms(): string[] {
  return supportedHostKeyAlgorithms().map((a) => a + CERT_SUFFIX);
}

/** Certificate algorithms off by default: ssh-rsa-cert-v01@openssh.com signs with SHA-1. */
export function legacyCertificateHostKeyAlgorithms(): string[] {
  return legacyHostKeyAlgorithms().map((a) => a + CERT_SUFFIX);
}

/** Signature algorithms offered by default, best first (OpenSSH order, without certificates). */
export function supportedHostKeyAlgorithms(): string[] {
  return [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
  ];
}

/** Implemented but off by default: ssh-rsa signs with SHA-1 (enable with HostKeyAlgorithms +ssh-rsa). */
export function legacyHostKeyAlgorithms(): string[] {
  return ['ssh-rsa'];
}

/** Signature algorithms a key of this type can produce, best first (certificates too). */
export function signatureAlgorithmsFor(type: AnyKeyType): readonly string[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  if (type === `ssh-rsa${CERT_SUFFIX}`) {
    return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].map((a) => a + CERT_SUFFIX);
  }
  return [type];
}
