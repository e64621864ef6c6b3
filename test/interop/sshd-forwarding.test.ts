/**
 * Forwarding through `keyway sshd` with OpenSSH's ssh: -L (local forward to a TCP echo
 * server), -W (stdio forwarding), -R with port 0 (the allocated port reported), -J through
 * one keyway sshd to a second one, and Unix sockets: -L localport:/socket (direct-streamlocal),
 * -R /socket:host:port (streamlocal-forward; the socket 0600, gone when ssh leaves), refused
 * for a no-port-forwarding key and by --allow-stream-local-forwarding. Data goes both ways
 * with sha256 equal.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { freePort } from './harness/index.js';
import { acceptingUnix, waitFor } from '../support/wait.js';

const me = userInfo().username;
let dir = '';
let server: KeywaySshd;
let echo: Server;
let echoPort = 0;
let unixEcho: Server;
let unixEchoPath = '';
const children: ChildProcess[] = [];

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-sshd-fwd-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
  // every ssh here reads this config: key only, no known_hosts, no agent, no prompts
  writeFileSync(
    join(dir, 'config'),
    [
      'Host *',
      '  BatchMode yes',
      '  StrictHostKeyChecking no',
      '  UserKnownHostsFile /dev/null',
      '  GlobalKnownHostsFile /dev/null',
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      `  IdentityFile ${join(dir, 'id')}`,
      '  LogLevel ERROR',
      '  ExitOnForwardFailure yes',
      '',
    ].join('\n'),
  );
  server = await startKeywaySshd({
    authorizedKeys: [readFileSync(join(dir, 'id.pub'), 'utf8').trim()],
  });
  echo = createServer((s) => s.pipe(s));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as AddressInfo).port;
  unixEchoPath = join(dir, 'echo.sock');
  unixEcho = createServer((s) => s.pipe(s));
  unixEcho.listen(unixEchoPath);
  await once(unixEcho, 'listening');
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await server?.stop();
  echo?.close();
  unixEcho?.close();
  rmSync(dir, { recursive: true, force: true });
});

function ssh(args: string[]): ChildProcess {
  const c = spawn('/usr/bin/ssh', ['-F', join(dir, 'config'), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(c);
  return c;
}

/** Sends `data` to 127.0.0.1:port or a socket path and reads back as many bytes. */
async function roundTrip(to: number | string, data: Buffer): Promise<Buffer> {
  const s = netConnect(typeof to === 'number' ? { host: '127.0.0.1', port: to } : { path: to });
  await once(s, 'connect');
  const chunks: Buffer[] = [];
  let n = 0;
  s.on('data', (d: Buffer) => {
    chunks.push(d);
    n += d.length;
    if (n >= data.length) s.end();
  });
  s.write(data);
  await once(s, 'close');
  return Buffer.concat(chunks);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = netConnect({ host: '127.0.0.1', port });
    probe.once('connect', () => (probe.destroy(), resolve(true)));
    probe.once('error', () => resolve(false));
  });
}

/** Until ssh's -L listener accepts (polled, as waitFor polls); fails if ssh exits first. */
async function listening(port: number, c: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (c.exitCode !== null) throw new Error(`ssh exited with ${c.exitCode}`);
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stop(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  c.kill('SIGTERM');
  await once(c, 'exit');
}

test('ssh -L: 8 MiB to a TCP echo server and back through the tunnel', async () => {
  const local = await freePort();
  const c = ssh([
    '-N',
    '-L',
    `${local}:127.0.0.1:${echoPort}`,
    '-p',
    String(server.port),
    `${me}@127.0.0.1`,
  ]);
  try {
    await listening(local, c);
    const data = randomBytes(8 << 20);
    const back = await roundTrip(local, data);
    assert.equal(sha(back), sha(data));
  } finally {
    await stop(c);
  }
});

test('ssh -W: stdio forwarded to the echo server', async () => {
  const c = ssh(['-W', `127.0.0.1:${echoPort}`, '-p', String(server.port), `${me}@127.0.0.1`]);
  const data = randomBytes(4 << 20);
  const chunks: Buffer[] = [];
  let n = 0;
  c.stdout?.on('data', (d: Buffer) => {
    chunks.push(d);
    n += d.length;
    if (n >= data.length) c.stdin?.end();
  });
  c.stdin?.write(data);
  const [code] = (await once(c, 'exit')) as [number | null];
  assert.equal(code, 0);
  assert.equal(sha(Buffer.concat(chunks)), sha(data));
});

test('ssh -R 0: the allocated port is reported and leads back to the echo server', async () => {
  const c = ssh([
    '-N',
    '-o',
    'LogLevel=INFO',
    '-R',
    `0:127.0.0.1:${echoPort}`,
    '-p',
    String(server.port),
    `${me}@127.0.0.1`,
  ]);
  let err = '';
  c.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  try {
    await waitFor(
      () => /Allocated port \d+ for remote forward/.test(err) || c.exitCode !== null,
      'the allocated port',
    );
    assert.match(err, /Allocated port \d+ for remote forward/, err + server.err().slice(-2000));
    const port = Number(/Allocated port (\d+)/.exec(err)?.[1]);
    const data = randomBytes(8 << 20);
    const back = await roundTrip(port, data);
    assert.equal(sha(back), sha(data));
  } finally {
    await stop(c);
  }
});

test('ssh -J through one keyway sshd to a second one', async () => {
  const second = await startKeywaySshd({
    authorizedKeys: [readFileSync(join(dir, 'id.pub'), 'utf8').trim()],
  });
  try {
    const c = ssh([
      '-J',
      `${me}@127.0.0.1:${server.port}`,
      '-p',
      String(second.port),
      `${me}@127.0.0.1`,
      'echo "via $SSH_CONNECTION"',
    ]);
    let out = '';
    c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(c, 'exit')) as [number | null];
    assert.equal(code, 0);
    // the second server sees the connection coming from the first one (a direct-tcpip socket)
    assert.match(out, new RegExp(`^via 127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${second.port}\\n$`));
  } finally {
    await second.stop();
  }
});

