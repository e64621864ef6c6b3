// Key files made by the real tools (ssh-keygen, puttygen, openssl) in temporary directories,
// and the checks every loaded key goes through: the public key is what the tool says it is,
// and every signature algorithm the key lists verifies, here and with OpenSSH itself.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parsePublicKey } from '../../../core/crypto/hostkey/index.js';
import { utf8 } from '../../../core/wire/bytes.js';
import type { Signer } from '../../../core/auth/signer.js';
import { armorSshsig, sshsigSignedData } from '../crypto/hostkey-fixtures.js';

/** Five characters at least: OpenSSL refuses shorter ones for PEM and PKCS#8. */
export const PASSPHRASE = 'keyway passphrase';

export interface KeySpec {
  /** For test names and file names: ed25519, ecdsa256, rsa2048, … */
  readonly name: string;
  readonly t: 'ed25519' | 'ecdsa' | 'rsa';
  readonly bits: number;
  readonly type: string;
}

export const keySpecs: readonly KeySpec[] = [
  { name: 'ed25519', t: 'ed25519', bits: 256, type: 'ssh-ed25519' },
  { name: 'ecdsa256', t: 'ecdsa', bits: 256, type: 'ecdsa-sha2-nistp256' },
  { name: 'ecdsa384', t: 'ecdsa', bits: 384, type: 'ecdsa-sha2-nistp384' },
  { name: 'ecdsa521', t: 'ecdsa', bits: 521, type: 'ecdsa-sha2-nistp521' },
  { name: 'rsa2048', t: 'rsa', bits: 2048, type: 'ssh-rsa' },
  { name: 'rsa4096', t: 'rsa', bits: 4096, type: 'ssh-rsa' },
];

export function run(cmd: string, args: readonly string[], input?: string | Uint8Array): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(input !== undefined ? { input } : {}),
  });
}

/** Like run(), for binary output. */
export function runBytes(cmd: string, args: readonly string[]): Buffer {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

export const sshKeygen = (...args: string[]): string => run('ssh-keygen', args);

import type { TempDir } from '../../support/temp-dir.js';
export { tempDir, type TempDir } from '../../support/temp-dir.js';

/** A new unencrypted openssh-key-v1 key; returns its path. */
export function makeKey(d: TempDir, spec: KeySpec, name = spec.name): string {
  const path = d.path(name);
  sshKeygen(
    '-q',
    '-t',
    spec.t,
    '-b',
    String(spec.bits),
    '-N',
    '',
    '-C',
    `keyway-${name}`,
    '-f',
    path,
  );
  return path;
}

/** Copies `src` to `name` and re-saves it with `ssh-keygen -p -P '' <args>` (-N, -m, -Z, -a). */
export function variant(d: TempDir, src: string, name: string, ...args: string[]): string {
  const path = d.path(name);
  copyFileSync(src, path);
  sshKeygen('-q', '-p', '-P', '', ...args, '-f', path);
  return path;
}

/** A file holding PASSPHRASE, for puttygen's --new-passphrase and --old-passphrase. */
export function passphraseFile(d: TempDir): string {
  const path = d.path('passphrase.txt');
  writeFileSync(path, PASSPHRASE + '\n');
  return path;
}

/** `puttygen <src> -O private -o <name>`, encrypted with PASSPHRASE when asked. */
export function ppk(
  d: TempDir,
  src: string,
  name: string,
  version: 2 | 3,
  encrypt: boolean,
): string {
  const path = d.path(name);
  const args = [src, '-O', 'private', '-o', path, '--ppk-param', `version=${version}`];
  if (encrypt) args.push('--new-passphrase', passphraseFile(d));
  run('puttygen', args);
  return path;
}

/** "<type> <base64>" of `ssh-keygen -y` (the comment, which versions differ on, dropped). */
export function keygenPublic(path: string, passphrase = ''): string {
  const out = sshKeygen('-y', '-P', passphrase, '-f', path).trim().split(/\s+/);
  return `${out[0] ?? ''} ${out[1] ?? ''}`;
}

/** "<type> <base64>" of a signer's public key. */
export function publicOf(s: Signer): string {
  return `${s.publicKey.type} ${Buffer.from(s.publicKey.blob).toString('base64')}`;
}

/**
 * The signer's public key is `expected` ("<type> <base64>", from a tool), and every algorithm
 * it lists signs data that verifies with that key parsed anew, and fails for other data.
 */
export async function checkSigner(s: Signer, expected: string, spec: KeySpec): Promise<void> {
  assert.equal(publicOf(s), expected, `${s.source}: public key`);
  assert.equal(s.publicKey.bits, spec.bits, `${s.source}: bits`);
  const pk = parsePublicKey(new Uint8Array(Buffer.from(expected.split(' ')[1] ?? '', 'base64')));
  const want = spec.type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [spec.type];
  assert.deepEqual(s.algorithms, want, `${s.source}: algorithms`);
  const data = utf8(`keyway signs for ${s.source}`);
  for (const alg of s.algorithms) {
    const sig = await s.sign(alg, data);
    assert.equal(pk.verify(alg, sig, data), true, `${s.source}: ${alg}`);
    assert.equal(pk.verify(alg, sig, utf8('other data')), false, `${s.source}: ${alg} other`);
  }
}

/**
 * OpenSSH's opinion: an SSHSIG (OpenSSH PROTOCOL.sshsig) over `message` made with the signer,
 * checked by `ssh-keygen -Y check-novalidate`. ssh-keygen refuses SHA-1 RSA in SSHSIG.
 */
export async function opensshAccepts(d: TempDir, s: Signer, alg: string): Promise<boolean> {
  const message = utf8(`keyway: ${alg} signature by ${s.source}`);
  const armored = armorSshsig(s.publicKey.blob, await s.sign(alg, sshsigSignedData(message)));
  const sigPath = d.path('message.sig');
  writeFileSync(sigPath, armored);
  try {
    const out = run(
      'ssh-keygen',
      ['-Y', 'check-novalidate', '-n', 'keyway-test', '-s', sigPath],
      message,
    );
    return /Good "keyway-test" signature/.test(out);
  } catch {
    return false;
  } finally {
    rmSync(sigPath, { force: true });
  }
}

/** A passphrase callback answering from a list, recording each prompt. */
export function answers(...list: (string | null)[]): {
  calls: { path: string; attempt: number }[];
  passphrase: (p: { path: string; attempt: number }) => Promise<string | null>;
} {
  const calls: { path: string; attempt: number }[] = [];
  return {
    calls,
    passphrase: (p) => {
      calls.push({ ...p });
      return Promise.resolve(list[calls.length - 1] ?? null);
    },
  };
}

export const readText = (path: string): string => readFileSync(path, 'utf8');
