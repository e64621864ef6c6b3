/**
 * `keyway ssh` as a person runs it (the built bin, a child process) against OpenSSH's sshd:
 * the remote exit status, stdout and stderr apart, stdin streamed, a pty with -tt, and the
 * one-line errors with exit 255 for a refused connection, a refused key, a changed host key
 * and a passphrase nobody can give.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import { startOpenSsh, type RunningServer } from './harness/index.js';
import { fakeServer } from '../support/fake-server.js';
import { Transport } from '../../core/transport/transport.js';
import { attachTransport } from '../../core/transport/adapter.js';
import { generateHostKeyPair } from '../../core/crypto/hostkey/index.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';
let server: RunningServer;

function keygen(name: string, passphrase = ''): string {
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    passphrase,
    '-C',
    name,
    '-f',
    join(dir, name),
  ]);
  return readFileSync(join(dir, `${name}.pub`), 'utf8').trim();
}

interface Run {
  code: number | null;
  out: string;
  err: string;
  /** stderr as it came, sshd's debug lines included */
  raw?: string;
}

function keyway(
  args: string[],
  input: string | Buffer = '',
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [join(repo, 'bin/keyway.js'), 'ssh', ...args],
      {
        env: { ...process.env, SSH_AUTH_SOCK: '', ...env },
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'buffer',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        // the harness's sshd logs at DEBUG1, and those lines reach a session's stderr
        const err = stderr.toString().replace(/^debug\d: .*\r?\n/gm, '');
        resolve(
          Object.defineProperty({ code, out: stdout.toString(), err }, 'raw', {
            value: stderr.toString(),
            enumerable: false,
          }),
        );
      },
    );
    child.stdin?.end(input);
  });
}

