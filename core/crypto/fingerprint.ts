/**
 * Key fingerprints as OpenSSH prints them (ssh-keygen -l; sshkey.c sshkey_fingerprint):
 *   SHA256:<base64 of SHA-256(blob), without '=' padding>   (the default since OpenSSH 6.8)
 *   MD5:<16 lowercase hex pairs joined by ':'>              (ssh-keygen -E md5)
 * The input is the public key blob (RFC 4253 §6.6), not the base64 text of a .pub line.
 */
import { hash } from './hash.js';

export function fingerprintSha256(blob: Uint8Array): string {
  return 'SHA256:' + Buffer.from(hash('sha256', blob)).toString('base64').replace(/=+$/, '');
}

export function fingerprintMd5(blob: Uint8Array): string {
  const hex = Buffer.from(hash('md5', blob)).toString('hex');
  return 'MD5:' + (hex.match(/../g) ?? []).join(':');
}
