/**
 * Every user key type from a key file, as ssh-keygen and puttygen write them, logging in to
 * OpenSSH 9.2 and 10.0: ed25519, ecdsa 256/384/521, rsa 2048/4096, in openssh-key-v1 (plain
 * and encrypted with aes256-ctr and aes256-gcm), PEM, PKCS#8 and PuTTY .ppk. sshd's log names
 * the key it accepted, by the fingerprint ssh-keygen -l gives.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenSsh, type Flavor, type RunningServer } from './harness/index.js';
import { connect } from '../../core/client/connect.js';
import { logged } from '../support/wait.js';

const PASSPHRASE = 'key files passphrase';

interface KeyFile {
  readonly name: string;
  readonly keygen: readonly string[];
  readonly encrypted: boolean;
  /** ssh-keygen -l's key type word, as sshd logs it. */
  readonly logType: string;
  /** Converted with puttygen to a .ppk of this version. */
  readonly ppk?: 2 | 3;
}

const FILES: readonly KeyFile[] = [
  { name: 'ed25519', keygen: ['-t', 'ed25519'], encrypted: false, logType: 'ED25519' },
  { name: 'ecdsa256', keygen: ['-t', 'ecdsa', '-b', '256'], encrypted: false, logType: 'ECDSA' },
  { name: 'ecdsa384', keygen: ['-t', 'ecdsa', '-b', '384'], encrypted: false, logType: 'ECDSA' },
  { name: 'ecdsa521', keygen: ['-t', 'ecdsa', '-b', '521'], encrypted: false, logType: 'ECDSA' },
  { name: 'rsa2048', keygen: ['-t', 'rsa', '-b', '2048'], encrypted: false, logType: 'RSA' },
  { name: 'rsa4096', keygen: ['-t', 'rsa', '-b', '4096'], encrypted: false, logType: 'RSA' },
  { name: 'ed25519-ctr', keygen: ['-t', 'ed25519'], encrypted: true, logType: 'ED25519' },
  {
    name: 'ecdsa384-gcm',
    keygen: ['-t', 'ecdsa', '-b', '384', '-Z', 'aes256-gcm@openssh.com'],
    encrypted: true,
    logType: 'ECDSA',
  },
  {
    name: 'rsa3072-pem',
    keygen: ['-t', 'rsa', '-b', '3072', '-m', 'PEM'],
    encrypted: true,
    logType: 'RSA',
  },
  {
    name: 'ecdsa256-pem',
    keygen: ['-t', 'ecdsa', '-m', 'PEM'],
    encrypted: false,
    logType: 'ECDSA',
  },
  {
    name: 'ecdsa521-pkcs8',
    keygen: ['-t', 'ecdsa', '-b', '521', '-m', 'PKCS8'],
    encrypted: true,
    logType: 'ECDSA',
  },
  { name: 'rsa2048-pkcs8', keygen: ['-t', 'rsa', '-m', 'PKCS8'], encrypted: false, logType: 'RSA' },
  { name: 'ed25519-ppk3', keygen: ['-t', 'ed25519'], encrypted: true, logType: 'ED25519', ppk: 3 },
  { name: 'ecdsa256-ppk2', keygen: ['-t', 'ecdsa'], encrypted: false, logType: 'ECDSA', ppk: 2 },
];

let dir = '';
const path = (name: string) => join(dir, name);
const fingerprints = new Map<string, string>();
const servers = new Map<Flavor, RunningServer>();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-key-files-'));
  const lines: string[] = [];
  for (const f of FILES) {
    const pass = f.encrypted ? PASSPHRASE : '';
    const file = path(f.name);
    execFileSync('ssh-keygen', [
      '-q',
      ...f.keygen,
      '-N',
      f.ppk ? '' : pass,
      '-C',
      f.name,
      '-f',
      file,
    ]);
    lines.push(readFileSync(`${file}.pub`, 'utf8').trim());
    const fp = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`], { encoding: 'utf8' });
    fingerprints.set(f.name, fp.split(' ')[1] ?? '');
    if (f.ppk) {
      const args = [file, '-O', 'private', '-o', `${file}.ppk`, `--ppk-param`, `version=${f.ppk}`];
      if (pass) {
        const pf = path(`${f.name}.pass`);
        execFileSync('sh', ['-c', 'umask 077; printf %s "$1" > "$2"', 'sh', pass, pf]);
        args.push('--new-passphrase', pf);
      }
      execFileSync('puttygen', args);
      chmodSync(`${file}.ppk`, 0o600);
    }
  }
  for (const flavor of ['bookworm', 'trixie'] as const) {
    servers.set(flavor, await startOpenSsh({ flavor, authorizedKeys: lines }));
  }
});

after(async () => {
  for (const s of servers.values()) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

for (const flavor of ['bookworm', 'trixie'] as const) {
  test(`OpenSSH ${flavor === 'bookworm' ? '9.2' : '10.0'}: every key file logs in by itself`, async () => {
    const server = servers.get(flavor);
    assert.ok(server);
    for (const f of FILES) {
      const file = f.ppk ? `${path(f.name)}.ppk` : path(f.name);
      const asked: string[] = [];
      const c = await connect({
        host: '127.0.0.1',
        port: server.port,
        username: 'root',
        verifyHostKey: () => true,
        agentPath: null,
        identityFiles: [file],
        identityFilesExplicit: true,
        identitiesOnly: true,
        passphrase: async (p) => (asked.push(p.path), PASSPHRASE),
      });
      c.close();
      assert.equal(c.authMethod, 'publickey', f.name);
      assert.deepEqual(asked, f.encrypted ? [file] : [], `${f.name}: passphrase prompts`);
      const fp = fingerprints.get(f.name) ?? '';
      const line = new RegExp(
        `Accepted publickey for root from 127\\.0\\.0\\.1 port .* ${f.logType} ${fp.replace(/[+/]/g, '\\$&')}`,
      );
      // sshd's log reaches us on its own pipe, maybe after the login has completed
      await logged(() => server.log(), line);
    }
  });
}
