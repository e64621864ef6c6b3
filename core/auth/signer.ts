/**
 * The one interface every user key source implements (CONVENTIONS §9): key files (core/keys),
 * agent keys (core/agent), PKCS#11 tokens and certificates later. Authentication needs only
 * this, so private key bytes never leave the layer that holds them.
 *
 * It lives in auth/ because auth/ comes before keys/ and agent/ in DESIGN.md's layer order:
 * they implement it, auth consumes it.
 */
import type { PublicKey } from '../crypto/hostkey/types.js';

export interface Signer {
  /** The public key (type, blob, bits; verify() for checks). */
  readonly publicKey: PublicKey;
  /** The key's comment (from the file or the agent), possibly empty. */
  readonly comment: string;
  /** Where the key lives, for messages: "/home/u/.ssh/id_ed25519", "agent", … */
  readonly source: string;
  /**
   * Signature algorithms this key can make, best first: ['ssh-ed25519'];
   * ['ecdsa-sha2-nistp256']; RSA: ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].
   */
  readonly algorithms: readonly string[];
  /**
   * Signs `data` and returns a signature blob (string algorithm ‖ string signature, RFC 4253
   * §6.6). Async: agents and tokens answer over I/O and may ask for a PIN.
   */
  sign(algorithm: string, data: Uint8Array): Promise<Uint8Array>;
}
