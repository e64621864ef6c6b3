/**
 * OpenSSH's ssh against `keyway sshd` for every key exchange × cipher × MAC × host-key
 * algorithm both sides have: ssh 9.2 (bookworm) and 10.0 (trixie, which adds
 * mlkem768x25519-sha256). Each run is restricted to one combination on the client side, logs
 * in with a key, runs a command whose exit code is the run's number, and ssh -v's own lines
 * say the combination is what was negotiated.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { serverAlgorithms, type Flavor } from './harness/index.js';
import { command, makeWorkdir, type Workdir } from './harness/roots.js';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { pool } from '../support/probe.js';
import { defaultAlgorithms } from '../../core/transport/algorithms.js';
import { cipherInfo } from '../../core/crypto/cipher/index.js';

interface Combo {
  kex: string;
  cipher: string;
  mac: string | null;
  hostKey: string;
}

const me = userInfo().username;
/** The host-key algorithms keyway sshd's three keys give. */
const HOST_KEY_ALGS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256'];
const ours = defaultAlgorithms();
let server: KeywaySshd;
const work = new Map<Flavor, { wd: Workdir; key: string }>();

before(async () => {
  const lines: string[] = [];
  for (const flavor of ['bookworm', 'trixie'] as const) {
    const wd = await makeWorkdir(flavor, 'ssh-client');
    const key = wd.host('id');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    lines.push(readFileSync(`${key}.pub`, 'utf8').trim());
    work.set(flavor, { wd, key: wd.toServer(key) });
  }
  server = await startKeywaySshd({ authorizedKeys: lines, args: [] });
});

after(async () => {
  await server?.stop();
  for (const { wd } of work.values()) await wd.remove();
});

function run(flavor: Flavor, c: Combo, code: number): Promise<string | null> {
  const w = work.get(flavor);
  if (!w) throw new Error('no client dir');
  // prettier-ignore
  const args = [
    '-v', '-F', '/dev/null',
    '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
    '-o', `KexAlgorithms=${c.kex}`, '-o', `Ciphers=${c.cipher}`,
    ...(c.mac ? ['-o', `MACs=${c.mac}`] : []),
    '-o', `HostKeyAlgorithms=${c.hostKey}`,
    '-i', w.key, '-p', String(server.port), `${me}@127.0.0.1`, `echo ok; exit ${code}`,
  ];
  const cmd = command(flavor, '/usr/bin/ssh', args);
  return new Promise((resolve) => {
    execFile(cmd.file, cmd.args, { env: cmd.env, timeout: 30_000 }, (err, stdout, stderr) => {
      const got = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      const want = [
        `kex: algorithm: ${c.kex}`,
        `kex: host key algorithm: ${c.hostKey}`,
        `kex: server->client cipher: ${c.cipher} MAC: ${c.mac ?? '<implicit>'}`,
        `kex: client->server cipher: ${c.cipher} MAC: ${c.mac ?? '<implicit>'}`,
      ];
      const missing = want.filter((l) => !stderr.includes(`debug1: ${l}`));
      if (got !== code || stdout !== 'ok\n' || missing.length > 0) {
        const tail = stderr
          .split('\n')
          .filter((l) => !l.startsWith('debug1:'))
          .join(' | ');
        resolve(
          `exit ${got} (want ${code}), stdout ${JSON.stringify(stdout)}, missing [${missing.join('; ')}] ${tail}`,
        );
      } else resolve(null);
    });
  });
}

for (const flavor of ['bookworm', 'trixie'] as const) {
  test(`OpenSSH ${flavor === 'bookworm' ? '9.2' : '10.0'} ssh: every combination logs in and runs a command`, async () => {
    const theirs = await serverAlgorithms('openssh', flavor);
    const kexes = ours.kex.filter((k) => theirs.kex.includes(k));
    const ciphers = ours.ciphers.filter((c) => theirs.ciphers.includes(c));
    const macs = ours.macs.filter((m) => theirs.macs.includes(m));
    const hostKeys = HOST_KEY_ALGS.filter((h) => theirs.hostKeyAlgorithms.includes(h));
    const combos: Combo[] = [];
    for (const kex of kexes)
      for (const cipher of ciphers)
        for (const mac of cipherInfo(cipher)?.aead ? [null] : macs)
          for (const hostKey of hostKeys) combos.push({ kex, cipher, mac, hostKey });
    if (flavor === 'trixie') assert.ok(kexes.includes('mlkem768x25519-sha256'));
    assert.ok(combos.length >= 500, `only ${combos.length} combinations`);
    const results = await pool(combos, 4, (c) => run(flavor, c, (combos.indexOf(c) % 250) + 1));
    const failed = combos
      .map((c, i) => ({ c, r: results[i] }))
      .filter((x) => x.r !== null)
      .map((x) => `${x.c.kex} ${x.c.cipher} ${x.c.mac ?? '-'} ${x.c.hostKey}: ${x.r ?? ''}`);
    assert.deepEqual(failed, [], `${failed.length} of ${combos.length} failed`);
  });
}

test("with nothing restricted, OpenSSH 10.0's ssh negotiates mlkem768x25519-sha256 and strict KEX", async () => {
  const w = work.get('trixie');
  assert.ok(w);
  // prettier-ignore
  const args = [
    '-vv', '-F', '/dev/null',
    '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
    '-i', w.key, '-p', String(server.port), `${me}@127.0.0.1`, 'true',
  ];
  const cmd = command('trixie', '/usr/bin/ssh', args);
  const stderr = await new Promise<string>((resolve, reject) => {
    execFile(cmd.file, cmd.args, { env: cmd.env, timeout: 30_000 }, (err, _out, e) =>
      err ? reject(new Error(`${err.message}\n${e}`)) : resolve(e),
    );
  });
  assert.match(stderr, /debug1: kex: algorithm: mlkem768x25519-sha256\r?\n/);
  assert.match(stderr, /kex-strict-s-v00@openssh\.com/);
  assert.doesNotMatch(stderr, /post-quantum/i); // no "not using a post-quantum key exchange" warning
});
