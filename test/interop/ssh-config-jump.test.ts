/**
 * ssh_config's result is what `keyway ssh` acts on (issue 9): a host reached through a
 * two-hop ProxyJump chain defined only in a config file, each hop with its own user and its
 * own identity, against three Debian sshd instances that each accept only their own key.
 * OpenSSH's ssh, given the same file, takes the same route as the check of the test itself.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { ensureTestUser, startOpenSsh, type RunningServer } from './harness/index.js';
import { runKeyway } from '../support/keyway-bin.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { waitFor, logged } from '../support/wait.js';

let tmp: TempDir;
let a: RunningServer;
let b: RunningServer;
let c: RunningServer;
let hopUser = '';

const known = (s: RunningServer) =>
  s.hostKeys.map((k) => `[127.0.0.1]:${s.port} ${k.publicLine}\n`).join('');

function key(name: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', tmp.path(name)]);
  return readFileSync(tmp.path(`${name}.pub`), 'utf8').trim();
}

before(async () => {
  tmp = tempDir('ssh-config-jump');
  hopUser = ensureTestUser().user;
  const [ka, kb, kc] = [key('id_a'), key('id_b'), key('id_c')];
  [a, b, c] = await Promise.all([
    startOpenSsh({ authorizedKeys: [ka] }),
    startOpenSsh({ authorizedKeys: [kb] }),
    startOpenSsh({ authorizedKeys: [kc] }),
  ]);
  writeFileSync(tmp.path('known_hosts'), known(a) + known(b) + known(c));
  // the chain exists only here: final → through inner → through outer
  writeFileSync(
    tmp.path('config'),
    [
      'Host final',
      '  HostName 127.0.0.1',
      `  Port ${c.port}`,
      '  User root',
      `  IdentityFile ${tmp.path('id_c')}`,
      '  ProxyJump inner',
      'Host inner',
      '  HostName 127.0.0.1',
      `  Port ${b.port}`,
      `  User ${hopUser}`,
      `  IdentityFile ${tmp.path('id_b')}`,
      '  ProxyJump outer',
      'Host outer',
      '  HostName 127.0.0.1',
      `  Port ${a.port}`,
      '  User root',
      `  IdentityFile ${tmp.path('id_a')}`,
      'Host *',
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${tmp.path('known_hosts')}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
    ].join('\n'),
  );
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
  tmp?.cleanup();
});

/** The user each server let in, in order, from its log. */
const accepted = (s: RunningServer): string[] =>
  [...s.log().matchAll(/Accepted publickey for (\S+) /g)].map((m) => m[1] ?? '');

test('a two-hop ProxyJump chain from the config file alone, per-hop users and keys', async () => {
  const r = await runKeyway(['ssh', '-F', tmp.path('config'), 'final', 'echo', '$USER@end']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'root@end\n');
  // sshd's log reaches us on its own pipe, maybe after the command has ended
  await waitFor(() => [a, b, c].every((s) => accepted(s).length > 0), 'the three logins logged');
  assert.deepEqual(accepted(a), ['root']);
  assert.deepEqual(accepted(b), [hopUser]);
  assert.deepEqual(accepted(c), ['root']);
  // each hop opened its forward to the next one
  await logged(() => a.log(), new RegExp(`direct_tcpip.*target 127\\.0\\.0\\.1 port ${b.port}\\b`));
  await logged(() => b.log(), new RegExp(`direct_tcpip.*target 127\\.0\\.0\\.1 port ${c.port}\\b`));

  // OpenSSH's ssh reads the same file the same way
  const o = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(
      'ssh',
      ['-F', tmp.path('config'), 'final', 'echo', '$USER@end'],
      { env: { ...process.env, SSH_AUTH_SOCK: '' } },
      (error, out, err) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          out,
          err,
        }),
    ).stdin?.end();
  });
  assert.deepEqual([o.code, o.out], [0, 'root@end\n'], o.err);
  await waitFor(() => accepted(b).length > 1, 'the second login through b logged');
  assert.deepEqual(accepted(b), [hopUser, hopUser]);
});

test('the hop whose key the config does not give fails, and the error names that hop', async () => {
  // the inner hop's identity swapped for the outer one's: inner refuses it
  const cfg = readFileSync(tmp.path('config'), 'utf8').replace(
    `IdentityFile ${tmp.path('id_b')}`,
    `IdentityFile ${tmp.path('id_a')}`,
  );
  writeFileSync(tmp.path('config_bad'), cfg);
  const r = await runKeyway(['ssh', '-F', tmp.path('config_bad'), 'final', 'true']);
  assert.equal(r.code, 255);
  // named by its user, address and port (its position counts from the hop that names it)
  assert.match(r.err, new RegExp(`jump host \\d \\(${hopUser}@127\\.0\\.0\\.1 port ${b.port}\\)`));
  assert.match(r.err, /Permission denied \(publickey\)/);
});
