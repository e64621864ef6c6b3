import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionKey, parseScpArgs, parseScpOperand } from '../../../core/cli/scp-args.js';

test('remote or local: a colon before any slash makes an operand remote, as scp', () => {
  assert.deepEqual(parseScpOperand('host:file'), { kind: 'remote', host: 'host', path: 'file' });
  assert.deepEqual(parseScpOperand('bob@host:/abs/p'), {
    kind: 'remote',
    user: 'bob',
    host: 'host',
    path: '/abs/p',
  });
  assert.deepEqual(parseScpOperand('host:'), { kind: 'remote', host: 'host', path: '.' });
  // a slash before the colon, or a leading colon: a local path
  assert.deepEqual(parseScpOperand('./a:b'), { kind: 'local', path: './a:b' });
  assert.deepEqual(parseScpOperand('dir/x:y'), { kind: 'local', path: 'dir/x:y' });
  assert.deepEqual(parseScpOperand(':odd'), { kind: 'local', path: ':odd' });
  assert.deepEqual(parseScpOperand('plain.txt'), { kind: 'local', path: 'plain.txt' });
  // IPv6 in brackets: the colons inside do not count
  assert.deepEqual(parseScpOperand('[::1]:/tmp/x'), {
    kind: 'remote',
    host: '::1',
    path: '/tmp/x',
  });
  assert.deepEqual(parseScpOperand('u@[fe80::1]:f'), {
    kind: 'remote',
    user: 'u',
    host: 'fe80::1',
    path: 'f',
  });
  assert.deepEqual(parseScpOperand('a@b@host:p'), {
    kind: 'remote',
    user: 'a@b',
    host: 'host',
    path: 'p',
  });
});

test('scp:// URIs: user, port, a path relative to home unless it starts with //', () => {
  assert.deepEqual(parseScpOperand('scp://alice@example.org:2222/dir/f'), {
    kind: 'remote',
    user: 'alice',
    host: 'example.org',
    port: 2222,
    path: 'dir/f',
  });
  assert.deepEqual(parseScpOperand('scp://h//abs/f'), {
    kind: 'remote',
    host: 'h',
    path: '/abs/f',
  });
  assert.deepEqual(parseScpOperand('scp://h'), { kind: 'remote', host: 'h', path: '.' });
  assert.deepEqual(parseScpOperand('scp://[::1]:22/x%20y'), {
    kind: 'remote',
    host: '::1',
    port: 22,
    path: 'x y',
  });
  assert.deepEqual(parseScpOperand('scp://u;fingerprint=x@h/p'), {
    kind: 'remote',
    user: 'u',
    host: 'h',
    path: 'p',
  });
  assert.throws(() => parseScpOperand('scp://h:0/x'), /bad port/);
  assert.throws(() => parseScpOperand('scp://h:99999/x'), /bad port/);
  assert.throws(() => parseScpOperand('scp://@h/x'), /empty user/);
});

test('options, sources and target; -J parsed for a clear refusal later', () => {
  const a = parseScpArgs(['-rp', '-P', '2200', '-i', 'key', '-q', 'a', 'b', 'host:dir/']);
  assert.equal(a.recursive, true);
  assert.equal(a.preserve, true);
  assert.equal(a.quiet, true);
  assert.equal(a.options.port, 2200);
  assert.deepEqual(a.options.identityFiles, ['key']);
  assert.deepEqual(a.sources, [
    { kind: 'local', path: 'a' },
    { kind: 'local', path: 'b' },
  ]);
  assert.deepEqual(a.target, { kind: 'remote', host: 'host', path: 'dir/' });
  const j = parseScpArgs(['-J', 'jumphost', '-o', 'BatchMode=yes', '-F', 'cfg', 'h:x', '.']);
  assert.equal(j.options.proxyJump, 'jumphost');
  assert.equal(j.options.batchMode, true);
  assert.equal(j.configFile, 'cfg');
  assert.throws(() => parseScpArgs(['only-one']), /at least one source and a target/);
  assert.throws(() => parseScpArgs(['-l', '100', 'a', 'h:b']), /unknown option -l/);
  assert.throws(() => parseScpArgs(['-P']), /needs a value/);
});

test('operands on the same user, host and port share a connection key', () => {
  const k = (s: string) => connectionKey(parseScpOperand(s));
  assert.equal(k('h:a'), k('h:b'));
  assert.notEqual(k('h:a'), k('u@h:a'));
  assert.notEqual(k('scp://h:2222/a'), k('h:a'));
  assert.equal(k('local'), '');
});
