/**
 * The line `ssh -v` prints for a server's host certificate (sshconnect.c verify_host_key):
 * "Server host certificate: <type> SHA256:…, serial N ID "…" CA <type> SHA256:… valid …".
 */
import type { Certificate } from '../crypto/hostkey/certificate.js';
import { fingerprintSha256 } from '../crypto/fingerprint.js';
import { certificateValidity } from '../keys/index.js';

export function hostCertificateLine(c: Certificate): string {
  return (
    `Server host certificate: ${c.type} ${fingerprintSha256(c.key.blob)}, serial ${c.serial} ` +
    `ID "${c.keyId}" CA ${c.signatureKey.type} ${fingerprintSha256(c.signatureKey.blob)} ` +
    `valid ${certificateValidity(c)}`
  );
}
