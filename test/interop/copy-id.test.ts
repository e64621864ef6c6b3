/**
 * `keyway copy-id` against Debian's sshd, and against `keyway sshd` run as that account, into
 * a fresh account made for this test (no ~/.ssh):
 * it creates ~/.ssh (0700) and authorized_keys (0600), the key it added then logs in alone,
 * a second run (also with another comment on the same key) skips it, and a file that does not
 * end in a newline gets one before the new line. The first login uses a bootstrap key that
 * sshd reads from a second AuthorizedKeysFile.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { startKeywaySshd } from '../support/keyway-sshd.js';
import { startOpenSsh, type RunningServer } from './harness/index.js';
import { runKeyway } from '../support/keyway-bin.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { makeKey, publicLine, signKey } from '../support/openssh-certs.js';
import { batchSshOptions } from '../support/batch-ssh.js';

const USER = 'keyway-copyid';
let tmp: TempDir;
let server: RunningServer;
let bootstrap = '';
let home = '';

before(async () => {
  if (process.getuid?.() !== 0) throw new Error('copy-id tests create a local user and need root');
  try {
    execFileSync('userdel', ['-r', USER], { stdio: 'ignore' });
  } catch {
    // not there: the usual case
  }
  execFileSync('useradd', ['-m', '-s', '/bin/sh', USER], { stdio: 'pipe' });
  // no password, but not locked: sshd (UsePAM no) refuses locked accounts ("!" in shadow)
  execFileSync('usermod', ['-p', '*', USER], { stdio: 'pipe' });
  home = execFileSync('getent', ['passwd', USER], { encoding: 'utf8' }).trim().split(':')[5] ?? '';
  tmp = tempDir('copyid');
  chmodSync(tmp.dir, 0o755); // sshd reads the bootstrap file as the user
  bootstrap = makeKey(tmp.path('bootstrap'), 'ed25519');
  writeFileSync(tmp.path('bootstrap_keys'), `${publicLine(`${bootstrap}.pub`)}\n`, { mode: 0o644 });
  server = await startOpenSsh({
    extraConfig: [`AuthorizedKeysFile .ssh/authorized_keys ${tmp.path('bootstrap_keys')}`],
    hostKeyTypes: ['ed25519'],
  });
});

after(async () => {
  await server?.stop();
  tmp?.cleanup();
  execFileSync('userdel', ['-r', USER], { stdio: 'ignore' });
});

const common = (): string[] => batchSshOptions(server.port, tmp.path('known_hosts'));

const copyId = (identity: string) =>
  runKeyway([
    'copy-id',
    '-i',
    identity,
    ...common(),
    '-o',
    `IdentityFile=${bootstrap}`,
    `${USER}@127.0.0.1`,
  ]);

const authorizedKeys = () => `${home}/.ssh/authorized_keys`;

test('copy-id creates ~/.ssh and authorized_keys with private modes, and the key then logs in', async () => {
  const key = makeKey(tmp.path('new'), 'ecdsa256', 'new-key');
  const before = await runKeyway(['ssh', ...common(), '-i', key, `${USER}@127.0.0.1`, 'true']);
  assert.notEqual(before.code, 0, 'not authorized yet');
  const r = await copyId(key); // -i names the private key: its .pub is installed
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Number of key\(s\) added: 1/);
  assert.equal(statSync(`${home}/.ssh`).mode & 0o777, 0o700);
  assert.equal(statSync(authorizedKeys()).mode & 0o777, 0o600);
  assert.equal(
    statSync(authorizedKeys()).uid,
    Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' })),
  );
  assert.equal(readFileSync(authorizedKeys(), 'utf8'), readFileSync(`${key}.pub`, 'utf8'));
  const after = await runKeyway(['ssh', ...common(), '-i', key, `${USER}@127.0.0.1`, 'id -un']);
  assert.equal(after.code, 0, after.err);
  assert.equal(after.out, `${USER}\n`);
});

test('a key already there is skipped, even under another comment', async () => {
  const key = tmp.path('new');
  const first = readFileSync(authorizedKeys(), 'utf8');
  const again = await copyId(`${key}.pub`);
  assert.equal(again.code, 0, again.err);
  assert.match(again.err, /All keys were skipped because they already exist/);
  writeFileSync(tmp.path('renamed.pub'), `${publicLine(`${key}.pub`)} another-comment\n`);
  const renamed = await copyId(tmp.path('renamed.pub'));
  assert.match(renamed.err, /skipped/);
  assert.equal(readFileSync(authorizedKeys(), 'utf8'), first);
});

test('a file without a final newline gets one before the new key', async () => {
  const other = makeKey(tmp.path('other'), 'ed25519', 'other-key');
  const existing = `no-pty ${publicLine(`${tmp.path('new')}.pub`)} kept`;
  writeFileSync(authorizedKeys(), existing);
  const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }));
  chownSync(authorizedKeys(), uid, uid);
  const r = await copyId(other);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    readFileSync(authorizedKeys(), 'utf8'),
    `${existing}\n${readFileSync(`${other}.pub`, 'utf8')}`,
  );
});

test('copy-id refuses a certificate and a missing key file, naming them', async () => {
  const missing = await copyId(tmp.path('does-not-exist'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /does-not-exist\.pub/);
  const ca = makeKey(tmp.path('ca'), 'ed25519');
  const cert = signKey(ca, `${tmp.path('other')}.pub`, { principals: [USER] });
  const refused = await copyId(cert);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /is a certificate, not a key to install/);
});

test('copy-id into the fresh account through keyway sshd running as it, then the key logs in', async () => {
  rmSync(`${home}/.ssh`, { recursive: true, force: true });
  const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }));
  const dataDir = tmp.path('keyway-sshd-data');
  mkdirSync(dataDir, { mode: 0o700 });
  chownSync(dataDir, uid, gid);
  const sshd = await startKeywaySshd({
    dataDir,
    runAs: { uid, gid, home },
    args: ['--authorized-keys', authorizedKeys(), '--authorized-keys', tmp.path('bootstrap_keys')],
  });
  try {
    const key = makeKey(tmp.path('for-keyway-sshd'), 'ed25519', 'keyway-sshd-key');
    const options = batchSshOptions(sshd.port, tmp.path('known_hosts_keyway'));
    const r = await runKeyway([
      'copy-id',
      '-i',
      key,
      ...options,
      '-o',
      `IdentityFile=${bootstrap}`,
      `${USER}@127.0.0.1`,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Number of key\(s\) added: 1/);
    assert.equal(statSync(`${home}/.ssh`).mode & 0o777, 0o700);
    assert.equal(statSync(authorizedKeys()).mode & 0o777, 0o600);
    const login = await runKeyway(['ssh', ...options, '-i', key, `${USER}@127.0.0.1`, 'id -un']);
    assert.equal(login.code, 0, login.err);
    assert.equal(login.out, `${USER}\n`);
  } finally {
    await sshd.stop();
  }
});
