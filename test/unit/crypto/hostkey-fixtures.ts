// Keys made by the real ssh-keygen in a temporary directory, for cross-checking host-key
// parsing, signatures, fingerprints and randomart against OpenSSH itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshReader } from '../../../core/wire/reader.js';
import { SshWriter } from '../../../core/wire/writer.js';
import { concatBytes, utf8 } from '../../../core/wire/bytes.js';
import { hash } from '../../../core/crypto/hash.js';

export interface KeygenKey {
  /** Key type in the blob. */
  readonly type: string;
  /** ssh-keygen's word for it: ED25519, ECDSA, RSA. */
  readonly label: string;
  readonly bits: number;
  readonly privatePath: string;
  readonly pubPath: string;
  readonly blob: Uint8Array;
  readonly comment: string;
}

export const keySpecs = [
  { t: 'ed25519', b: 256, type: 'ssh-ed25519', label: 'ED25519' },
  { t: 'ecdsa', b: 256, type: 'ecdsa-sha2-nistp256', label: 'ECDSA' },
  { t: 'ecdsa', b: 384, type: 'ecdsa-sha2-nistp384', label: 'ECDSA' },
  { t: 'ecdsa', b: 521, type: 'ecdsa-sha2-nistp521', label: 'ECDSA' },
  { t: 'rsa', b: 2048, type: 'ssh-rsa', label: 'RSA' },
  { t: 'rsa', b: 3072, type: 'ssh-rsa', label: 'RSA' },
] as const;

export function sshKeygen(...args: string[]): string {
  return execFileSync('ssh-keygen', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A temporary directory of keys, one per spec; call cleanup() when done. */
export function makeKeys(): { dir: string; keys: KeygenKey[]; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-hostkey-'));
  const keys = keySpecs.map((s, i) => {
    const privatePath = join(dir, `key${i}-${s.t}${s.b}`);
    const comment = `keyway-test-${s.t}-${s.b}`;
    sshKeygen('-q', '-t', s.t, '-b', String(s.b), '-N', '', '-C', comment, '-f', privatePath);
    const pubPath = `${privatePath}.pub`;
    const [type, b64] = readFileSync(pubPath, 'utf8').trim().split(' ');
    if (type !== s.type || b64 === undefined) throw new Error(`unexpected .pub line for ${s.t}`);
    const blob = new Uint8Array(Buffer.from(b64, 'base64'));
    return { type: s.type, label: s.label, bits: s.b, privatePath, pubPath, blob, comment };
  });
  return { dir, keys, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Signs `message` with `ssh-keygen -Y sign` (OpenSSH PROTOCOL.sshsig) and returns the inner
 * signature blob with the exact bytes it covers:
 *   "SSHSIG" ‖ string namespace ‖ string reserved ‖ string hash_alg ‖ string H(message)
 */
export function sshsig(
  key: KeygenKey,
  dir: string,
  message: Uint8Array,
): { algorithm: string; signatureBlob: Uint8Array; signedData: Uint8Array } {
  const file = join(dir, 'message');
  writeFileSync(file, message);
  rmSync(`${file}.sig`, { force: true });
  sshKeygen('-Y', 'sign', '-n', 'keyway-test', '-f', key.privatePath, file);
  const armored = readFileSync(`${file}.sig`, 'utf8');
  const b64 = armored.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const r = new SshReader(new Uint8Array(Buffer.from(b64, 'base64')), 'SSHSIG');
  if (Buffer.from(r.readBytes(6)).toString() !== 'SSHSIG' || r.readUint32() !== 1) {
    throw new Error('not an SSHSIG v1 signature');
  }
  r.readString(); // public key
  const namespace = r.readString();
  const reserved = r.readString();
  const hashAlg = r.readAscii();
  const signatureBlob = r.readString().slice();
  r.expectEnd();
  if (hashAlg !== 'sha512' && hashAlg !== 'sha256') throw new Error(`SSHSIG hash ${hashAlg}`);
  const signedData = sshsigSignedData(message, namespace, hashAlg, reserved);
  const algorithm = new SshReader(signatureBlob).readAscii();
  return { algorithm, signatureBlob, signedData };
}

/**
 * What an SSHSIG signature covers (OpenSSH PROTOCOL.sshsig):
 *   "SSHSIG" ‖ string namespace ‖ string reserved ‖ string hash_alg ‖ string H(message)
 */
export function sshsigSignedData(
  message: Uint8Array,
  namespace: Uint8Array | string = 'keyway-test',
  hashAlg: 'sha256' | 'sha512' = 'sha512',
  reserved: Uint8Array | string = '',
): Uint8Array {
  return concatBytes(
    utf8('SSHSIG'),
    new SshWriter()
      .writeString(namespace)
      .writeString(reserved)
      .writeString(hashAlg)
      .writeString(hash(hashAlg, message))
      .toBytes(),
  );
}

/**
 * An armored SSHSIG v1 (sha512, namespace keyway-test) around a signature blob made over
 * sshsigSignedData(message), for `ssh-keygen -Y verify` / `-Y check-novalidate`.
 */
export function armorSshsig(publicKeyBlob: Uint8Array, signatureBlob: Uint8Array): string {
  const blob = concatBytes(
    utf8('SSHSIG'),
    new SshWriter()
      .writeUint32(1)
      .writeString(publicKeyBlob)
      .writeString('keyway-test')
      .writeString('')
      .writeString('sha512')
      .writeString(signatureBlob)
      .toBytes(),
  );
  const b64 = Buffer.from(blob).toString('base64').replace(/.{70}/g, '$&\n');
  return `-----BEGIN SSH SIGNATURE-----\n${b64}\n-----END SSH SIGNATURE-----\n`;
}
