// Hosts (core/service/hosts): quick-connect parsing, profiles.json written atomically with a
// broken file kept aside and reported, ~/.ssh/config aliases, and target resolution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Hosts } from '../../../core/service/hosts/hosts.js';
import { ProfilesStore } from '../../../core/service/hosts/profiles-store.js';
import { parseQuickConnect } from '../../../core/service/hosts/quick-connect.js';
import { tempDir } from '../../support/temp-dir.js';

test('quick connect: [user@]host[:port], bracketed and bare IPv6, user with @', () => {
  assert.deepEqual(parseQuickConnect('example.org'), { host: 'example.org' });
  assert.deepEqual(parseQuickConnect(' alice@example.org:2222 '), {
    host: 'example.org',
    port: 2222,
    user: 'alice',
  });
  assert.deepEqual(parseQuickConnect('[::1]:22'), { host: '::1', port: 22 });
  assert.deepEqual(parseQuickConnect('bob@fe80::1'), { host: 'fe80::1', user: 'bob' });
  assert.deepEqual(parseQuickConnect('a@b.c@host'), { host: 'host', user: 'a@b.c' });
  for (const bad of [
    '',
    'host:0',
    'host:65536',
    'host:x',
    '@host',
    'user@',
    '[::1',
    '[::1]x',
    'ho st',
    'h\u0007',
  ]) {
    assert.throws(() => parseQuickConnect(bad), { code: 'INVALID_ARGUMENT' }, bad);
  }
});

test('profiles: add, replace, delete; the file is written whole, mode 0600, no temp files left', async () => {
  const t = tempDir('profiles');
  try {
    const file = join(t.dir, 'data', 'profiles.json');
    const store = new ProfilesStore(file);
    assert.deepEqual(await store.list(), { profiles: [], problems: [] });
    const a = await store.save({
      name: 'Web',
      host: 'web.example',
      port: 2200,
      user: 'ops',
      group: 'prod',
      colour: '#ff8800',
    });
    const b = await store.save({ name: 'DB', host: 'db.example', identityFiles: ['~/.ssh/db'] });
    assert.notEqual(a.id, b.id);
    await store.save({ id: a.id, name: 'Web 2', host: 'web.example' });
    await assert.rejects(store.save({ id: 'nope', name: 'x', host: 'h' }), { code: 'NOT_FOUND' });
    await store.delete(b.id);
    await assert.rejects(store.delete(b.id), { code: 'NOT_FOUND' });
    const onDisk = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(onDisk, {
      version: 1,
      profiles: [{ id: a.id, name: 'Web 2', host: 'web.example' }],
    });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(t.dir, 'data')), ['profiles.json']);
    // a second store reads what the first wrote
    assert.deepEqual((await new ProfilesStore(file).list()).profiles, onDisk.profiles);
  } finally {
    t.cleanup();
  }
});

test('a broken profiles.json is moved aside, reported, and never overwritten', async () => {
  const t = tempDir('profiles');
  try {
    for (const [i, text] of [
      '{ not json',
      '{"version":2,"profiles":[]}',
      '{"version":1,"profiles":[{"id":"a","name":"n"}]}',
    ].entries()) {
      const dir = join(t.dir, String(i));
      mkdirSync(dir);
      const file = join(dir, 'profiles.json');
      writeFileSync(file, text);
      const store = new ProfilesStore(file);
      const { profiles, problems } = await store.list();
      assert.deepEqual(profiles, []);
      assert.equal(problems.length, 1);
      const aside = readdirSync(dir).find((n) => n.startsWith('profiles.json.broken-'));
      assert.ok(aside, 'kept aside');
      assert.equal(readFileSync(join(dir, aside), 'utf8'), text);
      assert.match(problems[0] ?? '', new RegExp(aside.replace(/[.]/g, '\\.')));
      await store.save({ name: 'New', host: 'h' });
      assert.equal(readFileSync(join(dir, aside), 'utf8'), text, 'still there after a save');
      assert.equal(existsSync(file), true);
    }
  } finally {
    t.cleanup();
  }
});

test('ssh_config aliases are listed read-only; targets resolve as ssh does', async () => {
  const t = tempDir('hosts');
  try {
    const config = join(t.dir, 'config');
    writeFileSync(
      config,
      [
        'Host web web-alt',
        '  HostName 10.0.0.5',
        '  Port 2201',
        '  User deploy',
        '  IdentityFile ~/.ssh/web',
        'Host *.internal !bad.internal',
        '  User ops',
        'Host *',
        '  ConnectTimeout 7',
        '',
      ].join('\n'),
    );
    const hosts = new Hosts(join(t.dir, 'profiles.json'), config, 'me');
    const list = await hosts.list();
    assert.deepEqual(list.sshConfig, [
      { alias: 'web', hostName: '10.0.0.5', port: 2201, user: 'deploy' },
      { alias: 'web-alt', hostName: '10.0.0.5', port: 2201, user: 'deploy' },
    ]);
    const alias = await hosts.resolve({ kind: 'sshConfig', alias: 'web' });
    assert.deepEqual(
      [alias.host, alias.port, alias.user, alias.label],
      ['10.0.0.5', 2201, 'deploy', 'deploy@10.0.0.5:2201'],
    );
    // ~ expanded as ssh(1) expands IdentityFile
    assert.deepEqual(alias.options.identityFiles, [join(homedir(), '.ssh/web')]);
    assert.equal(alias.options.connectTimeout, 7);
    await assert.rejects(hosts.resolve({ kind: 'sshConfig', alias: 'nope' }), {
      code: 'NOT_FOUND',
    });
    const quick = await hosts.resolve({ kind: 'quick', text: 'x.internal' });
    assert.deepEqual(
      [quick.host, quick.port, quick.user, quick.label],
      ['x.internal', 22, 'ops', 'ops@x.internal'],
    );
    // a profile's own user, port and keys win over the config's
    const p = await hosts.profiles.save({
      name: 'W',
      host: 'web',
      user: 'root',
      port: 22,
      identityFiles: ['/k'],
    });
    const prof = await hosts.resolve({ kind: 'profile', id: p.id });
    assert.deepEqual([prof.host, prof.port, prof.user], ['10.0.0.5', 22, 'root']);
    assert.deepEqual(prof.options.identityFiles, ['/k', join(homedir(), '.ssh/web')]);
    assert.equal(prof.key, 'root@10.0.0.5:22');
  } finally {
    t.cleanup();
  }
});

