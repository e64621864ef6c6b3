/**
 * User certificates among the keys offered to a server, in OpenSSH's order (ssh(1)
 * pubkey_prepare and load_public_identity_files; PROTOCOL.certkeys):
 *
 *   - CertificateFile certificates first, each signed by the identity (file or agent key)
 *     whose public key it certifies;
 *   - then the keys as before, each followed by the `<file>-cert.pub` of an identity file
 *     that certifies it (signed through the agent when the agent holds that key).
 *
 * Only user certificates are offered. A certificate is offered under its own algorithms
 * (rsa-sha2-512-cert-v01@openssh.com, …); its private key is loaded once, when the server
 * would take either the key or its certificate.
 */
import { existsSync } from 'node:fs';
import type { KeyCandidate } from '../auth/client.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import type { Signer } from '../auth/signer.js';
import {
  certificateAlgorithms,
  certificatePathFor,
  certifiedSigner,
  certifies,
  loadCertificateFile,
} from '../keys/index.js';

/** A candidate whose signer() is asked once, however many candidates share it. */
function once(c: KeyCandidate): KeyCandidate {
  let loaded: Promise<Signer | null> | undefined;
  return { ...c, signer: () => (loaded ??= c.signer()) };
}

function certCandidate(base: KeyCandidate, cert: PublicKey, path: string): KeyCandidate {
  return {
    publicKey: cert,
    algorithms: certificateAlgorithms(cert, base.algorithms),
    source: path,
    signer: async () => {
      const s = await base.signer();
      return s === null ? null : certifiedSigner(s, cert, path);
    },
  };
}

async function userCertificate(
  path: string,
  warn: (message: string) => void,
): Promise<PublicKey | null> {
  try {
    const cert = await loadCertificateFile(path);
    if (cert.certificate?.certType === 'user') return cert;
    warn(`Ignoring certificate ${path}: not a user certificate`);
  } catch (e) {
    warn(`Load certificate "${path}": ${e instanceof Error ? e.message : String(e)}`);
  }
  return null;
}

/**
 * Adds certificates to `keys` (in the order gatherIdentities gives them). `identityFiles` are
 * the IdentityFile paths, whose `-cert.pub` files are looked for; `certificateFiles` are
 * CertificateFile paths. Both already expanded; a CertificateFile that cannot be used is a
 * warning. A certificate is signed by whichever candidate holds its key: the file, or the
 * agent when it holds the same key.
 */
export async function withCertificates(
  keys: readonly KeyCandidate[],
  identityFiles: readonly string[],
  certificateFiles: readonly string[],
  warn: (message: string) => void,
): Promise<KeyCandidate[]> {
  const bases = keys.map(once);
  const holder = (cert: PublicKey) => bases.find((b) => certifies(cert, b.publicKey.blob));
  const first: KeyCandidate[] = [];
  for (const path of certificateFiles) {
    const cert = await userCertificate(path, warn);
    if (cert === null) continue;
    const base = holder(cert);
    if (base === undefined) {
      warn(`No private key for certificate ${path} (${cert.certificate?.keyId ?? ''})`);
      continue;
    }
    first.push(certCandidate(base, cert, path));
  }
  const beside = new Map<KeyCandidate, KeyCandidate[]>();
  for (const file of identityFiles) {
    const path = certificatePathFor(file);
    if (!existsSync(path)) continue;
    const cert = await userCertificate(path, warn);
    const base = cert === null ? undefined : holder(cert);
    if (cert === null || base === undefined) continue;
    beside.set(base, [...(beside.get(base) ?? []), certCandidate(base, cert, path)]);
  }
  return [...first, ...bases.flatMap((b) => [b, ...(beside.get(b) ?? [])])];
}
