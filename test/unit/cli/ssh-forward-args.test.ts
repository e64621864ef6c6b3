/**
 * keyway ssh's forwarding options: -L / -R / -D (repeatable, values attached or apart),
 * -o LocalForward / RemoteForward / DynamicForward / ExitOnForwardFailure / GatewayPorts, the
 * same keywords from a config file, and bad specifications refused as ssh refuses them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSshArgs } from '../../../core/cli/ssh-args.js';
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { resolveTarget } from '../../../core/cli/ssh-connect.js';
import { tempDir } from '../../support/temp-dir.js';
import { applyOption, emptyOptions } from '../../../core/config/ssh-options.js';
import { ConfigError } from '../../../core/errors.js';

test('-L, -R and -D, each repeatable, before and after the destination', () => {
  const a = parseSshArgs([
    '-N',
    '-L8080:example.org:80',
    '-L',
    '127.0.0.1:8443:/run/app.sock',
    'host',
    '-R',
    '0:localhost:22',
    '-R9000',
    '-R/tmp/r.sock:localhost:22',
    '-D',
    '1080',
    '-o',
    'ExitOnForwardFailure=yes',
    '-o',
    'GatewayPorts yes',
    '-o',
    'LocalForward=9090 h:90',
  ]);
  assert.equal(a.noCommand, true);
  assert.deepEqual(
    a.options.localForwards.map((f) => [f.listen, f.connect]),
    [
      [
        { kind: 'tcp', host: null, port: 8080 },
        { kind: 'tcp', host: 'example.org', port: 80 },
      ],
      [
        { kind: 'tcp', host: '127.0.0.1', port: 8443 },
        { kind: 'unix', path: '/run/app.sock' },
      ],
      [
        { kind: 'tcp', host: null, port: 9090 },
        { kind: 'tcp', host: 'h', port: 90 },
      ],
    ],
  );
  assert.deepEqual(
    a.options.remoteForwards.map((f) => [f.listen, f.connect]),
    [
      [
        { kind: 'tcp', host: null, port: 0 },
        { kind: 'tcp', host: 'localhost', port: 22 },
      ],
      [{ kind: 'tcp', host: null, port: 9000 }, null],
      [
        { kind: 'unix', path: '/tmp/r.sock' },
        { kind: 'tcp', host: 'localhost', port: 22 },
      ],
    ],
  );
  assert.deepEqual(a.options.dynamicForwards, [
    { type: 'dynamic', listen: { kind: 'tcp', host: null, port: 1080 } },
  ]);
  assert.equal(a.options.exitOnForwardFailure, true);
  assert.equal(a.options.gatewayPorts, true);
});

test('bad specifications and arguments are refused', () => {
  assert.throws(
    () => parseSshArgs(['-L', '8080', 'h']),
    /Bad local forwarding specification '8080'/,
  );
  assert.throws(() => parseSshArgs(['-R', 'x:y', 'h']), /Bad remote forwarding specification/);
  assert.throws(() => parseSshArgs(['-D', '1:2:3', 'h']), /Bad dynamic forwarding specification/);
  assert.throws(() => parseSshArgs(['h', '-L']), /option -L needs a value/);
  assert.throws(
    () => parseSshArgs(['-o', 'LocalForward=8080', 'h']),
    (e: unknown) => e instanceof ConfigError && /LocalForward takes 2 arguments/.test(e.message),
  );
  assert.throws(() => parseSshArgs(['-o', 'GatewayPorts=maybe', 'h']), /bad yes\/no/);
});

test('LocalForward, RemoteForward and DynamicForward from a config file add up', async () => {
  const t = tempDir('fwd-config');
  try {
    const file = t.path('config');
    writeFileSync(
      file,
      [
        'Host jump',
        '  LocalForward 127.0.0.1:5432 db.internal:5432',
        '  LocalForward 6379 /run/redis.sock',
        '  RemoteForward 8080 localhost:80',
        '  RemoteForward 1080',
        '  RemoteForward /run/r.sock /run/local.sock',
        '  DynamicForward 1081',
        '  ExitOnForwardFailure yes',
        '  ForwardAgent ~/.ssh/agent.sock',
        '  ForwardX11 yes',
        '',
      ].join('\n'),
    );
    // -L first; -o LocalForward given twice (flag and config line) counts once
    const args = parseSshArgs(['-L', '1:h:2', '-o', 'LocalForward=1 h:2', 'jump']);
    const { options: o } = await resolveTarget(args.options, args.destination, file);
    assert.deepEqual(
      o.localForwards.map((f) => f.listen),
      [
        { kind: 'tcp', host: null, port: 1 },
        { kind: 'tcp', host: '127.0.0.1', port: 5432 },
        { kind: 'tcp', host: null, port: 6379 },
      ],
    );
    assert.deepEqual(o.localForwards[2]?.connect, { kind: 'unix', path: '/run/redis.sock' });
    assert.deepEqual(
      o.remoteForwards.map((f) => [f.listen, f.connect]),
      [
        [
          { kind: 'tcp', host: null, port: 8080 },
          { kind: 'tcp', host: 'localhost', port: 80 },
        ],
        [{ kind: 'tcp', host: null, port: 1080 }, null],
        [
          { kind: 'unix', path: '/run/r.sock' },
          { kind: 'unix', path: '/run/local.sock' },
        ],
      ],
    );
    assert.deepEqual(o.dynamicForwards, [
      { type: 'dynamic', listen: { kind: 'tcp', host: null, port: 1081 } },
    ]);
    assert.equal(o.exitOnForwardFailure, true);
    assert.equal(o.forwardAgent, join(homedir(), '.ssh/agent.sock')); // ~ expanded, as ssh does
    assert.equal(o.forwardX11, true);
  } finally {
    t.cleanup();
  }
});

test('-A / -a and ForwardAgent: the first value wins, a path is kept', () => {
  assert.equal(parseSshArgs(['-A', 'h']).options.forwardAgent, 'yes');
  assert.equal(parseSshArgs(['-a', '-A', 'h']).options.forwardAgent, 'no');
  assert.equal(parseSshArgs(['-o', 'ForwardAgent=false', 'h']).options.forwardAgent, 'no');
  const o = emptyOptions();
  applyOption(o, 'ForwardAgent', ['~/.ssh/agent.sock'], 'config');
  assert.equal(o.forwardAgent, '~/.ssh/agent.sock');
});

test('-X, -Y, -x and ForwardX11 / ForwardX11Trusted', () => {
  assert.equal(parseSshArgs(['-X', 'h']).options.forwardX11, true);
  assert.equal(parseSshArgs(['-x', '-X', 'h']).options.forwardX11, false);
  const y = parseSshArgs(['-Y', 'h']).options;
  assert.deepEqual([y.forwardX11, y.forwardX11Trusted], [true, true]);
  const o = parseSshArgs(['-o', 'ForwardX11=yes', '-o', 'ForwardX11Trusted no', 'h']).options;
  assert.deepEqual([o.forwardX11, o.forwardX11Trusted], [true, false]);
});

test('-Y beats ForwardX11Trusted no before or after it; ForwardX11Timeout is read', async () => {
  const t = tempDir('x11-args');
  try {
    const file = t.path('config');
    writeFileSync(file, 'Host *\n  ForwardX11Trusted no\n  ForwardX11Timeout 5m\n');
    const resolved = async (argv: string[]) => {
      const a = parseSshArgs(argv);
      return (await resolveTarget(a.options, a.destination, file)).options;
    };
    for (const argv of [
      ['-o', 'ForwardX11Trusted=no', '-Y', 'h'],
      ['-Y', '-o', 'ForwardX11Trusted=no', 'h'],
      ['-Y', 'h'],
    ]) {
      const o = await resolved(argv);
      assert.deepEqual([o.forwardX11, o.forwardX11Trusted], [true, true], argv.join(' '));
    }
    const x = await resolved(['-X', 'h']);
    assert.deepEqual([x.forwardX11, x.forwardX11Trusted, x.forwardX11Timeout], [true, false, 300]);
    const o = await resolved(['-X', '-o', 'ForwardX11Timeout=0', 'h']);
    assert.equal(o.forwardX11Timeout, 0);
  } finally {
    t.cleanup();
  }
});