test("a profile's jump hosts: checked as -J is, saved trimmed, winning over the config", async () => {
  const t = tempDir('hosts');
  try {
    const config = join(t.dir, 'config');
    writeFileSync(
      config,
      ['Host inner', '  ProxyCommand nc %h %p', 'Host other', '  ProxyJump cfg-bastion', ''].join(
        '\n',
      ),
    );
    const hosts = new Hosts(join(t.dir, 'profiles.json'), config, 'me');
    for (const bad of ['a,,b', 'u@', 'h:99999', 'two words']) {
      await assert.rejects(
        hosts.profiles.save({ name: 'x', host: 'inner', proxyJump: bad }),
        (e: unknown) => (e as { code?: string }).code === 'INVALID_ARGUMENT',
        bad,
      );
    }
    assert.equal(existsSync(join(t.dir, 'profiles.json')), false, 'nothing written');
    const p = await hosts.profiles.save({
      name: 'x',
      host: 'inner',
      proxyJump: ' ops@bastion:2222,[::1]:22 ',
    });
    assert.equal(p.proxyJump, 'ops@bastion:2222,[::1]:22');
    // -J wins over the config's ProxyCommand for the host, as on ssh's command line
    const r = await hosts.resolve({ kind: 'profile', id: p.id });
    assert.equal(r.options.proxyJump, 'ops@bastion:2222,[::1]:22');
    assert.equal(r.options.proxyCommand, undefined);
    // another route is another connection (OpenSSH's %C hashes the jump hosts too)
    assert.equal(r.key, 'me@inner:22 via ops@bastion:2222,[::1]:22');
    // none: no jump host even where the config names one
    const q = await hosts.profiles.save({ name: 'y', host: 'other', proxyJump: 'none' });
    const direct = await hosts.resolve({ kind: 'profile', id: q.id });
    assert.equal(direct.options.proxyJump, 'none');
    assert.equal(direct.key, 'me@other:22');
    const plain = await hosts.profiles.save({ name: 'z', host: 'other' });
    assert.equal(
      (await hosts.resolve({ kind: 'profile', id: plain.id })).options.proxyJump,
      'cfg-bastion',
    );
  } finally {
    t.cleanup();
  }
});

test("a profile's tunnels: -L / -R / -D as ssh takes them, checked, and resolved with it", async () => {
  const t = tempDir('hosts');
  try {
    const hosts = new Hosts(join(t.dir, 'profiles.json'), join(t.dir, 'none'), 'me');
    for (const bad of ['-L 0:h:1', '-X 80', '-L /tmp/l.sock:h:80', '-D h:1:2', '-R']) {
      await assert.rejects(
        hosts.profiles.save({ name: 'x', host: 'h', tunnels: ['-D 1080', bad] }),
        (e: unknown) => (e as { code?: string }).code === 'INVALID_ARGUMENT',
        bad,
      );
    }
    assert.equal(existsSync(join(t.dir, 'profiles.json')), false, 'nothing written');
    const p = await hosts.profiles.save({
      name: 'x',
      host: 'h',
      tunnels: [' -L 8080:db:5432 ', '-R0:localhost:22', '-D 127.0.0.1:1080'],
    });
    assert.deepEqual(p.tunnels, ['-L 8080:db:5432', '-R0:localhost:22', '-D 127.0.0.1:1080']);
    const r = await hosts.resolve({ kind: 'profile', id: p.id });
    assert.deepEqual(
      r.tunnels.map((f) => f.type),
      ['local', 'remote', 'dynamic'],
    );
    assert.deepEqual(r.tunnels[0], {
      type: 'local',
      listen: { kind: 'tcp', host: null, port: 8080 },
      connect: { kind: 'tcp', host: 'db', port: 5432 },
    });
    // other targets bring none
    assert.deepEqual((await hosts.resolve({ kind: 'quick', text: 'h' })).tunnels, []);
    // an empty list is not stored
    const q = await hosts.profiles.save({ name: 'y', host: 'h', tunnels: [] });
    assert.equal('tunnels' in q, false);
  } finally {
    t.cleanup();
  }
});

test('a malformed ssh_config is a problem in the list, not a failure', async () => {
  const t = tempDir('hosts');
  try {
    const config = join(t.dir, 'config');
    writeFileSync(config, 'Host a\n  Port "unbalanced\n');
    const list = await new Hosts(join(t.dir, 'p.json'), config, 'me').list();
    assert.deepEqual(list.sshConfig, []);
    assert.match(list.problems[0] ?? '', /line 2: invalid quotes/);
  } finally {
    t.cleanup();
  }
});
