/**
 * Host certificates against known_hosts (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT `@cert-authority`
 * and `@revoked`; OpenSSH sshconnect.c check_host_key, hostfile.c check_key_not_revoked;
 * PROTOCOL.certkeys). A server's certificate is accepted when, in this order:
 *
 *   1. neither the certified key, the certificate itself nor its CA is listed `@revoked` for
 *      the host                                           (else revoked-key / revoked-ca);
 *   2. a `@cert-authority` line whose patterns match the host lists the CA that signed it
 *                                                        (else ca);
 *   3. the CA's signature verifies with an allowed algorithm (signature), it is a host
 *      certificate (type), now is inside its validity window (not-yet-valid / expired), it
 *      has principals (no-principals) and one of them, as a pattern, matches the host name
 *      the user gave (principal).
 *
 * A failure is a HostCertificateError naming the check. When no `@cert-authority` line
 * matches the host at all, the certificate says nothing and the caller checks the certified
 * plain key as any host key ("No matching CA found. Retry with plain key", as ssh does). When
 * a check fails, the verifier (verifier.ts) still accepts a plain known_hosts line for the
 * key, as ssh's retry would; unlike ssh it does not go on to ask about an "unknown" key: the
 * error says what was wrong.
 */
import { certificateHostKeyAlgorithms } from '../crypto/hostkey/algorithms.js';
import { fingerprintSha256 } from '../crypto/fingerprint.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { CertificateError, HostCertificateError, KeyFormatError } from '../errors.js';
import { checkCertificate } from '../keys/cert-validate.js';
import { readKnownHosts, type KnownHostsEntry, type KnownHostsFile } from './known-hosts.js';
import { findHost } from './lookup.js';
import { asciiLower, knownHostName, matchPattern } from './patterns.js';

export type HostCertificateResult =
  | { readonly kind: 'accepted'; readonly ca: KnownHostsEntry }
  /** No @cert-authority line matches the host: check the plain key instead. */
  | { readonly kind: 'no-ca' };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function at(e: KnownHostsEntry): string {
  return `${e.file}:${e.line}`;
}

/**
 * Checks a host certificate (`key.certificate` set) for host:port in parsed known_hosts files.
 * `now` is in ms since the epoch. Throws HostCertificateError.
 */
export function checkHostCertificate(
  files: readonly KnownHostsFile[],
  host: string,
  port: number,
  key: Pick<PublicKey, 'blob' | 'certificate'>,
  now: number,
  caSignatureAlgorithms?: readonly string[],
): HostCertificateResult {
  const cert = key.certificate;
  const name = knownHostName(host, port);
  if (cert === undefined) throw new KeyFormatError(`the host key for ${name} is not a certificate`);
  const fail = (check: CertificateError['check'], why: string): never => {
    throw new HostCertificateError(check, name, `Host certificate for ${name} refused: ${why}`, {
      keyId: cert.keyId,
      fingerprint: fingerprintSha256(cert.key.blob),
    });
  };
  const lines = findHost(files, name);
  for (const e of lines.filter((l) => l.marker === 'revoked')) {
    if (sameBytes(e.blob, cert.signatureKey.blob)) {
      fail('revoked-ca', `its CA ${fingerprintSha256(e.blob)} is marked as revoked (${at(e)})`);
    }
    if (sameBytes(e.blob, cert.key.blob) || sameBytes(e.blob, key.blob)) {
      fail(
        'revoked-key',
        `the host key ${fingerprintSha256(e.blob)} is marked as revoked (${at(e)})`,
      );
    }
  }
  const cas = lines.filter((l) => l.marker === 'cert-authority');
  if (cas.length === 0) return { kind: 'no-ca' };
  const ca = cas.find((e) => sameBytes(e.blob, cert.signatureKey.blob));
  if (ca === undefined) {
    fail(
      'ca',
      `it is signed by CA ${fingerprintSha256(cert.signatureKey.blob)}, which no @cert-authority line for ${name} lists (${cas.map(at).join(', ')})`,
    );
    return { kind: 'no-ca' }; // not reached: fail() throws
  }
  try {
    checkCertificate(cert, {
      certType: 'host',
      principal: asciiLower(host),
      principalMatches: (n, listed) => matchPattern(n, listed),
      now,
      ...(caSignatureAlgorithms ? { caSignatureAlgorithms } : {}),
    });
  } catch (e) {
    if (e instanceof CertificateError) fail(e.check, e.message);
    throw e;
  }
  return { kind: 'accepted', ca };
}

/**
 * HostKeyAlgorithms for a host that has `@cert-authority` lines: the certificate algorithms
 * first (OpenSSH's order_hostkeyalgs), as a `^` list for the transport; undefined otherwise.
 */
export async function certificateAlgorithmPreference(
  paths: readonly string[],
  host: string,
  port: number,
): Promise<string | undefined> {
  const files = await Promise.all(paths.map(readKnownHosts));
  const known = findHost(files, knownHostName(host, port)).some(
    (e) => e.marker === 'cert-authority',
  );
  return known ? `^${certificateHostKeyAlgorithms().join(',')}` : undefined;
}
