/**
 * TCP forwarding through `keyway sshd` with OpenSSH's ssh: -L (local forward to a TCP echo
 * server), -W (stdio forwarding), -R with port 0 (the allocated port reported), and -J through
 * one keyway sshd to a second one. Data goes both ways with sha256 equal.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { freePort } from './harness/index.js';
import { waitFor } from '../support/wait.js';

const me = userInfo().username;
let dir = '';
let server: KeywaySshd;
let echo: Server;
let echoPort = 0;
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
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await server?.stop();
  echo?.close();
  rmSync(dir, { recursive: true, force: true });
});

function ssh(args: string[]): ChildProcess {
  const c = spawn('/usr/bin/ssh', ['-F', join(dir, 'config'), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(c);
  return c;
}

/** Sends `data` to host:port and reads back as many bytes (the echo server's answer). */
async function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  const s = netConnect({ host: '127.0.0.1', port });
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
