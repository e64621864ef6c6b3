/**
 * `keyway sshd`'s sftp subsystem (core/sftp/server.ts) against real clients: OpenSSH's
 * `sftp -b` (put, get, ls -l, mkdir, rename, chmod, ln -s, df, rm, rmdir), OpenSSH's `scp`
 * (SFTP protocol by default since OpenSSH 9) up, down, with -p and -r, and Paramiko's
 * SFTPClient; then, with --sftp-root, `sftp` cannot reach a file outside the root through
 * '..' or a symlink.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';

const PYTHON = '/usr/bin/python3';
const me = userInfo().username;
let dir = '';
let key = '';
let server: KeywaySshd;

before(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'keyway-sftp-server-')));
  key = join(dir, 'id');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  server = await startKeywaySshd({ authorizedKeys: [readFileSync(`${key}.pub`, 'utf8').trim()] });
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 120_000, env: env ?? process.env }, (e, out, err) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err }),
    );
  });
}

const sshOpts = (port: number) => [
  '-i',
  key,
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'BatchMode=yes',
  '-o',
  'LogLevel=ERROR',
  '-P',
  String(port),
];

async function sftpBatch(port: number, lines: string[]): Promise<Run> {
  const batch = join(dir, `batch-${randomBytes(4).toString('hex')}`);
  writeFileSync(batch, lines.join('\n') + '\n');
  return run('sftp', ['-b', batch, ...sshOpts(port), `${me}@127.0.0.1`]);
}

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

test('OpenSSH sftp -b: put, get, ls -l, mkdir, rename, chmod, ln -s, df, rm, rmdir', async () => {
  const work = join(dir, 'sftp');
  const remote = join(work, 'remote');
  mkdirSync(remote, { recursive: true });
  const local = join(work, 'local.bin');
  writeFileSync(local, randomBytes(3 * 1024 * 1024 + 12345));
  const r = await sftpBatch(server.port, [
    `cd ${remote}`,
    `put ${local} up.bin`,
    `get up.bin ${join(work, 'down.bin')}`,
    'ls -l',
    'mkdir sub',
    'rename up.bin sub/moved.bin',
    'chmod 600 sub/moved.bin',
    'ln -s moved.bin sub/link',
    'ls -l sub',
    'df .',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.equal(sha256(join(work, 'down.bin')), sha256(local));
  assert.equal(sha256(join(remote, 'sub', 'moved.bin')), sha256(local));
  assert.match(r.out, /^-rw-r--r-- .* 3158073 .* up\.bin$/m);
  assert.match(r.out, /^-rw------- .* sub\/moved\.bin$/m);
  assert.match(r.out, /^lrwxrwxrwx .* sub\/link$/m);
  assert.match(r.out, /Size +Used +Avail +\(root\) +%Capacity/);
  assert.equal(existsSync(join(remote, 'up.bin')), false);
  assert.equal(statSync(join(remote, 'sub', 'moved.bin')).mode & 0o777, 0o600);
  assert.equal(readlinkSync(join(remote, 'sub', 'link')), 'moved.bin');

  const r2 = await sftpBatch(server.port, [
    `cd ${remote}`,
    'rm sub/link',
    'rm sub/moved.bin',
    'rmdir sub',
    'ls -la',
  ]);
  assert.equal(r2.code, 0, r2.err);
  assert.equal(existsSync(join(remote, 'sub')), false);
  assert.match(r2.out, /^drwx.* \.\.$/m);
  // a failing command stops the batch with a non-zero exit, as with OpenSSH's server
  const r3 = await sftpBatch(server.port, [`get ${join(remote, 'missing')} ${join(work, 'x')}`]);
  assert.notEqual(r3.code, 0);
  assert.match(r3.err, /not found|No such file/);
});

test('OpenSSH scp (SFTP protocol): up, down, -p keeps mode and mtime, -r copies a tree', async () => {
  const work = join(dir, 'scp');
  mkdirSync(join(work, 'remote'), { recursive: true });
  const src = join(work, 'src.bin');
  writeFileSync(src, randomBytes(1024 * 1024 + 7));
  const scp = (...args: string[]) => run('scp', ['-q', ...sshOpts(server.port), ...args]);
  const at = (p: string) => `${me}@127.0.0.1:${p}`;

  let r = await scp(src, at(join(work, 'remote', 'up.bin')));
  assert.equal(r.code, 0, r.err);
  assert.equal(sha256(join(work, 'remote', 'up.bin')), sha256(src));
  r = await scp(at(join(work, 'remote', 'up.bin')), join(work, 'down.bin'));
  assert.equal(r.code, 0, r.err);
  assert.equal(sha256(join(work, 'down.bin')), sha256(src));

  const kept = join(work, 'kept.txt');
  writeFileSync(kept, 'keep my times');
  execFileSync('chmod', ['640', kept]);
  utimesSync(kept, 1_500_000_000, 1_600_000_000);
  r = await scp('-p', kept, at(join(work, 'remote', 'kept.txt')));
  assert.equal(r.code, 0, r.err);
  const up = statSync(join(work, 'remote', 'kept.txt'));
  assert.equal(up.mode & 0o777, 0o640);
  assert.equal(Math.floor(up.mtimeMs / 1000), 1_600_000_000);
  r = await scp('-p', at(join(work, 'remote', 'kept.txt')), join(work, 'kept-back.txt'));
  assert.equal(r.code, 0, r.err);
  assert.equal(Math.floor(statSync(join(work, 'kept-back.txt')).mtimeMs / 1000), 1_600_000_000);

  const tree = join(work, 'tree');
  mkdirSync(join(tree, 'a', 'b'), { recursive: true });
  writeFileSync(join(tree, 'top.txt'), 'top');
  writeFileSync(join(tree, 'a', 'mid.bin'), randomBytes(70_000));
  writeFileSync(join(tree, 'a', 'b', 'deep.txt'), 'deep');
  r = await scp('-r', tree, at(join(work, 'remote')));
  assert.equal(r.code, 0, r.err);
  for (const f of ['top.txt', 'a/mid.bin', 'a/b/deep.txt']) {
    assert.equal(sha256(join(work, 'remote', 'tree', f)), sha256(join(tree, f)), f);
  }
  r = await scp('-r', at(join(work, 'remote', 'tree')), join(work, 'tree-back'));
  assert.equal(r.code, 0, r.err);
  assert.equal(
    sha256(join(work, 'tree-back', 'a', 'b', 'deep.txt')),
    sha256(join(tree, 'a', 'b', 'deep.txt')),
  );
});

test('Paramiko SFTPClient: put, get, listdir_attr, stat, rename, symlink, readlink, mkdir, rmdir, remove', async () => {
  const work = join(dir, 'paramiko');
  mkdirSync(join(work, 'remote'), { recursive: true });
  const src = join(work, 'src.bin');
  writeFileSync(src, randomBytes(2 * 1024 * 1024 + 3));
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  delete env['PYTHONPATH'];
  delete env['PYTHONHOME'];
  const script = `
import sys, stat, paramiko
port, user, key, work = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
c = paramiko.SSHClient()
c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
c.connect('127.0.0.1', port=port, username=user, key_filename=key, look_for_keys=False, allow_agent=False)
s = c.open_sftp()
s.chdir(work + '/remote')
print('cwd', s.getcwd())
s.put(work + '/src.bin', 'up.bin')
s.get('up.bin', work + '/down.bin')
s.mkdir('dir', 0o750)
s.rename('up.bin', 'dir/renamed.bin')
s.symlink('renamed.bin', 'dir/ln')
print('readlink', s.readlink('dir/ln'))
print('stat', s.stat('dir/ln').st_size, oct(stat.S_IMODE(s.stat('dir').st_mode)))
print('lstat', stat.S_ISLNK(s.lstat('dir/ln').st_mode))
print('list', sorted((a.filename, a.st_size) for a in s.listdir_attr('dir') if not stat.S_ISLNK(a.st_mode)))
try:
    s.stat('nope')
except FileNotFoundError:
    print('missing ok')
s.remove('dir/ln')
s.remove('dir/renamed.bin')
s.rmdir('dir')
print('after', s.listdir('.'))
s.close()
c.close()
`;
  const r = await run(PYTHON, ['-c', script, String(server.port), me, key, work], env);
  assert.equal(r.code, 0, r.err);
  const size = 2 * 1024 * 1024 + 3;
  assert.equal(sha256(join(work, 'down.bin')), sha256(src));
  assert.deepEqual(r.out.trim().split('\n'), [
    `cwd ${join(work, 'remote')}`,
    'readlink renamed.bin',
    `stat ${size} 0o750`,
    'lstat True',
    `list [('renamed.bin', ${size})]`,
    'missing ok',
    'after []',
  ]);
});

test('with --sftp-root, sftp cannot read outside the root through ".." or a symlink', async () => {
  const base = join(dir, 'jail');
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(root, { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'TOP SECRET');
  writeFileSync(join(root, 'public'), 'public data');
  symlinkSync(join(outside, 'secret'), join(root, 'abs-link'));
  symlinkSync('../outside/secret', join(root, 'rel-link'));
  symlinkSync(outside, join(root, 'door'));
  const jailed = await startKeywaySshd({
    authorizedKeys: [readFileSync(`${key}.pub`, 'utf8').trim()],
    args: ['--sftp-root', root],
  });
  try {
    const got = join(base, 'got');
    mkdirSync(got);
    const ok = await sftpBatch(jailed.port, ['pwd', `get public ${join(got, 'public')}`, 'ls /']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /Remote working directory: \/\n/);
    assert.equal(readFileSync(join(got, 'public'), 'utf8'), 'public data');
    assert.match(ok.out, /public/);
    for (const p of [
      '../outside/secret',
      '/../../outside/secret',
      '../../../../' + join(outside, 'secret'),
      'abs-link',
      'rel-link',
      'door/secret',
    ]) {
      const r = await sftpBatch(jailed.port, [`get ${p} ${join(got, 'stolen')}`]);
      assert.notEqual(r.code, 0, `get ${p} succeeded`);
      assert.equal(existsSync(join(got, 'stolen')), false, p);
    }
    const ls = await sftpBatch(jailed.port, ['ls door/']);
    assert.doesNotMatch(ls.out, /secret/);
    const put = await sftpBatch(jailed.port, [`put ${join(got, 'public')} door/planted`]);
    assert.notEqual(put.code, 0);
    assert.equal(existsSync(join(outside, 'planted')), false);
    assert.equal(lstatSync(join(root, 'door')).isSymbolicLink(), true);
  } finally {
    await jailed.stop();
  }
});
