import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { assembleAlgorithms, DEFAULTS, ALL } from '../../../core/config/ssh-config-algorithms.js';
import { lexLine, splitArgv } from '../../../core/config/ssh-config-lexer.js';
import { resolveSshConfig } from '../../../core/config/ssh-config-resolve.js';
import { percentExpand, tildeExpand } from '../../../core/config/ssh-config-tokens.js';
import {
  convtime,
  parseForward,
  parseJump,
  scanScaled,
} from '../../../core/config/ssh-config-values.js';
import { globPaths, matchComponent } from '../../../core/config/ssh-config-include.js';
import { ConfigError } from '../../../core/errors.js';
import { a2port } from '../../../core/config/port-name.js';
import { addIdentityFile, emptyOptions } from '../../../core/config/ssh-options.js';
import { resolveDestination } from '../../../core/config/ssh-config-host.js';
import { tempDir } from '../../support/temp-dir.js';

const local = (home: string) => ({
  userName: 'me',
  uid: 1000,
  home,
  localHost: 'box.example',
  env: { HOME: home, SHELL: '/bin/sh', PATH: '/usr/bin:/bin' },
});

test('lexer: keyword separators, quotes, escapes, comments, errors name the line', () => {
  assert.deepEqual(lexLine('  Host = a "b c" #x', 'f line 1')?.args, ['a', 'b c']);
  assert.equal(lexLine('User=alice', 'w')?.keyword, 'user');
  assert.deepEqual(splitArgv(`a\\ b 'c d' e\\"f`, 'w'), ['a b', 'c d', 'e"f']);
  assert.equal(lexLine('   # only a comment', 'w'), undefined);
  assert.throws(() => lexLine('User', 'f line 2'), /f line 2: no argument after keyword "user"/);
  assert.throws(
    () => lexLine('User "open', 'f line 3'),
    (e) => e instanceof ConfigError && /f line 3: invalid quotes/.test(e.message),
  );
});

test('values: times, sizes, forwards, jumps', () => {
  assert.equal(convtime('1h30m'), 5400);
  assert.equal(convtime('5x'), undefined);
  assert.equal(scanScaled('1G'), 1024 ** 3);
  assert.deepEqual(parseForward('8080:localhost:80', false, false), {
    listenPort: 8080,
    connectHost: 'localhost',
    connectPort: 80,
  });
  assert.equal(parseForward('0:h:1', false, false), undefined);
  for (const [text, port] of [
    ['22', 22],
    ['0022', 22],
    ['+22', 22],
    [' \t22', 22],
    ['-0', 0],
  ] as const)
    assert.equal(a2port(text), port, text);
  for (const text of ['-1', '22 ', '65536', '0x16', '', '+', 'nosuchservice'])
    assert.equal(a2port(text), undefined, text);
  assert.equal(a2port('ssh'), 22); // /etc/services, from netbase
  // as ssh: names shorter than NI_MAXHOST (1025), paths that fit sun_path (108 with the NUL)
  assert.equal(parseForward(`8080:${'a'.repeat(1024)}:80`, false, false)?.connectPort, 80);
  assert.equal(parseForward(`8080:${'a'.repeat(1025)}:80`, false, false), undefined);
  assert.equal(parseForward(`${'a'.repeat(1025)}:8080:h:80`, false, false), undefined);
  assert.equal(parseForward(`8080:/${'s'.repeat(106)}`, false, false)?.listenPort, 8080);
  assert.equal(parseForward(`8080:/${'s'.repeat(107)}`, false, false), undefined);
  assert.equal(parseForward(`/${'s'.repeat(107)}:h:22`, false, true), undefined);
  assert.deepEqual(parseJump('a,bob@b:2222'), { user: 'bob', host: 'b', port: 2222, extra: 'a' });
  assert.equal(parseJump('bad:port:x'), undefined);
});

test('algorithms: + - ^ and patterns; an empty result is refused', () => {
  assert.ok(assembleAlgorithms('+aes128-cbc', DEFAULTS.cipher, ALL.cipher).endsWith(',aes128-cbc'));
  assert.ok(!assembleAlgorithms('-aes*', DEFAULTS.cipher, ALL.cipher).includes('aes'));
  assert.ok(
    assembleAlgorithms('^aes256-ctr', DEFAULTS.cipher, ALL.cipher).startsWith('aes256-ctr,'),
  );
  assert.throws(
    () => assembleAlgorithms('nothing*', DEFAULTS.cipher, ALL.cipher),
    /no algorithm left/,
  );
});

test('tokens and ~', () => {
  assert.equal(percentExpand('%h:%p %%', { h: 'x', p: '22' }), 'x:22 %');
  assert.throws(() => percentExpand('%Z', {}), /unknown key %Z/);
  assert.equal(percentExpand('${NOPE}/x', {}, {}), undefined);
  assert.equal(tildeExpand('~/.ssh/a', '/home/me'), '/home/me/.ssh/a');
});

