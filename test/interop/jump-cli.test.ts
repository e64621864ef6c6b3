/**
 * Jump hosts, ProxyCommand, -W and Reconnect in `keyway ssh`, `sftp` and `scp` (the built bin)
 * against Debian's sshd instances on their own ports, with one -F config file that names them
 * (no ~/.ssh is read: OpenSSH's ssh gets the same -F file). Covered: -J with two hops, -o
 * ProxyJump and a config ProxyJump; a changed host key on the middle hop (exit 255, the hop
 * named); a hop's own ServerAliveInterval finding it frozen; -o ProxyCommand with OpenSSH's
 * `ssh -W`, and one that exits; `keyway ssh -W` with EOF both ways, refused, and as OpenSSH's
 * ProxyCommand; sftp -J and scp -J; `-N -o Reconnect=yes` across a killed and restarted server,
 * with its -L forward working again afterwards.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenSsh, freePort, type RunningServer } from './harness/index.js';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { runKeyway, type BinRun } from '../support/keyway-bin.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { freezeChildren, thaw } from '../support/processes.js';
import { waitFor, logged } from '../support/wait.js';

const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin/keyway.js');
let tmp: TempDir;
let a: RunningServer;
let b: RunningServer;
let c: RunningServer;

const known = (s: RunningServer) =>
  s.hostKeys.map((k) => `[127.0.0.1]:${s.port} ${k.publicLine}\n`).join('');

/** A config naming the servers; `knownHosts` is the file every host is checked against. */
function config(knownHosts: string, extra: string[] = []): string {
  return [
    ...extra,
    'Host hop-a',
    '  HostName 127.0.0.1',
    `  Port ${a.port}`,
    'Host hop-b',
    '  HostName 127.0.0.1',
    `  Port ${b.port}`,
    'Host target-c',
    '  HostName 127.0.0.1',
    `  Port ${c.port}`,
    'Host via-config',
    '  HostName 127.0.0.1',
    `  Port ${c.port}`,
    '  ProxyJump hop-a',
    'Host *',
    '  User root',
    `  IdentityFile ${tmp.path('id')}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHosts}`,
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '',
  ].join('\n');
}

const ssh = (args: string[], input = ''): Promise<BinRun> =>
  runKeyway(['ssh', '-F', tmp.path('config'), ...args], { input });

/** OpenSSH's ssh with the same config file. */
function openssh(args: string[]): Promise<BinRun> {
  return new Promise((resolve) => {
    execFile(
      'ssh',
      ['-F', tmp.path('config'), ...args],
      { env: { ...process.env, SSH_AUTH_SOCK: '' } },
      (error, out, err) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, out, err });
      },
    ).stdin?.end();
  });
}

const forwardedTo = (port: number) =>
  new RegExp(`direct_tcpip.*target 127\\.0\\.0\\.1 port ${port}\\b`);

before(async () => {
  tmp = tempDir('jump-cli');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', tmp.path('id')]);
  const pub = readFileSync(tmp.path('id.pub'), 'utf8').trim();
  [a, b, c] = await Promise.all([
    startOpenSsh({ authorizedKeys: [pub] }),
    startOpenSsh({ authorizedKeys: [pub] }),
    startOpenSsh({ authorizedKeys: [pub] }),
  ]);
  writeFileSync(tmp.path('known_hosts'), known(a) + known(b) + known(c));
  writeFileSync(tmp.path('config'), config(tmp.path('known_hosts')));
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
  tmp?.cleanup();
});

test('ssh -J with two hops; -o ProxyJump; ProxyJump from the config', async () => {
  const r = await ssh(['-J', 'hop-a,hop-b', 'target-c', 'echo', 'two-hops']);
  assert.deepEqual(r, { code: 0, out: 'two-hops\n', err: r.err });
  await logged(() => a.log(), forwardedTo(b.port));
  await logged(() => b.log(), forwardedTo(c.port));
  const o = await ssh(['-o', `ProxyJump=root@127.0.0.1:${b.port}`, 'target-c', 'echo', 'dash-o']);
  assert.equal(o.out, 'dash-o\n', o.err);
  const cfg = await ssh(['via-config', 'echo', 'from-config']);
  assert.equal(cfg.out, 'from-config\n', cfg.err);
  // -J none on the command line overrides the config's ProxyJump
  const before = a.log().length;
  const none = await ssh(['-J', 'none', 'via-config', 'echo', 'direct']);
  assert.equal(none.out, 'direct\n', none.err);
  assert.doesNotMatch(a.log().slice(before), /Connection from/);
});

