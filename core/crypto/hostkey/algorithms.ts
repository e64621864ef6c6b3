/**
 * Host-key and signature algorithm names (RFC 4253 §6.6, RFC 5656 §6.2, RFC 8332 §3,
 * RFC 8709 §4). KEXINIT negotiates *signature* algorithms; rsa-sha2-256, rsa-sha2-512 and
 * the legacy ssh-rsa (SHA-1) all sign with a key of type ssh-rsa.
 */
import type { HashName } from '../hash.js';

export type HostKeyType =
  'ssh-ed25519' | 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521' | 'ssh-rsa';

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

/** The key type a signature algorithm uses, or undefined for an algorithm we do not know. */
export function hostKeyAlgorithmKeyType(alg: string): HostKeyType | undefined {
  return keyTypeOf.get(alg);
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

/** Signature algorithms a key of this type can produce, best first. */
export function signatureAlgorithmsFor(type: HostKeyType): readonly string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}
