/**
 * A certificate for people to read, line for line as `ssh-keygen -L` prints it (OpenSSH
 * ssh-keygen.c do_show_cert, show_options; sshkey.c sshkey_format_cert_validity), with times
 * in UTC: type, certified key and CA fingerprints, key id, serial, validity, principals,
 * critical options and extensions.
 */
import type { Certificate } from '../crypto/hostkey/certificate.js';
import { CERT_FOREVER } from '../crypto/hostkey/certificate.js';
import { fingerprintSha256 } from '../crypto/fingerprint.js';
import { plainName } from '../crypto/hostkey/algorithms.js';

const LABEL: Readonly<Record<string, string>> = {
  'ssh-ed25519': 'ED25519',
  'ecdsa-sha2-nistp256': 'ECDSA',
  'ecdsa-sha2-nistp384': 'ECDSA',
  'ecdsa-sha2-nistp521': 'ECDSA',
  'ssh-rsa': 'RSA',
};

const FLAG_EXTENSIONS = new Set([
  'permit-X11-forwarding',
  'permit-agent-forwarding',
  'permit-port-forwarding',
  'permit-pty',
  'permit-user-rc',
  'no-touch-required',
]);

/** YYYY-MM-DDTHH:MM:SS in UTC (ssh-keygen prints local time); "forever" past year 275760. */
export function certificateTime(seconds: bigint): string {
  const ms = seconds * 1000n;
  if (ms > 8_640_000_000_000_000n) return 'forever';
  return new Date(Number(ms)).toISOString().slice(0, 19);
}

/** "forever", "before …", "after …" or "from … to …". */
export function certificateValidity(c: Pick<Certificate, 'validAfter' | 'validBefore'>): string {
  if (c.validAfter === 0n && c.validBefore === CERT_FOREVER) return 'forever';
  if (c.validAfter === 0n) return `before ${certificateTime(c.validBefore)}`;
  if (c.validBefore === CERT_FOREVER) return `after ${certificateTime(c.validAfter)}`;
  return `from ${certificateTime(c.validAfter)} to ${certificateTime(c.validBefore)}`;
}

function options(list: Certificate['criticalOptions'], critical: boolean): string[] {
  if (list.length === 0) return [];
  return list.map((o) => {
    const known = critical
      ? o.name === 'force-command' || o.name === 'source-address'
      : FLAG_EXTENSIONS.has(o.name);
    if (known && critical) return `                ${o.name} ${o.value ?? ''}`;
    if (known || (critical && o.name === 'verify-required')) return `                ${o.name}`;
    if (o.data.length > 0) {
      const hex = Buffer.from(o.data).toString('hex').toUpperCase();
      return `                ${o.name} UNKNOWN OPTION: ${hex} (len ${o.data.length})`;
    }
    return `                ${o.name} UNKNOWN FLAG OPTION`;
  });
}

/** The lines `ssh-keygen -L -f file` prints after the file name. */
export function describeCertificate(c: Certificate): string[] {
  const label = LABEL[plainName(c.type)] ?? plainName(c.type);
  const caLabel = LABEL[c.signatureKey.type] ?? c.signatureKey.type;
  const section = (name: string, lines: string[]) =>
    lines.length === 0 ? [`        ${name}: (none)`] : [`        ${name}: `, ...lines];
  return [
    `        Type: ${c.type} ${c.certType} certificate`,
    `        Public key: ${label}-CERT ${fingerprintSha256(c.key.blob)}`,
    `        Signing CA: ${caLabel} ${fingerprintSha256(c.signatureKey.blob)} (using ${c.signatureAlgorithm})`,
    `        Key ID: "${c.keyId}"`,
    `        Serial: ${c.serial}`,
    `        Valid: ${certificateValidity(c)}`,
    ...section(
      'Principals',
      c.principals.map((p) => `                ${p}`),
    ),
    ...section('Critical Options', options(c.criticalOptions, true)),
    ...section('Extensions', options(c.extensions, false)),
  ];
}
