/**
 * ProxyJump / -J values (core/config/jump-spec.ts) and the options that carry them: entries
 * with user and port, IPv6 in brackets, ssh:// URIs, `none`; malformed entries refused with
 * the entry named; ProxyJump and ProxyCommand exclusive with the first one set winning, as
 * OpenSSH reads them; `keyway ssh -J` and `-W host:port`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJumpSpec } from '../../../core/config/jump-spec.js';
import { applyDashO, applyOption, emptyOptions } from '../../../core/config/ssh-options.js';
import { parseHostPort, parseSshArgs } from '../../../core/cli/ssh-args.js';

test('jump host lists: [user@]host[:port], [v6]:port, ssh:// URIs, none', () => {
  assert.deepEqual(parseJumpSpec('alice@j1:2201,j2,ssh://bob@[::1]:2203,[fe80::1],::2'), [
    { user: 'alice', host: 'j1', port: 2201 },
    { host: 'j2' },
    { user: 'bob', host: '::1', port: 2203 },
    { host: 'fe80::1' },
    { host: '::2' },
  ]);
  assert.deepEqual(parseJumpSpec('a@b@h'), [{ user: 'a@b', host: 'h' }]);
  assert.deepEqual(parseJumpSpec('NONE'), []);
});

test('malformed jump hosts are ConfigErrors naming the entry', () => {
  for (const [text, why] of [
    ['j:0', /bad port in jump host "j:0"/],
    ['j:70000', /bad port/],
    ['j:x', /bad port/],
    ['j1,,j2', /bad jump host ""/],
    ['@j', /bad jump host "@j"/],
    ['u@', /bad jump host "u@"/],
    ['', /no jump host given/],
  ] as const) {
    assert.throws(() => parseJumpSpec(text), { name: 'ConfigError', message: why }, text);
  }
});

test('ProxyJump and ProxyCommand: the first one set wins, the other is ignored', () => {
  const a = emptyOptions();
  applyDashO(a, 'ProxyJump=j1,j2');
  applyOption(a, 'ProxyCommand', ['nc', '%h', '%p'], 'config');
  applyOption(a, 'ProxyJump', ['other'], 'config');
  assert.equal(a.proxyJump, 'j1,j2');
  assert.equal(a.proxyCommand, undefined);

  const b = emptyOptions();
  applyDashO(b, `ProxyCommand=ssh -W %h:%p 'jump host'`);
  applyOption(b, 'ProxyJump', ['j'], 'config');
  assert.equal(b.proxyCommand, `ssh -W %h:%p 'jump host'`);
  assert.equal(b.proxyJump, undefined);
  // from a config file, a quoted word with spaces is quoted again for the shell
  const c = emptyOptions();
  applyOption(c, 'ProxyCommand', ['sh', '-c', "exec nc '%h' %p"], 'config');
  assert.equal(c.proxyCommand, `sh -c 'exec nc '\\''%h'\\'' %p'`);
  assert.throws(() => applyDashO(emptyOptions(), 'ProxyJump=j:0'), /bad port in jump host/);
  const r = emptyOptions();
  applyDashO(r, 'Reconnect=yes');
  assert.equal(r.reconnect, true);
});

test('keyway ssh -J and -W', () => {
  const a = parseSshArgs(['-J', 'u@j:2200', '-W', '[::1]:22', 'target']);
  assert.equal(a.options.proxyJump, 'u@j:2200');
  assert.deepEqual(a.stdioForward, { host: '::1', port: 22 });
  assert.deepEqual(parseHostPort('db.internal:5432', '-W'), { host: 'db.internal', port: 5432 });
  assert.throws(() => parseSshArgs(['-W', 'nohost', 'h']), /-W: bad host:port "nohost"/);
  assert.throws(() => parseSshArgs(['-W', 'h:0', 'h']), /bad host:port/);
  assert.throws(() => parseSshArgs(['-W', 'h:22', 'h', 'ls']), /does not take a command/);
});
