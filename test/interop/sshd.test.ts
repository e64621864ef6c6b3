/**
 * `keyway sshd` (the built bin) against OpenSSH's ssh and Keyway's own client: host keys made
 * on first start and kept, what it prints, exec with exit codes and stderr, a pty, 64 MiB each
 * way through cat, authorized_keys options (command=, from=, no-pty, expiry-time), password
 * logins only when a password file is given, and SIGTERM ending everything with exit 0.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { keyscan, ssh } from './harness/index.js';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { connect } from '../../core/client/connect.js';
import { AuthError } from '../../core/auth/errors.js';
import { openTransport } from '../../core/transport/open.js';

const me = userInfo().username;
let dir = '';
let pub = '';
let server: KeywaySshd;
const id = () => join(dir, 'id');
/** connect() options for this machine's user on `port`, with no key unless given. */
const as = (port: number, identityFiles: string[] = []) => ({
  host: '127.0.0.1',
  port,
  username: me,
  verifyHostKey: () => true,
  agentPath: null,
  identityFiles,
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-sshd-test-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', id()]);
  pub = readFileSync(`${id()}.pub`, 'utf8').trim();
  server = await startKeywaySshd({ authorizedKeys: [pub] });
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('first start makes three host keys and prints their fingerprints; a restart keeps them', async () => {
  const printed = [...server.out().matchAll(/^ {2}(\d+) (SHA256:\S+) \((\w+)\) new$/gm)];
  assert.deepEqual(
    printed.map((m) => m[3]),
    ['ED25519', 'ECDSA', 'RSA'],
  );
  for (const [name, m] of [
    ['ssh_host_ed25519_key', printed[0]],
    ['ssh_host_ecdsa_key', printed[1]],
    ['ssh_host_rsa_key', printed[2]],
  ] as const) {
    const listed = execFileSync('ssh-keygen', ['-l', '-f', join(server.dataDir, `${name}.pub`)], {
      encoding: 'utf8',
    }).split(' ');
    assert.equal(listed[1], m?.[2]);
    assert.equal(listed[0], m?.[1]);
  }
  assert.match(
    server.out(),
    new RegExp(`^connect with: {2}ssh -p ${server.port} ${me}@127\\.0\\.0\\.1$`, 'm'),
  );
  assert.match(server.out(), /^password authentication: off$/m);
  const scanned = await keyscan(server.port);
  assert.equal(scanned.length, 3);
  // a second server on the same data directory serves the same keys, made by nobody
  const again = await startKeywaySshd({ dataDir: server.dataDir });
  try {
    assert.doesNotMatch(again.out(), / new$/m);
    assert.deepEqual(await keyscan(again.port), scanned);
  } finally {
    assert.deepEqual(await again.stop(), { code: 0, signal: null });
  }
});

test('OpenSSH ssh: exec with stdout, stderr and the exit code; a pty with -tt', async () => {
  const r = await ssh(server.port, me, id(), [], 'echo out; echo err >&2; exit 7');
  assert.equal(r.code, 7, r.stderr);
  assert.equal(r.stdout, 'out\n');
  assert.match(r.stderr, /(^|\n)err\n$/);
  const t = await ssh(server.port, me, id(), ['-tt'], 'tty; echo "T=$TERM"; stty size');
  assert.equal(t.code, 0, t.stderr);
  // ssh without a terminal of its own asks for a 0×0 pty: the server makes it 80×24. The pty
  // carries stderr too, so lines the user's ~/.bashrc prints may come first (bash reads it
  // under sshd), as they may in the stderr above.
  assert.match(t.stdout, /(^|\n)\/dev\/pts\/\d+\r\nT=\S+\r\n24 80\r\n/);
});

test('OpenSSH ssh: 64 MiB through cat, both ways, sha256 equal', async () => {
  const data = randomBytes(64 << 20);
  const want = createHash('sha256').update(data).digest('hex');
  const child = spawn(
    '/usr/bin/ssh',
    [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'IdentityAgent=none',
      '-i',
      id(),
      '-p',
      String(server.port),
      `${me}@127.0.0.1`,
      'cat',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const h = createHash('sha256');
  let n = 0;
  child.stdout.on('data', (d: Buffer) => {
    n += d.length;
    h.update(d);
  });
  child.stdin.end(data);
  const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  assert.equal(code, 0);
  assert.equal(n, data.length);
  assert.equal(h.digest('hex'), want);
});

test("Keyway's own client logs in and runs a command", async () => {
  const c = await connect(as(server.port, [id()]));
  try {
    const s = await c.openSession();
    let out = '';
    s.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await s.exec('echo "$SSH_CONNECTION"');
    assert.deepEqual(await s.exit, { code: 0 });
    await s.closed;
    assert.match(out, new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${server.port}\\n$`));
  } finally {
    c.close();
  }
});

test('authorized_keys options: command= forces, from= and expiry-time refuse, no-pty refuses a pty', async () => {
  const key = (name: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
    return readFileSync(join(dir, `${name}.pub`), 'utf8').trim();
  };
  const lines = [
    `command="echo forced: $SSH_ORIGINAL_COMMAND" ${key('forced')}`,
    `from="10.0.0.0/8,!127.0.0.1" ${key('elsewhere')}`,
    `expiry-time="20200101" ${key('expired')}`,
    `no-pty ${key('nopty')}`,
  ];
  writeFileSync(server.authorizedKeys, lines.map((l) => `${l}\n`).join(''));
  const forced = await ssh(server.port, me, join(dir, 'forced'), [], 'rm -rf /tmp/nothing');
  assert.equal(forced.stdout, 'forced: rm -rf /tmp/nothing\n');
  for (const refused of ['elsewhere', 'expired']) {
    const r = await ssh(server.port, me, join(dir, refused), [], 'true');
    assert.equal(r.code, 255, refused);
    assert.match(r.stderr, /Permission denied \(publickey\)/);
  }
  // the pty is refused; ssh -tt asked for one explicitly, so it gives up (OpenSSH's rule)
  const nopty = await ssh(server.port, me, join(dir, 'nopty'), ['-tt'], 'tty');
  assert.equal(nopty.code, 255);
  assert.match(nopty.stderr, /PTY allocation request failed on channel 0/);
  const c = await connect(as(server.port, [join(dir, 'nopty')]));
  try {
    const s = await c.openSession();
    assert.equal(await s.requestPty({ term: 'xterm', cols: 80, rows: 24 }), false);
    let out = '';
    s.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await s.exec('tty || true');
    await s.exit;
    assert.equal(out, 'not a tty\n');
  } finally {
    c.close();
  }
  writeFileSync(server.authorizedKeys, `${pub}\n`);
});

test('password logins only with a password file; a wrong password is refused', async () => {
  const pwFile = join(dir, 'password');
  writeFileSync(pwFile, 'sshd test password\n', { mode: 0o600 });
  const withPw = await startKeywaySshd({ args: ['--password-file', pwFile] });
  try {
    assert.match(withPw.out(), /^password authentication: on$/m);
    const base = as(withPw.port);
    const c = await connect({ ...base, password: async () => 'sshd test password' });
    assert.equal(c.authMethod, 'password');
    c.close();
    await assert.rejects(
      connect({ ...base, password: async () => 'wrong', maxPrompts: 2 }),
      (e: unknown) => e instanceof AuthError,
    );
  } finally {
    await withPw.stop();
  }
  // the server without one offers no password method at all
  await assert.rejects(
    connect({ ...as(server.port), password: async () => 'sshd test password' }),
    /Permission denied \(publickey\)/,
  );
});

test('--banner is shown before login; --max-auth-tries ends a connection that keeps failing', async () => {
  const bannerFile = join(dir, 'banner');
  writeFileSync(bannerFile, 'Authorised testers only\n');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k1')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', join(dir, 'k2')]);
  const s = await startKeywaySshd({
    authorizedKeys: [pub],
    args: ['--banner', bannerFile, '--max-auth-tries', '1'],
  });
  try {
    const ok = await ssh(s.port, me, id(), [], 'true');
    assert.equal(ok.code, 0);
    assert.match(ok.stderr, /Authorised testers only/);
    // two keys the server does not know: the first failure is the last one allowed
    const r = await ssh(s.port, me, join(dir, 'k1'), ['-i', join(dir, 'k2')], 'true');
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Too many authentication failures/);
  } finally {
    await s.stop();
  }
});

test('--login-grace-time and --idle-timeout end connections that do nothing', async () => {
  const s = await startKeywaySshd({
    authorizedKeys: [pub],
    args: ['--login-grace-time', '1', '--idle-timeout', '1'],
  });
  try {
    // logged in, then silent: the server says goodbye
    const c = await connect(as(s.port, [id()]));
    const why = await c.closed;
    assert.equal(why?.code, 'DISCONNECTED_BY_PEER');
    assert.match(why?.message ?? '', /idle timeout/);
    // never authenticating: cut off after the grace time
    const t = await openTransport({ host: '127.0.0.1', port: s.port, verifyHostKey: () => true });
    const ended = await t.transport.closed;
    assert.ok(ended !== null, 'the connection ended with an error');
  } finally {
    await s.stop();
  }
});

test('SIGTERM ends the connections with a DISCONNECT and exits 0', async () => {
  const s = await startKeywaySshd({ authorizedKeys: [pub] });
  const c = await connect(as(s.port, [id()]));
  const stopped = await s.stop();
  assert.deepEqual(stopped, { code: 0, signal: null });
  const why = await c.closed;
  assert.equal(why?.code, 'DISCONNECTED_BY_PEER');
});
