/**
 * User certificates among the keys offered to a server, in OpenSSH's order (ssh(1)
 * pubkey_prepare and load_public_identity_files; PROTOCOL.certkeys):
 *
 *   - CertificateFile certificates first, each signed by the identity (file or agent key)
 *     whose public key it certifies;
 *   - then the keys as before, each identity file followed by its `<file>-cert.pub` when that
 *     holds a certificate of the same key.
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
 * Adds certificates to `keys` (in the order gatherIdentities gives them). `certificateFiles`
 * are CertificateFile paths, already expanded; a missing one is a warning.
 */
export async function withCertificates(
  keys: readonly KeyCandidate[],
  certificateFiles: readonly string[],
  warn: (message: string) => void,
): Promise<KeyCandidate[]> {
  const bases = keys.map(once);
  const first: KeyCandidate[] = [];
  for (const path of certificateFiles) {
    const cert = await userCertificate(path, warn);
    if (cert === null) continue;
    const base = bases.find((b) => certifies(cert, b.publicKey.blob));
    if (base === undefined) {
      warn(`No private key for certificate ${path} (${cert.certificate?.keyId ?? ''})`);
      continue;
    }
    first.push(certCandidate(base, cert, path));
  }
  const rest: KeyCandidate[] = [];
  for (const base of bases) {
    rest.push(base);
    if (base.source === 'agent' || base.publicKey.certificate !== undefined) continue;
    const path = certificatePathFor(base.source);
    if (!existsSync(path)) continue;
    const cert = await userCertificate(path, warn);
    if (cert !== null && certifies(cert, base.publicKey.blob)) {
      rest.push(certCandidate(base, cert, path));
    }
  }
  return [...first, ...rest];
}
