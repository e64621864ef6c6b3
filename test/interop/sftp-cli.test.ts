/**
 * `keyway sftp -b` (the built bin, a child process) against Debian's sshd and its
 * sftp-server: every command of the language run in one batch, each result checked on disk
 * (contents by sha256, modes after chmod and put/get -p, links after ln and ln -s, df's
 * numbers, ls's names); a failing command ends the batch with exit 1, a `-` prefixed one does
 * not; a destination with a path starts there or fetches that file; a bad host exits 255.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenSsh, type RunningServer } from './harness/index.js';
import { startTmux } from '../support/tmux.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { runKeyway, type BinRun } from '../support/keyway-bin.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let tmp: TempDir;
let server: RunningServer;

function keyway(args: string[], input = ''): Promise<BinRun> {
  return runKeyway(['sftp', ...args], { input });
}

const opts = (): string[] => [
  '-F',
  '/dev/null',
  '-o',
  'StrictHostKeyChecking=accept-new',
  '-o',
  `UserKnownHostsFile=${tmp.path('known_hosts')}`,
  '-i',
  tmp.path('id'),
  '-P',
  String(server.port),
];

/** Runs `lines` as a batch file; the commands start in `remote` and `local`. */
async function batch(lines: string[], extra: string[] = []): Promise<BinRun> {
  const file = tmp.path(`batch-${randomBytes(4).toString('hex')}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return keyway([...opts(), ...extra, '-b', file, '127.0.0.1']);
}

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
const mode = (p: string): number => statSync(p).mode & 0o7777;

before(async () => {
  tmp = tempDir('sftp-cli');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', tmp.path('id')]);
  const pub = readFileSync(tmp.path('id.pub'), 'utf8').trim();
  server = await startOpenSsh({ authorizedKeys: [pub] });
});

after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

/** A fresh pair of directories: `remote` as the server sees it, `local` for us. */
function dirs(name: string): { remote: string; local: string } {
  mkdirSync(tmp.path(`${name}-remote`));
  mkdirSync(tmp.path(`${name}-local`));
  return {
    remote: realpathSync(tmp.path(`${name}-remote`)),
    local: realpathSync(tmp.path(`${name}-local`)),
  };
}

test('every command in one batch, each result checked on disk', async () => {
  const { remote, local } = dirs('all');
  const big = randomBytes(3 * 1024 * 1024 + 17);
  writeFileSync(join(local, 'a.bin'), big);
  writeFileSync(join(local, 'keep.txt'), 'kept mode and time\n');
  chmodSync(join(local, 'keep.txt'), 0o604);
  utimesSync(join(local, 'keep.txt'), 1_500_000_000, 1_500_000_000);
  mkdirSync(join(local, 'tree/deep'), { recursive: true });
  writeFileSync(join(local, 'tree/one.txt'), 'one');
  writeFileSync(join(local, 'tree/deep/two.txt'), 'two');
  // halves for reget and reput
  const half = randomBytes(512 * 1024);
  const whole = Buffer.concat([half, randomBytes(700 * 1024)]);
  writeFileSync(join(remote, 'resume-down.bin'), whole);
  writeFileSync(join(local, 'resume-down.bin'), half);
  writeFileSync(join(local, 'resume-up.bin'), whole);
  writeFileSync(join(remote, 'resume-up.bin'), half);
  writeFileSync(join(remote, 'remote.txt'), 'from the server\n');
  chmodSync(join(remote, 'remote.txt'), 0o640);
  utimesSync(join(remote, 'remote.txt'), 1_400_000_000, 1_400_000_000);

  const r = await batch([
    `lcd ${local}`,
    `cd ${remote}`,
    'pwd',
    'lpwd',
    'put a.bin',
    'put -p keep.txt',
    'put -r tree',
    'mkdir made',
    'get a.bin a-back.bin',
    'get -p remote.txt',
    'get -r tree tree-back',
    'reget resume-down.bin',
    'reput resume-up.bin',
    'ls',
    'ls -l',
    'ls *.bin',
    'chmod 600 a.bin',
    'rename a.bin renamed.bin',
    'ln renamed.bin hard.bin',
    'ln -s renamed.bin soft.bin',
    'df',
    'df -h',
    'rm soft.bin',
    'rmdir made',
    '-rm does-not-exist',
    'lmkdir made-here',
    'version',
    'help',
    'quit',
    'pwd',
  ]);
  assert.equal(r.code, 0, r.err);
  // echoed commands, pwd and lpwd
  assert.match(r.out, /^sftp> lcd /m);
  assert.match(r.out, /^sftp> -rm does-not-exist$/m);
  assert.ok(r.out.includes(`Remote working directory: ${remote}\n`), r.out);
  assert.ok(r.out.includes(`Local working directory: ${local}\n`), r.out);
  // commands after quit do not run: the last pwd is not echoed
  assert.equal(r.out.match(/^sftp> pwd$/gm)?.length, 1);
  // the missing file's failure is reported but does not end the batch
  assert.match(r.err, /remote delete .*does-not-exist: No such file or directory/);

  // uploads and downloads, by content
  assert.equal(sha(join(remote, 'renamed.bin')), createHash('sha256').update(big).digest('hex'));
  assert.equal(sha(join(local, 'a-back.bin')), createHash('sha256').update(big).digest('hex'));
  assert.equal(readFileSync(join(remote, 'tree/deep/two.txt'), 'utf8'), 'two');
  assert.equal(readFileSync(join(local, 'tree-back/one.txt'), 'utf8'), 'one');
  assert.equal(readFileSync(join(local, 'tree-back/deep/two.txt'), 'utf8'), 'two');
  assert.equal(
    sha(join(local, 'resume-down.bin')),
    createHash('sha256').update(whole).digest('hex'),
  );
  assert.equal(
    sha(join(remote, 'resume-up.bin')),
    createHash('sha256').update(whole).digest('hex'),
  );
  // -p keeps mode and mtime both ways
  assert.equal(mode(join(remote, 'keep.txt')), 0o604);
  assert.equal(Math.floor(statSync(join(remote, 'keep.txt')).mtimeMs / 1000), 1_500_000_000);
  assert.equal(mode(join(local, 'remote.txt')), 0o640);
  assert.equal(Math.floor(statSync(join(local, 'remote.txt')).mtimeMs / 1000), 1_400_000_000);
  // chmod, rename, ln, ln -s, rm, mkdir + rmdir, lmkdir
  assert.equal(mode(join(remote, 'renamed.bin')), 0o600);
  assert.equal(existsSync(join(remote, 'a.bin')), false);
  assert.equal(statSync(join(remote, 'hard.bin')).ino, statSync(join(remote, 'renamed.bin')).ino);
  assert.equal(existsSync(join(remote, 'soft.bin')), false, 'rm soft.bin removed the symlink');
  assert.equal(existsSync(join(remote, 'made')), false);
  assert.ok(statSync(join(local, 'made-here')).isDirectory());

  // ls: short listing has the names, -l has the server's longname lines, a glob only .bin
  const section = (cmd: string): string => {
    const start = r.out.indexOf(`sftp> ${cmd}\n`);
    assert.ok(start >= 0, `${cmd} echoed`);
    const rest = r.out.slice(start + cmd.length + 7);
    return rest.slice(0, rest.indexOf('sftp> '));
  };
  const short = section('ls');
  for (const n of ['a.bin', 'keep.txt', 'tree', 'made', 'resume-up.bin']) {
    assert.match(short, new RegExp(`(^|\\s)${n.replace('.', '\\.')}(\\s|$)`), n);
  }
  const long = section('ls -l');
  assert.match(long, /^-rw----r-- +\d+ .* keep\.txt$/m);
  assert.match(long, /^d[rwx-]{9} +\d+ .* tree$/m);
  const globbed = section('ls *.bin').split(/\s+/).filter(Boolean).sort();
  assert.deepEqual(globbed, ['a.bin', 'resume-down.bin', 'resume-up.bin']);

  // df: a header and numbers that add up (used + avail <= size)
  const df = section('df').trim().split('\n');
  assert.match(df[0] ?? '', /Size +Used +Avail +\(root\) +%Capacity/);
  const [size, used, avail] = (df[1] ?? '').trim().split(/\s+/).map(Number);
  assert.ok(size !== undefined && used !== undefined && avail !== undefined);
  assert.ok(size > 0 && used >= 0 && avail >= 0 && used + avail <= size, df[1]);
  assert.match(section('df -h'), /^ +[\d.]+[KMGTPE]?B +[\d.]+[KMGTPE]?B/m);
  assert.match(section('version'), /^SFTP protocol version 3$/m);
  assert.match(section('help'), /get \[-afpR\] remote \[local\]/);

  // the symlink pointed at renamed.bin before it was removed: make one more and check it
  const s = await batch([`cd ${remote}`, 'ln -s renamed.bin link2']);
  assert.equal(s.code, 0, s.err);
  assert.equal(readlinkSync(join(remote, 'link2')), 'renamed.bin');
  assert.ok(lstatSync(join(remote, 'link2')).isSymbolicLink());
});

test('a failing command ends the batch with exit 1; -prefixed ones do not', async () => {
  const { remote } = dirs('abort');
  const r = await batch([`cd ${remote}`, 'mkdir first', 'rm missing-file', 'mkdir second']);
  assert.equal(r.code, 1);
  assert.match(r.err, /remote delete .*missing-file: No such file or directory/);
  assert.ok(existsSync(join(remote, 'first')));
  assert.equal(existsSync(join(remote, 'second')), false, 'nothing runs after the failure');

  const g = await batch([`cd ${remote}`, 'get nothing-here', 'mkdir second']);
  assert.equal(g.code, 1);
  assert.match(g.err, /File ".*nothing-here" not found\./);

  const bad = await batch([`cd ${remote}`, 'frobnicate', 'mkdir second']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /Invalid command\./);

  const ok = await batch([`cd ${remote}`, '-rm missing-file', '-cd /no/such/dir', 'mkdir second']);
  assert.equal(ok.code, 0, ok.err);
  assert.ok(existsSync(join(remote, 'second')));
});

test('quoting and globbing: quoted names with spaces, a quoted * is literal', async () => {
  const { remote, local } = dirs('quote');
  writeFileSync(join(remote, 'with space.txt'), 'spaced');
  writeFileSync(join(remote, 'star*.txt'), 'star');
  writeFileSync(join(remote, 'starry.txt'), 'starry');
  const r = await batch([
    `lcd "${local}"`,
    `cd '${remote}'`,
    'get "with space.txt" got\\ it.txt',
    'rm "star*.txt"',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(join(local, 'got it.txt'), 'utf8'), 'spaced');
  assert.equal(existsSync(join(remote, 'star*.txt')), false);
  assert.ok(existsSync(join(remote, 'starry.txt')), 'the quoted * did not glob');
  const g = await batch([`lcd ${local}`, `cd ${remote}`, 'get star*']);
  assert.equal(g.code, 0, g.err);
  assert.equal(readFileSync(join(local, 'starry.txt'), 'utf8'), 'starry');
});

test('destination with a path: a directory to start in, or a file to fetch', async () => {
  const { remote, local } = dirs('dest');
  writeFileSync(join(remote, 'one.txt'), 'fetched');
  const inDir = await keyway([...opts(), '-b', '-', `127.0.0.1:${remote}`], 'pwd\n');
  assert.equal(inDir.code, 0, inDir.err);
  assert.ok(inDir.out.includes(`Remote working directory: ${remote}\n`), inDir.out);
  const child = await runKeyway(['sftp', ...opts(), `127.0.0.1:${join(remote, 'one.txt')}`], {
    cwd: local,
  });
  assert.equal(child.code, 0, child.err);
  assert.equal(readFileSync(join(local, 'one.txt'), 'utf8'), 'fetched');
});

test("a host nobody answers on: exit 255 and ssh's line", async () => {
  const r = await keyway([
    '-F',
    '/dev/null',
    '-o',
    'BatchMode=yes',
    '-P',
    '1',
    '-b',
    '-',
    '127.0.0.1',
  ]);
  assert.equal(r.code, 255);
  assert.match(r.err, /connect to host 127\.0\.0\.1 port 1: Connection refused/);
});

test('interactive on a terminal: the sftp> prompt, and Ctrl-C cancels a transfer, not sftp', async (t) => {
  const { remote, local } = dirs('tty');
  // sparse: large enough to be mid-transfer when Ctrl-C comes, cheap to make
  writeFileSync(join(remote, 'huge.bin'), '');
  truncateSync(join(remote, 'huge.bin'), 2 * 1024 * 1024 * 1024);
  const tm = startTmux({
    dir: tmp.dir,
    cwd: local,
    command: [process.execPath, join(repo, 'bin/keyway.js'), 'sftp', ...opts(), '127.0.0.1'],
    cols: 100,
    rows: 30,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: tmp.dir, LANG: 'C', SSH_AUTH_SOCK: '' },
  });
  t.after(() => tm.kill());
  await tm.waitFor(/Connected to 127\.0\.0\.1\.\n(.*\n)*sftp> $/, 'the prompt');
  tm.type(`cd ${remote}`);
  tm.press('Enter');
  tm.type('pwd');
  tm.press('Enter');
  await tm.waitFor(new RegExp(`Remote working directory: ${remote}\\n`), 'pwd');
  tm.type('get huge.bin');
  tm.press('Enter');
  await tm.waitFor(/huge\.bin +\d+% /, 'the progress meter');
  tm.press('C-c');
  await tm.waitFor(/Interrupt(.*\n)*sftp> $/, 'the prompt after Ctrl-C');
  // the partial download stays for a reget; the whole file never arrived
  const part = statSync(join(local, 'huge.bin.part'));
  assert.ok(part.size < 2 * 1024 * 1024 * 1024, `part is ${part.size} bytes`);
  assert.equal(existsSync(join(local, 'huge.bin')), false);
  // still connected and answering
  tm.type('lpwd');
  tm.press('Enter');
  await tm.waitFor(new RegExp(`Local working directory: ${local}\\n`), 'lpwd after Ctrl-C');
});
