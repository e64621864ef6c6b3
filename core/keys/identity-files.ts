/**
 * OpenSSH's default identity files: what ssh(1) tries when neither -i nor IdentityFile names
 * one (readconf.c fill_default_options; ssh(1) "-i identity_file").
 *
 * OpenSSH 10.0 (Debian trixie): id_rsa, id_ecdsa, id_ecdsa_sk, id_ed25519, id_ed25519_sk, and
 * id_xmss, which its binary still tries though ssh(1) no longer lists it. OpenSSH 9.x tried
 * id_dsa last; 10.0 dropped DSA, and so do we. The sk and xmss files need a FIDO authenticator
 * or XMSS, which keys/ cannot load, but they stay in the list: their .pub may name a key that
 * the agent holds, and the order is OpenSSH's.
 */
import { join } from 'node:path';

/** File names under ~/.ssh, in OpenSSH 10's order. */
export const DEFAULT_IDENTITY_NAMES: readonly string[] = Object.freeze([
  'id_rsa',
  'id_ecdsa',
  'id_ecdsa_sk',
  'id_ed25519',
  'id_ed25519_sk',
  'id_xmss',
]);

/** Absolute paths of the default identity files for a home directory, in OpenSSH's order. */
export function defaultIdentityFiles(home: string): string[] {
  return DEFAULT_IDENTITY_NAMES.map((name) => join(home, '.ssh', name));
}
