/**
 * User certificates at the bundled sshd (sshd_config(5) TrustedUserCAKeys; OpenSSH's
 * auth2-pubkey.c user_cert_trusted_ca and auth-options.c sshauthopt_from_cert;
 * PROTOCOL.certkeys "Critical options" and "Extensions").
 *
 * A certificate logs a user in when its CA is one of the trusted keys (a file of public keys,
 * one per line as in authorized_keys), it passes the checks of core/keys/cert-validate.ts as a
 * user certificate with the user name among its principals, and its critical options allow
 * the connection:
 *   force-command    the command run instead of what the client asks for
 *   source-address   a comma list of CIDR addresses the client must come from
 *   anything else    refuses the certificate (OpenSSH: "unsupported critical option"), as does
 *                    an option given twice
 * Extensions grant: permit-pty, permit-port-forwarding, permit-agent-forwarding,
 * permit-X11-forwarding, permit-user-rc; what is not granted is off. Unknown extensions are
 * ignored.
 */
import type { Certificate } from '../crypto/hostkey/certificate.js';
import { parsePublicKey } from '../crypto/hostkey/parse.js';
import { fingerprintSha256 } from '../crypto/fingerprint.js';
import { CertificateError } from '../errors.js';
import { checkCertificate } from '../keys/cert-validate.js';
import { matchAddressList } from './address-match.js';
import { readAuthorizedKeysFile } from './authorized-keys.js';
import { defaultKeyOptions, type KeyRestrictions } from './key-options.js';

export interface TrustedCaKeys {
  readonly blobs: readonly Uint8Array[];
  /** Lines that could not be used, for the log. */
  readonly problems: readonly string[];
}

/** Reads a TrustedUserCAKeys file: public keys, one per line; options on a line are ignored. */
export async function readTrustedCaKeys(path: string): Promise<TrustedCaKeys> {
  const read = await readAuthorizedKeysFile(path);
  return {
    blobs: read.entries.map((e) => e.blob),
    problems: read.diagnostics.map((d) => d.message),
  };
}

export type CertificateLogin =
  | { readonly kind: 'authorized'; readonly restrictions: KeyRestrictions; readonly keyId: string }
  | { readonly kind: 'refused'; readonly message: string };

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const refused = (message: string): CertificateLogin => ({ kind: 'refused', message });

/** A user certificate from a publickey blob, or why it is not one. */
export function userCertificate(blob: Uint8Array): Certificate | string {
  try {
    return parsePublicKey(blob).certificate ?? 'not a certificate';
  } catch (e) {
    return `unusable certificate: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** How log lines name a certificate. */
export function certificateName(cert: Certificate): string {
  return `certificate ID "${cert.keyId}" serial ${cert.serial}`;
}

/**
 * What a certificate's critical options and extensions allow a client at `address`, or why
 * they refuse it (an unknown or repeated critical option, a source-address that does not
 * admit the client).
 */
export function certificateGrant(cert: Certificate, address: string): KeyRestrictions | string {
  let command: string | undefined;
  const seen = new Set<string>();
  for (const o of cert.criticalOptions) {
    if (seen.has(o.name)) return `critical option ${o.name} given twice`;
    seen.add(o.name);
    if (o.name === 'force-command' && o.value !== undefined) {
      command = o.value;
    } else if (o.name === 'source-address' && o.value !== undefined) {
      const m = matchAddressList(address, o.value);
      if (m === 'invalid') return `invalid source-address "${o.value}"`;
      if (m !== 1) return `${address} is not permitted by source-address "${o.value}"`;
    } else {
      return `unsupported critical option "${o.name}"`;
    }
  }
  const granted = new Set(cert.extensions.map((e) => e.name));
  return {
    ...defaultKeyOptions().restrictions,
    ...(command !== undefined ? { command } : {}),
    pty: granted.has('permit-pty'),
    portForwarding: granted.has('permit-port-forwarding'),
    agentForwarding: granted.has('permit-agent-forwarding'),
    x11Forwarding: granted.has('permit-X11-forwarding'),
    userRc: granted.has('permit-user-rc'),
  };
}

/**
 * Decides a certificate `blob` offered for `user` from `address` at `now` (ms). Never throws
 * for a bad certificate: the refusal says why, for the log.
 */
export function authorizeCertificate(
  trusted: TrustedCaKeys,
  blob: Uint8Array,
  user: string,
  ctx: { readonly address: string; readonly now: number },
): CertificateLogin {
  const cert = userCertificate(blob);
  if (typeof cert === 'string') return refused(cert);
  const id = certificateName(cert);
  if (!trusted.blobs.some((b) => sameBytes(b, cert.signatureKey.blob))) {
    return refused(`${id}: CA ${fingerprintSha256(cert.signatureKey.blob)} is not trusted`);
  }
  try {
    checkCertificate(cert, { certType: 'user', principal: user, now: ctx.now });
  } catch (e) {
    if (e instanceof CertificateError) return refused(`${id}: ${e.message}`);
    throw e;
  }
  const grant = certificateGrant(cert, ctx.address);
  if (typeof grant === 'string') return refused(`${id}: ${grant}`);
  return { kind: 'authorized', restrictions: grant, keyId: cert.keyId };
}
