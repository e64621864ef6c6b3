/**
 * The read-only modes of `keyway keygen`, printed as ssh-keygen(1) prints them:
 *   -l [-v] [-E sha256|md5] -f file   "<bits> <fingerprint> <comment> (<TYPE>)" for each key in
 *                                     the file ("no comment" when empty), -v adds randomart
 *   -y [-P passphrase] -f file        the public key line of a private key file
 *   -D pkcs11:…|module                each token key as "<type> <base64> <label>", after a
 *                                     "# <its pkcs11: URI>" line (a comment in authorized_keys)
 */
import { fingerprintMd5, fingerprintSha256 } from '../crypto/fingerprint.js';
import { randomart, randomartKeyLabel } from '../crypto/randomart.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import {
  formatOpenSshPublicKey,
  loadPrivateKeyFile,
  openPkcs11Keys,
  readAnyPublicKeys,
  type PassphraseCallback,
} from '../keys/index.js';
import type { KeygenArgs } from './keygen-args.js';

export interface KeygenIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export function fingerprintOf(key: PublicKey, hash: 'SHA256' | 'MD5'): string {
  return hash === 'MD5' ? fingerprintMd5(key.blob) : fingerprintSha256(key.blob);
}

export function randomartOf(key: PublicKey, hash: 'SHA256' | 'MD5'): string {
  return randomart(key.blob, randomartKeyLabel(key.type), key.bits, hash);
}

export async function showFingerprints(file: string, a: KeygenArgs, io: KeygenIo): Promise<void> {
  for (const { publicKey, comment } of await readAnyPublicKeys(file)) {
    const label = randomartKeyLabel(publicKey.type);
    io.out(
      `${publicKey.bits} ${fingerprintOf(publicKey, a.hash)} ${comment || 'no comment'} (${label})`,
    );
    if (a.verbose) io.out(randomartOf(publicKey, a.hash));
  }
}

export async function showPublicKey(
  file: string,
  passphrase: PassphraseCallback,
  attempts: number,
  io: KeygenIo,
): Promise<void> {
  const signer = await loadPrivateKeyFile(file, { passphrase, attempts });
  io.out(formatOpenSshPublicKey(signer.publicKey, signer.comment).trimEnd());
}

export function showTokenKeys(spec: string, io: KeygenIo): void {
  const set = openPkcs11Keys(spec, { warn: (m) => io.err(m) });
  try {
    for (const k of set.keys) {
      io.out(`# ${k.source}`);
      io.out(formatOpenSshPublicKey(k.publicKey, k.comment).trimEnd());
    }
  } finally {
    set.close();
  }
}
