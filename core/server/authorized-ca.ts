/**
 * User certificates through `cert-authority` lines of authorized_keys (sshd(8) AUTHORIZED_KEYS
 * FILE FORMAT; OpenSSH auth2-pubkeyfile.c auth_check_authkey_line, match_principals_option,
 * auth-options.c sshauthopt_merge).
 *
 * A line with `cert-authority` whose key is the certificate's CA vouches for it when:
 *   - the line's own expiry-time has not passed and its from= admits the client;
 *   - with principals="a,b": one of the certificate's principals is in that list; without:
 *     the user name is one of them;
 *   - the certificate passes core/keys/cert-validate.ts as a user certificate, and its
 *     critical options admit the connection (trusted-ca.ts certificateGrant).
 * The session gets both sets of restrictions: a permission holds only if the line and the
 * certificate both grant it; a forced command may come from either, and two different ones
 * refuse the certificate ("forced command options do not match"); permitopen, permitlisten
 * and environment come from the line. Lines are tried in order; the first that vouches wins.
 */
import type { Certificate } from '../crypto/hostkey/certificate.js';
import { CertificateError } from '../errors.js';
import { checkCertificate } from '../keys/cert-validate.js';
import { matchHostAndAddress } from './address-match.js';
import type { AuthorizedKeyEntry } from './authorized-keys.js';
import type { ConnectionContext } from './authorize.js';
import type { KeyRestrictions } from './key-options.js';
import {
  certificateGrant,
  certificateName,
  sameBytes,
  userCertificate,
  type CertificateLogin,
} from './trusted-ca.js';

/** The line's and the certificate's restrictions together, or why they conflict. */
export function mergeRestrictions(
  line: KeyRestrictions,
  cert: KeyRestrictions,
): KeyRestrictions | string {
  if (line.command !== undefined && cert.command !== undefined && line.command !== cert.command) {
    return 'forced command options do not match';
  }
  const command = line.command ?? cert.command;
  return {
    ...line,
    ...(command !== undefined ? { command } : {}),
    pty: line.pty && cert.pty,
    portForwarding: line.portForwarding && cert.portForwarding,
    agentForwarding: line.agentForwarding && cert.agentForwarding,
    x11Forwarding: line.x11Forwarding && cert.x11Forwarding,
    userRc: line.userRc && cert.userRc,
  };
}

/** Why `entry` does not vouch for `cert`, or its merged restrictions. */
function judge(
  entry: AuthorizedKeyEntry,
  cert: Certificate,
  user: string,
  ctx: ConnectionContext,
): KeyRestrictions | string {
  const o = entry.options;
  if (o.expiresAt !== undefined && Math.floor(ctx.now / 1000) * 1000 > o.expiresAt) {
    return `the line expired at ${new Date(o.expiresAt).toISOString()}`;
  }
  if (o.from !== undefined && matchHostAndAddress(ctx.hostName, ctx.address, o.from) !== 1) {
    return `${ctx.address} is not permitted by from="${o.from}"`;
  }
  if (o.principals !== undefined) {
    const allowed = o.principals.split(',').filter((p) => p !== '');
    if (!cert.principals.some((p) => allowed.includes(p))) {
      return `the certificate has none of principals="${o.principals}"`;
    }
  }
  try {
    checkCertificate(cert, {
      certType: 'user',
      ...(o.principals === undefined ? { principal: user } : {}),
      now: ctx.now,
    });
  } catch (e) {
    if (e instanceof CertificateError) return e.message;
    throw e;
  }
  const grant = certificateGrant(cert, ctx.address);
  return typeof grant === 'string' ? grant : mergeRestrictions(o.restrictions, grant);
}

/** Decides a certificate `blob` for `user` by the cert-authority lines among `entries`. */
export function authorizeCertificateByKeys(
  entries: readonly AuthorizedKeyEntry[],
  blob: Uint8Array,
  user: string,
  ctx: ConnectionContext,
): CertificateLogin {
  const cert = userCertificate(blob);
  if (typeof cert === 'string') return { kind: 'refused', message: cert };
  const id = certificateName(cert);
  const lines = entries.filter(
    (e) => e.options.certAuthority && sameBytes(e.blob, cert.signatureKey.blob),
  );
  if (lines.length === 0) {
    return { kind: 'refused', message: `${id}: no cert-authority line lists its CA` };
  }
  const why: string[] = [];
  for (const entry of lines) {
    const r = judge(entry, cert, user, ctx);
    if (typeof r !== 'string') return { kind: 'authorized', restrictions: r, keyId: cert.keyId };
    why.push(`${entry.file}:${entry.line}: ${r}`);
  }
  return { kind: 'refused', message: `${id}: ${why.join('; ')}` };
}