test('include globs: sorted, dotfiles only when asked, missing is empty', () => {
  const t = tempDir('inc');
  try {
    for (const n of ['b.conf', 'a.conf', '.hidden.conf']) writeFileSync(t.path(n), '');
    assert.deepEqual(globPaths(`${t.dir}/*.conf`), [t.path('a.conf'), t.path('b.conf')]);
    assert.deepEqual(globPaths(`${t.dir}/nothing-*`), []);
    assert.ok(matchComponent('x1', 'x[0-9]') && !matchComponent('x1', 'x[!0-9]'));
  } finally {
    t.cleanup();
  }
});

test('resolver: Match tagged and localnetwork (OpenSSH 9.4), Include depth limit, bad lines', async () => {
  const t = tempDir('res');
  try {
    mkdirSync(t.path('.ssh'));
    const cfg = t.path('.ssh/config');
    writeFileSync(
      cfg,
      'Tag work\nMatch tagged work\n  User tagged\nMatch localnetwork 127.0.0.0/8\n  Port 2022\n',
    );
    const r = await resolveSshConfig({
      hostArg: 'h',
      commandLine: [],
      configFile: cfg,
      local: local(t.dir),
    });
    assert.equal(r.user, 'tagged');
    assert.equal(r.port, 2022);
    writeFileSync(t.path('.ssh/loop'), 'Include loop\n');
    await assert.rejects(
      resolveSshConfig({
        hostArg: 'h',
        commandLine: [],
        configFile: t.path('.ssh/loop'),
        local: local(t.dir),
      }),
      /Too many recursive configuration includes/,
    );
    for (const [text, msg] of [
      ['Frobnicate yes\n', /line 1: Bad configuration option: frobnicate/],
      ['Port 0\n', /line 1: Bad port/],
      ['Host a\n  Ciphers rot13\n', /line 2: Bad ciphers spec/],
      ['Match nonsense x\n', /Unsupported Match attribute nonsense/],
      ['Match all host x\n', /cannot be combined/],
      ['User a b\n', /extra arguments at end of line/],
    ] as const) {
      writeFileSync(cfg, text);
      await assert.rejects(
        resolveSshConfig({ hostArg: 'h', commandLine: [], configFile: cfg, local: local(t.dir) }),
        (e) => e instanceof ConfigError && msg.test(e.message) && e.message.includes(cfg),
      );
    }
  } finally {
    t.cleanup();
  }
});

test('CanonicalizeHostname tries each domain with the given resolver', async () => {
  const t = tempDir('canon');
  try {
    const cfg = t.path('config');
    writeFileSync(
      cfg,
      'CanonicalizeHostname yes\nCanonicalDomains a.test b.test\nMatch canonical host web.b.test\n  User canon\n',
    );
    const tried: string[] = [];
    const r = await resolveSshConfig({
      hostArg: 'web',
      commandLine: [],
      configFile: cfg,
      local: local(t.dir),
      lookup: async (n) => (tried.push(n), n === 'web.b.test.' ? { canonicalName: '' } : undefined),
    });
    assert.deepEqual(tried, ['web.a.test.', 'web.b.test.']);
    assert.equal(r.host, 'web.b.test');
    assert.equal(r.user, 'canon');
  } finally {
    t.cleanup();
  }
});

test('-i and IdentityFile with a pkcs11: URI: kept verbatim, not a missing file, no %-tokens', async () => {
  const t = tempDir('cfg-pkcs11');
  try {
    const uri = 'pkcs11:id=%01?module-path=/usr/lib/softhsm/libsofthsm2.so';
    const o = emptyOptions();
    addIdentityFile(o, uri);
    addIdentityFile(o, t.path('missing_key'));
    const r = await resolveDestination(o, { host: 'h' }, '/dev/null', local(t.dir));
    assert.deepEqual(r.options.identityFiles, [uri]);
    assert.deepEqual(r.resolved.state.warnings, [
      `Warning: Identity file ${t.path('missing_key')} not accessible: No such file or directory.`,
    ]);
    // PKCS11Provider from a config file reaches the options keyway ssh acts on
    writeFileSync(
      t.path('cfg'),
      'Host h\n  PKCS11Provider /opt/token.so\nHost none\n  PKCS11Provider none\n',
    );
    const p = await resolveDestination(emptyOptions(), { host: 'h' }, t.path('cfg'), local(t.dir));
    assert.equal(p.options.pkcs11Provider, '/opt/token.so');
    const n = await resolveDestination(
      emptyOptions(),
      { host: 'none' },
      t.path('cfg'),
      local(t.dir),
    );
    assert.ok(!n.options.pkcs11Provider, 'none: no provider');
  } finally {
    t.cleanup();
  }
});