// ---- Unix sockets (OpenSSH PROTOCOL §2.4) -------------------------------------------------------

/** ssh -N with one -L or -R forward to the keyway sshd on `port`. */
function forwarding(port: number, flag: '-L' | '-R', spec: string, extra: string[] = []) {
  return ssh([...extra, '-N', flag, spec, '-p', String(port), `${me}@127.0.0.1`]);
}

/** stderr of an ssh child, collected. */
function stderrOf(c: ChildProcess): () => string {
  let err = '';
  c.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return () => err;
}

/** Until `path` is a socket (the server's listener is up); fails if ssh exits first. */
async function socketAt(path: string, c: ChildProcess, err: () => string): Promise<void> {
  const isSocket = (): boolean => {
    try {
      return statSync(path).isSocket();
    } catch {
      return false;
    }
  };
  await waitFor(() => isSocket() || c.exitCode !== null, `a socket at ${path}`);
  assert.ok(isSocket(), `ssh exited (${c.exitCode}): ${err()} ${server.err().slice(-2000)}`);
  await acceptingUnix(path);
}

test('ssh -L localport:/socket: 8 MiB to a Unix echo server on the server side', async () => {
  const local = await freePort();
  const c = forwarding(server.port, '-L', `${local}:${unixEchoPath}`);
  try {
    await listening(local, c);
    const data = randomBytes(8 << 20);
    assert.equal(sha(await roundTrip(local, data)), sha(data));
  } finally {
    await stop(c);
  }
});

test('ssh -R /socket:host:port: the server listens on a 0600 socket, removed when ssh leaves', async () => {
  const path = join(dir, 'remote.sock');
  const c = forwarding(server.port, '-R', `${path}:127.0.0.1:${echoPort}`);
  const err = stderrOf(c);
  try {
    await socketAt(path, c, err);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const data = randomBytes(8 << 20);
    assert.equal(sha(await roundTrip(path, data)), sha(data));
  } finally {
    await stop(c);
  }
  await waitFor(() => !existsSync(path), 'the socket removed with the connection');
});

test('no-port-forwarding and --allow-stream-local-forwarding refuse Unix socket forwards', async () => {
  const pub = readFileSync(join(dir, 'id.pub'), 'utf8').trim();
  const [restricted, localOnly] = await Promise.all([
    startKeywaySshd({ authorizedKeys: [`no-port-forwarding ${pub}`] }),
    startKeywaySshd({ authorizedKeys: [pub], args: ['--allow-stream-local-forwarding', 'local'] }),
  ]);
  try {
    for (const [who, sshd] of [
      ['no-port-forwarding', restricted],
      ['--allow-stream-local-forwarding local', localOnly],
    ] as const) {
      // ExitOnForwardFailure (in the config): ssh gives up when the server refuses
      const path = join(dir, 'refused.sock');
      const c = forwarding(sshd.port, '-R', `${path}:127.0.0.1:${echoPort}`);
      const err = stderrOf(c);
      const [code] = (await once(c, 'exit')) as [number | null];
      assert.equal(code, 255, who);
      assert.match(err(), /remote port forwarding failed for listen path/, who);
      assert.equal(existsSync(path), false, who);
    }
    // -L to a socket: ssh listens, and each connection's open is refused (said at INFO)
    const local = await freePort();
    const c = forwarding(restricted.port, '-L', `${local}:${unixEchoPath}`, [
      '-o',
      'LogLevel=INFO',
    ]);
    const err = stderrOf(c);
    try {
      await listening(local, c);
      const probe = netConnect({ host: '127.0.0.1', port: local });
      probe.on('error', () => {}); // ssh drops the connection when the open is refused
      let got = 0;
      probe.on('data', (d: Buffer) => (got += d.length));
      probe.end('x');
      await new Promise((r) => probe.once('close', r));
      assert.equal(got, 0, 'nothing came back');
      await waitFor(() => /open failed: administratively prohibited/.test(err()), 'the refusal');
      assert.match(err(), /no-port-forwarding/);
    } finally {
      await stop(c);
    }
  } finally {
    await Promise.all([restricted.stop(), localOnly.stop()]);
  }
});
