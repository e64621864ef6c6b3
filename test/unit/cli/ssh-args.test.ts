import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDestination, parseSshArgs } from '../../../core/cli/ssh-args.js';

test('destinations: user@host, ssh:// with port, IPv6 in brackets', () => {
  assert.deepEqual(parseDestination('alice@example.org'), { user: 'alice', host: 'example.org' });
  assert.deepEqual(parseDestination('example.org'), { host: 'example.org' });
  assert.deepEqual(parseDestination('ssh://bob@h:2222'), { user: 'bob', host: 'h', port: 2222 });
  assert.deepEqual(parseDestination('ssh://[::1]:22'), { host: '::1', port: 22 });
  assert.deepEqual(parseDestination('a@b@host'), { user: 'a@b', host: 'host' });
  assert.throws(() => parseDestination('ssh://h:99999'), /bad port/);
  assert.throws(() => parseDestination('alice@'), /bad destination/);
});

test('options before and after the destination; the rest is the command', () => {
  const a = parseSshArgs([
    '-p',
    '2222',
    '-i',
    'k1',
    'host',
    '-l',
    'bob',
    '-tt',
    '-iK2',
    'ls',
    '-la',
    '/tmp',
  ]);
  assert.equal(a.options.port, 2222);
  assert.equal(a.options.user, 'bob');
  assert.deepEqual(a.options.identityFiles, ['k1', 'K2']);
  assert.equal(a.tty, 2);
  assert.deepEqual(a.command, ['ls', '-la', '/tmp']);
  const b = parseSshArgs([
    '-o',
    'StrictHostKeyChecking=no',
    '-T',
    '-F',
    '/dev/null',
    'ssh://h:22',
    'true',
  ]);
  assert.equal(b.options.strictHostKeyChecking, 'no');
  assert.equal(b.tty, 0);
  assert.equal(b.configFile, '/dev/null');
  assert.deepEqual(b.destination, { host: 'h', port: 22 });
  assert.throws(() => parseSshArgs(['-Z', 'h']), /unknown option -Z/);
  assert.throws(() => parseSshArgs(['-p']), /needs a value/);
  assert.throws(() => parseSshArgs([]), /no destination/);
  assert.throws(() => parseSshArgs(['-N', 'h', 'ls']), /-N does not take a command/);
});
