/**
 * parsePublicKey: a public key blob (RFC 4253 §6.6) to a PublicKey, for ssh-ed25519
 * (RFC 8709), ecdsa-sha2-nistp256/384/521 (RFC 5656 §3.1) and ssh-rsa (RFC 4253).
 *
 * Truncated fields, trailing bytes, bad mpints and non-ASCII names throw ProtocolError (from
 * SshReader, naming "public key blob"); an unknown key type or field values that make no valid
 * key (wrong sizes, a curve mismatch, a point off the curve, a weak RSA key) throw
 * KeyFormatError. Certificates (*-cert-v01@openssh.com, PROTOCOL.certkeys) parse to a PublicKey
 * whose `certificate` holds their fields (certificate.ts); their CA key must be a plain key.
 */
import { KeyFormatError } from '../../errors.js';
import { SshReader } from '../../wire/reader.js';
import { nistCurves } from '../ec.js';
import { parseEcdsa } from './ecdsa.js';
import { parseEd25519 } from './ed25519.js';
import { parseRsa } from './rsa.js';
import { CERT_SUFFIX } from './algorithms.js';
import { certificatePublicKey, parseCertificate } from './certificate.js';
import type { PublicKey } from './types.js';

export function parsePublicKey(blob: Uint8Array): PublicKey {
  const type = new SshReader(blob, 'public key blob').readAscii();
  if (type.endsWith(CERT_SUFFIX)) {
    return certificatePublicKey(parseCertificate(blob, parsePlainPublicKey), blob);
  }
  return parsePlainPublicKey(blob);
}

/** A plain (not certificate) public key blob to a PublicKey. */
export function parsePlainPublicKey(blob: Uint8Array): PublicKey {
  const r = new SshReader(blob, 'public key blob');
  const type = r.readAscii();
  let key: PublicKey;
  switch (type) {
    case 'ssh-ed25519':
      key = parseEd25519(r, blob);
      break;
    case 'ecdsa-sha2-nistp256':
      key = parseEcdsa(type, nistCurves.nistp256, r, blob);
      break;
    case 'ecdsa-sha2-nistp384':
      key = parseEcdsa(type, nistCurves.nistp384, r, blob);
      break;
    case 'ecdsa-sha2-nistp521':
      key = parseEcdsa(type, nistCurves.nistp521, r, blob);
      break;
    case 'ssh-rsa':
      key = parseRsa(r, blob);
      break;
    default:
      throw new KeyFormatError(`unsupported public key type "${type}"`, { type });
  }
  r.expectEnd();
  return key;
}