/** Options for a batch-mode run with one identity file (and IdentitiesOnly when it is not `id`). */
const opts = (identity = 'id') => [
  '-F',
  '/dev/null',
  '-o',
  'StrictHostKeyChecking=accept-new',
  '-o',
  `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
  '-o',
  'BatchMode=yes',
  '-i',
  join(dir, identity),
  '-p',
  String(server.port),
  ...(identity === 'id' ? [] : ['-o', 'IdentitiesOnly=yes']),
];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-ssh-cli-'));
  server = await startOpenSsh({ authorizedKeys: [keygen('id'), keygen('locked', 'a passphrase')] });
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('exit status, stdout and stderr come back apart', async () => {
  const r = await keyway([...opts(), 'root@127.0.0.1', 'echo out; echo err >&2; exit 7']);
  assert.deepEqual(r, { code: 7, out: 'out\n', err: 'err\n' });
});

test('a remote command killed by a signal: exit 255, as ssh', async () => {
  const r = await keyway([...opts(), '127.0.0.1', 'echo before; kill -KILL $$']);
  assert.deepEqual(r, { code: 255, out: 'before\n', err: '' });
});

test('stdin is streamed to the command (4 MiB through sha256sum)', async () => {
  const data = randomBytes(4 * 1024 * 1024);
  const r = await keyway([...opts(), '127.0.0.1', 'sha256sum'], data);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.split(' ')[0], createHash('sha256').update(data).digest('hex'));
});

test('-v says where it connects and how it authenticated', async () => {
  const r = await keyway([...opts(), '-v', '127.0.0.1', 'true']);
  const err = r.raw ?? '';
  assert.equal(r.code, 0);
  assert.match(err, /^debug1: Connecting to 127\.0\.0\.1 port \d+\.\n/);
  assert.match(err, /debug1: kex: algorithm: \S+, host key algorithm: ssh-ed25519\n/);
  assert.match(
    err,
    /debug1: Authenticated to 127\.0\.0\.1 \(\[127\.0\.0\.1\]:\d+\) using "publickey"\.\n/,
  );
});

test('-tt allocates a pty: tty names /dev/pts, stty size shows 24 80', async () => {
  const r = await keyway([...opts(), '-tt', '127.0.0.1', 'tty; stty size']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\/dev\/pts\/\d+\r\n24 80\r\n/);
});

test('a refused connection: one line, exit 255', async () => {
  const r = await keyway(['-F', '/dev/null', '-p', '1', '127.0.0.1', 'true']);
  assert.deepEqual(r, {
    code: 255,
    out: '',
    err: 'connect to host 127.0.0.1 port 1: Connection refused\n',
  });
});

test('a key the server refuses: Permission denied (publickey), exit 255', async () => {
  keygen('stranger');
  const r = await keyway([...opts('stranger'), '127.0.0.1', 'true']);
  assert.equal(r.code, 255);
  assert.equal(r.err, 'root@127.0.0.1: Permission denied (publickey).\n');
});

test('an encrypted key in batch mode: no prompt, a clear line, exit 255', async () => {
  const r = await keyway([...opts('locked'), '127.0.0.1', 'true']);
  assert.equal(r.code, 255);
  assert.match(r.err, /locked/);
});

test('a changed host key: Host key verification failed with both fingerprints, exit 255', async () => {
  const other = readFileSync(join(dir, 'stranger.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const kh = join(dir, 'known_hosts_changed');
  writeFileSync(kh, `[127.0.0.1]:${server.port} ${other}\n`);
  const r = await keyway([
    '-F',
    '/dev/null',
    '-o',
    `UserKnownHostsFile=${kh}`,
    '-i',
    join(dir, 'id'),
    '-p',
    String(server.port),
    '127.0.0.1',
    'true',
  ]);
  assert.equal(r.code, 255);
  assert.match(
    r.err,
    /^Host key verification failed: the ssh-ed25519 key of 127\.0\.0\.1 is SHA256:\S+, known_hosts has SHA256:\S+ \(.*known_hosts_changed:1\)\.\n$/,
  );
});

test('a corrupt key file: Load key says why, then Permission denied, exit 255', async () => {
  const good = readFileSync(join(dir, 'id'), 'utf8').split('\n');
  // the armour intact, the body cut short
  writeFileSync(join(dir, 'cut'), [good[0], good[1], good.at(-2), ''].join('\n'), { mode: 0o600 });
  writeFileSync(join(dir, 'noise'), randomBytes(700), { mode: 0o600 });
  for (const name of ['cut', 'noise']) {
    const r = await keyway([...opts(name), '127.0.0.1', 'true']);
    assert.equal(r.code, 255, r.err);
    const [first, second, ...rest] = r.err.split('\n');
    assert.match(first ?? '', new RegExp(`^Load key ".*/${name}": \\S`));
    assert.equal(second, 'root@127.0.0.1: Permission denied (publickey).');
    assert.deepEqual(rest, ['']);
  }
});

test('a missing agent socket: a warning that names it; key files still log in', async () => {
  const sock = join(dir, 'no-agent.sock');
  const ok = await keyway([...opts(), '127.0.0.1', 'echo in'], '', { SSH_AUTH_SOCK: sock });
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.out, 'in\n');
  assert.match(ok.err, new RegExp(`^Warning: could not use the agent at ${sock}: .+\n$`));
  const denied = await keyway([...opts('stranger'), '127.0.0.1', 'true'], '', {
    SSH_AUTH_SOCK: sock,
  });
  assert.equal(denied.code, 255);
  assert.match(denied.err, /\nroot@127\.0\.0\.1: Permission denied \(publickey\)\.\n$/);
});

/** A server that completes the key exchange, then does `onAuth` at the first USERAUTH_REQUEST. */
async function serverThatStopsAuth(onAuth: (t: Transport, socket: Socket) => void) {
  const hostKeys = [generateHostKeyPair('ssh-ed25519')];
  let requests = 0;
  const srv = await fakeServer((socket) => {
    const t = new Transport({ role: 'server', hostKeys });
    t.onServiceRequest = (name) => name === 'ssh-userauth';
    t.onMessage = (payload) => {
      if (payload[0] === 50 && requests++ === 0) onAuth(t, socket);
    };
    attachTransport(t, socket);
  });
  return { srv, requests: () => requests };
}

const fakeOpts = (port: number) => [
  '-F',
  '/dev/null',
  '-o',
  'StrictHostKeyChecking=accept-new',
  '-o',
  `UserKnownHostsFile=${join(dir, 'known_hosts_fake')}`,
  '-i',
  join(dir, 'id'),
  '-p',
  String(port),
  '127.0.0.1',
  'true',
];

test('a server that drops the connection during authentication: Connection closed by, exit 255', async () => {
  const { srv, requests } = await serverThatStopsAuth((_t, socket) => socket.destroy());
  try {
    const r = await keyway(fakeOpts(srv.port));
    assert.equal(requests(), 1);
    assert.deepEqual(r, {
      code: 255,
      out: '',
      err: `Connection closed by 127.0.0.1 port ${srv.port}\n`,
    });
  } finally {
    await srv.close();
  }
});

test('a server that disconnects during authentication: its reason, exit 255', async () => {
  const { srv } = await serverThatStopsAuth((t) =>
    t.disconnect(2, 'Too many authentication failures\x1b[2J'),
  );
  try {
    const r = await keyway(fakeOpts(srv.port));
    assert.equal(r.code, 255);
    assert.equal(
      r.err,
      `Received disconnect from 127.0.0.1 port ${srv.port}:2: Too many authentication failures^[[2J\n` +
        `Disconnected from 127.0.0.1 port ${srv.port}\n`,
    );
  } finally {
    await srv.close();
  }
});

test('a private key others can read is not used, as ssh refuses it: the reason, then Permission denied', async () => {
  copyFileSync(join(dir, 'id'), join(dir, 'id-open'));
  chmodSync(join(dir, 'id-open'), 0o644);
  const r = await keyway([...opts('id-open'), '127.0.0.1', 'true']);
  assert.equal(r.code, 255);
  assert.match(
    r.err,
    /^Load key ".*\/id-open": permissions 0644 are too open; .*\nroot@127\.0\.0\.1: Permission denied \(publickey\)\.\n$/,
  );
});
