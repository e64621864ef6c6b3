/**
 * How the command line's target becomes connect()'s jump chain (core/cli/jump-hosts.ts via
 * ssh-connect.ts targetOptions): each hop from its -J entry and its own Host block, command-line
 * options left to the target, keepalive inherited when the hop has none, ProxyCommand with the
 * alias for %n, and a ProxyJump loop in the config refused.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolveTarget, targetOptions } from '../../../core/cli/ssh-connect.js';
import { applyDashO, emptyOptions } from '../../../core/config/ssh-options.js';
import { tempDir } from '../../support/temp-dir.js';

const tmp = tempDir('jump-hosts');
after(() => tmp.cleanup());
const io = { out: () => {}, err: () => {} };

async function target(dashO: string[], host: string, config: string) {
  const file = tmp.path(`config-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, config);
  const o = emptyOptions();
  for (const x of dashO) applyDashO(o, x);
  return targetOptions(await resolveTarget(o, { host }, file), io, 0);
}

test('each hop: its -J user and port, then its own Host block; -o options stay with the target', async () => {
  const t = await target(
    ['ProxyJump=alice@j1:2201,j2', 'ServerAliveInterval=5', 'User=target-user', 'Port=2222'],
    'dest',
    [
      'Host j2',
      '  User carol',
      '  Port 2202',
      '  ServerAliveInterval 9',
      '  ServerAliveCountMax 7',
      '',
    ].join('\n'),
  );
  assert.equal(t.username, 'target-user');
  assert.equal(t.port, 2222);
  assert.deepEqual(t.keepalive, { intervalMs: 5000, countMax: 3 });
  const [j1, j2] = t.jump ?? [];
  assert.equal(t.jump?.length, 2);
  assert.deepEqual([j1?.host, j1?.port, j1?.username], ['j1', 2201, 'alice']);
  // a hop without keepalive of its own takes the target's
  assert.deepEqual(j1?.keepalive, { intervalMs: 5000, countMax: 3 });
  assert.deepEqual([j2?.host, j2?.port, j2?.username], ['j2', 2202, 'carol']);
  assert.deepEqual(j2?.keepalive, { intervalMs: 9000, countMax: 7 });
  assert.equal(t.proxyCommand, undefined);
});

test("the first hop's own ProxyJump is kept; a loop is refused; ProxyCommand gets the alias", async () => {
  const cfg = ['Host j1', '  ProxyJump j0', 'Host loop', '  ProxyJump loop', ''].join('\n');
  const t = await target(['ProxyJump=j1'], 'dest', cfg);
  assert.equal(t.jump?.[0]?.host, 'j1');
  assert.equal(t.jump?.[0]?.jump?.[0]?.host, 'j0');
  assert.equal(t.jump?.[0]?.jump?.[0]?.username, userInfo().username);
  await assert.rejects(target([], 'loop', cfg), { name: 'ConfigError', message: /ProxyJump loop/ });
  const p = await target(
    [],
    'alias',
    ['Host alias', '  HostName real.example', '  ProxyCommand nc %h %p', ''].join('\n'),
  );
  assert.equal(p.host, 'real.example');
  assert.equal(p.proxyCommand, 'nc %h %p');
  assert.equal(p.hostAlias, 'alias');
  assert.equal((await target(['ProxyCommand=none'], 'alias', '')).proxyCommand, undefined);
});
