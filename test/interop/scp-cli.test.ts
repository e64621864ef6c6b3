/**
 * `keyway scp` (the built bin, a child process) against Debian's sshd: up and down by
 * sha256, -r trees, -p keeping mode and mtime, several sources into a directory, an scp://
 * URI with its port, remote to remote through us, and the failures: a missing remote file
 * (exit 1, `scp: <path>: No such file or directory`), several sources into a file, and a jump
 * host or a host that does not answer (exit 255).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { startOpenSsh, type RunningServer } from './harness/index.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { runKeyway, type BinRun } from '../support/keyway-bin.js';

let tmp: TempDir;
let server: RunningServer;
let root = '';

function scp(args: string[]): Promise<BinRun> {
  return runKeyway(['scp', ...opts(), ...args]);
}

const opts = (): string[] => [
  '-F',
  '/dev/null',
  '-o',
  'StrictHostKeyChecking=accept-new',
  '-o',
  `UserKnownHostsFile=${tmp.path('known_hosts')}`,
  '-o',
  'BatchMode=yes',
  '-i',
  tmp.path('id'),
  '-P',
  String(server.port),
];

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
const at = (...parts: string[]): string => join(root, ...parts);
const remote = (...parts: string[]): string => `127.0.0.1:${at(...parts)}`;

before(async () => {
  tmp = tempDir('scp-cli');
  root = realpathSync(tmp.dir);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', tmp.path('id')]);
  server = await startOpenSsh({
    authorizedKeys: [readFileSync(tmp.path('id.pub'), 'utf8').trim()],
  });
  for (const d of ['up', 'down', 'multi', 'tree', 'r2r']) mkdirSync(at(d));
});

after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

test('a file up and down, same bytes; into a directory under its own name', async () => {
  writeFileSync(at('big.bin'), randomBytes(5 * 1024 * 1024 + 3));
  const up = await scp([at('big.bin'), remote('up', 'copy.bin')]);
  assert.deepEqual(up, { code: 0, out: '', err: '' });
  assert.equal(sha(at('up', 'copy.bin')), sha(at('big.bin')));
  const down = await scp([remote('up', 'copy.bin'), at('down')]);
  assert.equal(down.code, 0, down.err);
  assert.equal(sha(at('down', 'copy.bin')), sha(at('big.bin')));
});

test('-p keeps mode and mtime both ways', async () => {
  writeFileSync(at('p.txt'), 'preserved');
  chmodSync(at('p.txt'), 0o751);
  utimesSync(at('p.txt'), 1_300_000_000, 1_300_000_000);
  assert.equal((await scp(['-p', at('p.txt'), remote('up', 'p.txt')])).code, 0);
  assert.equal(statSync(at('up', 'p.txt')).mode & 0o7777, 0o751);
  assert.equal(Math.floor(statSync(at('up', 'p.txt')).mtimeMs / 1000), 1_300_000_000);
  chmodSync(at('up', 'p.txt'), 0o640);
  utimesSync(at('up', 'p.txt'), 1_200_000_000, 1_200_000_000);
  assert.equal((await scp(['-p', remote('up', 'p.txt'), at('down', 'p.txt')])).code, 0);
  assert.equal(statSync(at('down', 'p.txt')).mode & 0o7777, 0o640);
  assert.equal(Math.floor(statSync(at('down', 'p.txt')).mtimeMs / 1000), 1_200_000_000);
});

test('-r copies trees up and down; without -r a directory is refused', async () => {
  mkdirSync(at('tree', 'src', 'a', 'b'), { recursive: true });
  writeFileSync(at('tree', 'src', 'top.txt'), 'top');
  writeFileSync(at('tree', 'src', 'a', 'b', 'deep.bin'), randomBytes(100_000));
  const up = await scp(['-r', at('tree', 'src'), remote('tree', 'up')]);
  assert.equal(up.code, 0, up.err);
  assert.equal(readFileSync(at('tree', 'up', 'top.txt'), 'utf8'), 'top');
  assert.equal(
    sha(at('tree', 'up', 'a', 'b', 'deep.bin')),
    sha(at('tree', 'src', 'a', 'b', 'deep.bin')),
  );
  const down = await scp(['-r', remote('tree', 'up'), at('tree', 'down')]);
  assert.equal(down.code, 0, down.err);
  assert.equal(
    sha(at('tree', 'down', 'a', 'b', 'deep.bin')),
    sha(at('tree', 'src', 'a', 'b', 'deep.bin')),
  );
  const refused = await scp([remote('tree', 'up'), at('tree', 'nope')]);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /^scp: .*\/tree\/up: not a regular file$/m);
  assert.equal(existsSync(at('tree', 'nope')), false);
});

test('several sources into a directory; into a file they are refused', async () => {
  for (const n of ['m1', 'm2', 'm3']) writeFileSync(at(`${n}.txt`), n);
  const up = await scp([at('m1.txt'), at('m2.txt'), at('m3.txt'), remote('multi')]);
  assert.equal(up.code, 0, up.err);
  for (const n of ['m1', 'm2', 'm3'])
    assert.equal(readFileSync(at('multi', `${n}.txt`), 'utf8'), n);
  mkdirSync(at('multi-down'));
  const glob = await scp([remote('multi', 'm*.txt'), at('multi-down')]);
  assert.equal(glob.code, 0, glob.err);
  for (const n of ['m1', 'm2', 'm3']) {
    assert.equal(readFileSync(at('multi-down', `${n}.txt`), 'utf8'), n);
  }
  const bad = await scp([at('m1.txt'), at('m2.txt'), remote('multi', 'm1.txt')]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^scp: .*m1\.txt: Not a directory$/m);
});

test('an scp:// URI with the port; remote to remote through us', async () => {
  writeFileSync(at('uri.txt'), 'by uri');
  const up = await scp([at('uri.txt'), `scp://127.0.0.1:${server.port}/${at('r2r', 'u.txt')}`]);
  assert.equal(up.code, 0, up.err);
  assert.equal(readFileSync(at('r2r', 'u.txt'), 'utf8'), 'by uri');
  const r2r = await scp([remote('r2r', 'u.txt'), remote('r2r', 'v.txt')]);
  assert.equal(r2r.code, 0, r2r.err);
  assert.equal(readFileSync(at('r2r', 'v.txt'), 'utf8'), 'by uri');
});

test('a missing remote file: exit 1 and scp: <path>: No such file or directory', async () => {
  writeFileSync(at('exists.txt'), 'here');
  const r = await scp([remote('no-such-file'), remote('exists.txt'), at('down')]);
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`^scp: ${at('no-such-file')}: No such file or directory$`, 'm'));
  assert.equal(readFileSync(at('down', 'exists.txt'), 'utf8'), 'here', 'the others still copy');
});

test('a jump host or a host nobody answers on: exit 255, the failing one named', async () => {
  const j = await scp(['-J', '127.0.0.1:1', at('m1.txt'), remote('x')]);
  assert.equal(j.code, 255);
  assert.match(
    j.err,
    /^jump host 1 \(\S+@127\.0\.0\.1 port 1\): connect to host 127\.0\.0\.1 port 1: Connection refused$/m,
  );
  const r = await runKeyway([
    'scp',
    '-F',
    '/dev/null',
    '-o',
    'BatchMode=yes',
    '-P',
    '1',
    at('m1.txt'),
    '127.0.0.1:x',
  ]);
  assert.equal(r.code, 255);
  assert.match(r.err, /connect to host 127\.0\.0\.1 port 1: Connection refused/);
});