test('a changed host key on the middle hop: exit 255, that hop named', async () => {
  // B's name carries C's keys in this known_hosts
  const wrong = tmp.path('known_hosts_wrong_b');
  writeFileSync(wrong, known(a) + known(c) + known(c).replaceAll(`:${c.port} `, `:${b.port} `));
  const cfg = tmp.path('config_wrong_b');
  writeFileSync(cfg, config(wrong));
  const before = c.log().length;
  const r = await runKeyway(['ssh', '-F', cfg, '-J', 'hop-a,hop-b', 'target-c', 'true']);
  assert.equal(r.code, 255);
  assert.match(
    r.err,
    new RegExp(
      `^jump host 2 \\(root@127\\.0\\.0\\.1 port ${b.port}\\): Host key verification failed: ` +
        `the \\S+ key of 127\\.0\\.0\\.1 is SHA256:\\S+, known_hosts has SHA256:`,
      'm',
    ),
  );
  assert.doesNotMatch(c.log().slice(before), /Connection from/);
});

test("a hop's own ServerAliveInterval finds it frozen: exit 255 naming it", async () => {
  const d = await startOpenSsh({
    authorizedKeys: [readFileSync(tmp.path('id.pub'), 'utf8').trim()],
  });
  const kh = tmp.path('known_hosts_d');
  writeFileSync(kh, readFileSync(tmp.path('known_hosts'), 'utf8') + known(d));
  const cfg = tmp.path('config_d');
  writeFileSync(
    cfg,
    config(kh, [
      'Host hop-d',
      '  HostName 127.0.0.1',
      `  Port ${d.port}`,
      '  ServerAliveInterval 1',
      '  ServerAliveCountMax 2',
    ]),
  );
  let frozen: number[] = [];
  try {
    const child = spawn(
      process.execPath,
      [bin, 'ssh', '-F', cfg, '-J', 'hop-d', 'target-c', 'echo up; sleep 60'],
      {
        env: { ...process.env, SSH_AUTH_SOCK: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (x: Buffer) => (out += x.toString()));
    child.stderr.on('data', (x: Buffer) => (err += x.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await waitFor(() => out.includes('up'), 'the session to start', 20_000);
    frozen = freezeChildren(d.pid);
    assert.equal(await exited, 255);
    assert.match(
      err,
      new RegExp(
        `jump host 1 \\(root@127\\.0\\.0\\.1 port ${d.port}\\): connection lost: Timeout, server 127\\.0\\.0\\.1 not responding`,
      ),
    );
  } finally {
    thaw(frozen);
    await d.stop();
  }
});

test("-o ProxyCommand with OpenSSH's ssh -W; a ProxyCommand that exits", async () => {
  const r = await ssh([
    '-o',
    `ProxyCommand=ssh -F ${tmp.path('config')} -W %h:%p hop-a`,
    'target-c',
    'echo',
    'proxied',
  ]);
  assert.equal(r.out, 'proxied\n', r.err);
  await logged(() => a.log(), forwardedTo(c.port));
  const bad = await ssh([
    '-o',
    'ProxyCommand=sh -c "echo cannot reach %h >&2; exit 4"',
    'target-c',
    'true',
  ]);
  assert.equal(bad.code, 255);
  assert.match(bad.err, /^cannot reach 127\.0\.0\.1$/m, 'its stderr is passed through');
  assert.match(bad.err, /ProxyCommand ".*" exited with status 4/);
});

test('ssh -W: stdin and stdout joined to a TCP port, EOF both ways; a refused open', async () => {
  // a server that answers only after our EOF: the half-close reaches it and its reply reaches us
  const server: Server = createServer({ allowHalfOpen: true }, (s) => {
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('end', () => s.end(`got:${got}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const r = await ssh(['-W', `127.0.0.1:${port}`, 'hop-a'], 'ping');
    assert.deepEqual(r, { code: 0, out: 'got:ping', err: r.err });
    const closed = await freePort();
    const refused = await ssh(['-W', `127.0.0.1:${closed}`, 'hop-a']);
    assert.equal(refused.code, 255);
    assert.match(refused.err, /^channel 0: open failed: connect failed: .*$/m);
    assert.match(refused.err, /^stdio forwarding failed$/m);
  } finally {
    server.close();
  }
});

test("keyway ssh -W as OpenSSH ssh's ProxyCommand", async () => {
  const proxy = `${process.execPath} ${bin} ssh -F ${tmp.path('config')} -W %h:%p hop-b`;
  const before = b.log().length;
  const r = await openssh(['-o', `ProxyCommand=${proxy}`, 'target-c', 'echo', 'keyway-as-proxy']);
  assert.equal(r.out, 'keyway-as-proxy\n', r.err);
  assert.equal(r.code, 0);
  await logged(() => b.log().slice(before), forwardedTo(c.port));
});

test('sftp -J and scp -J', async () => {
  const file = tmp.path('via-jump.txt');
  writeFileSync(file, 'copied through a jump host\n');
  const copy = tmp.path('copied.txt');
  const s = await runKeyway([
    'scp',
    '-F',
    tmp.path('config'),
    '-J',
    'hop-a',
    file,
    `target-c:${copy}`,
  ]);
  assert.equal(s.code, 0, s.err);
  assert.equal(readFileSync(copy, 'utf8'), 'copied through a jump host\n');
  const f = await runKeyway(
    ['sftp', '-F', tmp.path('config'), '-J', 'hop-a,hop-b', '-b', '-', 'target-c'],
    { input: `get ${copy} ${tmp.path('fetched.txt')}\n` },
  );
  assert.equal(f.code, 0, f.err);
  assert.equal(readFileSync(tmp.path('fetched.txt'), 'utf8'), 'copied through a jump host\n');
  await logged(() => b.log(), forwardedTo(c.port));
});

test('ssh -N -o Reconnect=yes: reconnects after the server is killed and started again, its -L forward too', async () => {
  const echo = createServer((sock) => sock.pipe(sock));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const echoPort = (echo.address() as AddressInfo).port;
  const fport = await freePort();
  const pub = readFileSync(tmp.path('id.pub'), 'utf8').trim();
  const dataDir = tmp.path('k-data');
  let k: KeywaySshd | null = await startKeywaySshd({ authorizedKeys: [pub], dataDir });
  const port = k.port;
  const kh = tmp.path('known_hosts_k');
  writeFileSync(
    kh,
    execFileSync('ssh-keyscan', ['-p', String(port), '127.0.0.1'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const cfg = tmp.path('config_k');
  writeFileSync(cfg, config(kh));
  const user = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  const child = spawn(
    process.execPath,
    [
      bin,
      'ssh',
      '-F',
      cfg,
      '-N',
      '-o',
      'Reconnect=yes',
      '-L',
      `${fport}:127.0.0.1:${echoPort}`,
      '-l',
      user,
      '-p',
      String(port),
      '127.0.0.1',
    ],
    { env: { ...process.env, SSH_AUTH_SOCK: '' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (x: Buffer) => (err += x.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const logins = () => (k?.err().match(/: accepted publickey for /g) ?? []).length;
    await waitFor(() => logins() === 1, 'the first login', 20_000);
    assert.equal(await echoSoon(fport, 'before'), 'before', 'the -L forward works');
    process.kill(k.pid, 'SIGKILL');
    await k.stop();
    k = null;
    await waitFor(() => /Reconnecting to 127\.0\.0\.1 in/.test(err), 'a reconnect attempt', 20_000);
    assert.match(err, /^Connection to 127\.0\.0\.1 lost: /m);
    k = await startKeywaySshd({ authorizedKeys: [pub], dataDir, port });
    await waitFor(
      () => /^Reconnected to 127\.0\.0\.1 \(attempt \d+\)\.$/m.test(err),
      'the reconnection',
      30_000,
    );
    await waitFor(() => logins() === 1, 'the login on the new server', 20_000);
    // the forward was set up again on the new connection
    let got = '';
    for (const until = Date.now() + 20_000; got !== 'after' && Date.now() < until;) {
      got = await echoThrough(fport, 'after').catch(() => '');
      if (got !== 'after') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(got, 'after', 'the -L forward works after reconnecting');
  } finally {
    child.kill('SIGTERM');
    await exited;
    await k?.stop();
    echo.close();
  }
});

/** echoThrough, tried again until the forward listens and answers (20 s at most). */
async function echoSoon(port: number, text: string): Promise<string> {
  let got = '';
  for (const until = Date.now() + 20_000; got !== text && Date.now() < until;) {
    got = await echoThrough(port, text).catch(() => '');
    if (got !== text) await new Promise((r) => setTimeout(r, 100));
  }
  return got;
}

/** Sends `text` to 127.0.0.1:port and resolves with what comes back before the echo closes. */
function echoThrough(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host: '127.0.0.1', port }, () => sock.end(text));
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString()));
    sock.on('error', reject);
    sock.on('close', () => resolve(got));
    sock.setTimeout(10_000, () => sock.destroy(new Error('no echo')));
  });
}
