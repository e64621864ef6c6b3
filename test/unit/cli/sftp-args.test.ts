import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSftpArgs, parseSftpDestination, remoteColon } from '../../../core/cli/sftp-args.js';

test('sftp destinations: host, user@host, a path to start in, sftp:// with a port', () => {
  assert.deepEqual(parseSftpDestination('host'), { host: 'host' });
  assert.deepEqual(parseSftpDestination('bob@host'), { user: 'bob', host: 'host' });
  assert.deepEqual(parseSftpDestination('bob@host:/srv/data'), {
    user: 'bob',
    host: 'host',
    path: '/srv/data',
  });
  assert.deepEqual(parseSftpDestination('host:'), { host: 'host', path: '.' });
  assert.deepEqual(parseSftpDestination('[::1]:dir'), { host: '::1', path: 'dir' });
  assert.deepEqual(parseSftpDestination('sftp://bob@h:2022/sub'), {
    user: 'bob',
    host: 'h',
    port: 2022,
    path: 'sub',
  });
  assert.deepEqual(parseSftpDestination('sftp://h'), { host: 'h' });
  assert.throws(() => parseSftpDestination('@'), /missing host/);
});

test('remoteColon: OpenSSH colon() rules', () => {
  assert.equal(remoteColon('h:p'), 1);
  assert.equal(remoteColon('a/b:c'), -1);
  assert.equal(remoteColon(':x'), -1);
  assert.equal(remoteColon('[::1]:p'), 5);
  assert.equal(remoteColon('nocolon'), -1);
});

test('sftp options: -b implies BatchMode and quiet; -N brings the messages back', () => {
  const a = parseSftpArgs(['-P', '2222', '-i', 'k', '-b', '-', '-r', '-p', 'u@h:/x']);
  assert.equal(a.batchFile, '-');
  assert.equal(a.options.port, 2222);
  assert.equal(a.options.batchMode, true);
  assert.equal(a.quiet, true);
  assert.equal(a.recursive, true);
  assert.equal(a.preserve, true);
  assert.deepEqual(a.destination, { user: 'u', host: 'h', path: '/x' });
  assert.equal(parseSftpArgs(['-N', '-b', 'f', 'h']).quiet, false);
  assert.equal(parseSftpArgs(['h']).quiet, false);
  assert.equal(parseSftpArgs(['-J', 'u@j:2222,k', 'h']).options.proxyJump, 'u@j:2222,k');
  assert.throws(() => parseSftpArgs(['-J', 'j:0', 'h']), /bad port in jump host "j:0"/);
  assert.throws(() => parseSftpArgs(['-b', 'a', '-b', 'b', 'h']), /Batch file already specified/);
  assert.throws(() => parseSftpArgs([]), /no destination/);
  assert.throws(() => parseSftpArgs(['h', 'extra']), /unexpected argument/);
  assert.throws(() => parseSftpArgs(['-Z', 'h']), /unknown option -Z/);
});
