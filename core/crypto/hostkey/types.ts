/**
 * Public host keys and signatures (RFC 4253 §6.6, RFC 5656 §3, RFC 8332, RFC 8709).
 *
 * Key blob:        string key-type ‖ type-specific fields
 * Signature blob:  string signature-algorithm ‖ string signature
 * Host-key algorithm names that KEXINIT negotiates are *signature* algorithms: rsa-sha2-256
 * and rsa-sha2-512 use key type ssh-rsa; the others name their key type.
 */

import type { Certificate } from './certificate.js';

export interface PublicKey {
  /** Key type as in the blob: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, … */
  readonly type: string;
  /** The whole blob, exactly as received (what fingerprints and known_hosts use). */
  readonly blob: Uint8Array;
  /** Bits, as ssh-keygen -l prints them (256 for ed25519, modulus bits for RSA). */
  readonly bits: number;
  /**
   * Verifies a signature blob over data for the given signature algorithm. Returns false for a
   * bad signature; throws ProtocolError for a malformed signature blob, or when the blob's
   * algorithm differs from `algorithm` or does not fit the key type.
   */
  verify(algorithm: string, signatureBlob: Uint8Array, data: Uint8Array): boolean;
  /** For an OpenSSH certificate (type …-cert-v01@openssh.com): its fields. */
  readonly certificate?: Certificate;
}

/** A private host key held in memory, for the server role (tests now; the bundled sshd later). */
export interface HostKeyPair {
  readonly publicKey: PublicKey;
  /** Signature algorithms this key can produce (rsa: rsa-sha2-512, rsa-sha2-256, ssh-rsa). */
  readonly algorithms: readonly string[];
  /** Returns a signature blob (string algorithm ‖ string signature). */
  sign(algorithm: string, data: Uint8Array): Uint8Array;
}
