/**
 * `keyway ssh -N` with -L, -R and -D as a person runs it (the built bin, a child process
 * stopped by PID) against OpenSSH's sshd and keyway sshd: data through -L, "Allocated port N
 * for remote forward to …" for -R 0 and a connection through that port, -R with a socket path
 * on the server (streamlocal-forward) and a connection through it, curl through -D,
 * LocalForward from a config file, and ExitOnForwardFailure ending keyway with 255 and ssh's
 * words for a port in use and a refused remote forward. Agent forwarding (-A, ForwardAgent):
 * `ssh-add -l` on OpenSSH's side lists the key of a local ssh-agent, and without -A (or with
 * -a) finds no agent. X11 forwarding (-X, -Y) to a local Xvfb: xdpyinfo on the server opens
 * the display (so the real cookie replaced the fake one), and without xauth data ssh's
 * warning is printed and the X server refuses. Untrusted X11 (-X with ForwardX11Trusted no):
 * the cookie comes from `xauth generate … untrusted`, so xdpyinfo on the server sees only the
 * extensions the X SECURITY extension leaves an untrusted client, and with no way to make
 * that cookie ssh's warning is printed and no X11 forwarding is asked for.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect as netConnect, createServer, type AddressInfo, type Server } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runKeyway } from '../support/keyway-bin.js';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { startXvfb } from '../support/xvfb.js';
import { acceptingUnix, waitFor } from '../support/wait.js';
import {
  freePort,
  freePorts,
  startAgent,
  startOpenSsh,
  type RunningAgent,
  type RunningServer,
} from './harness/index.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let dir: TempDir;
let openssh: RunningServer;
let keyway: KeywaySshd;
let localOnly: KeywaySshd;
let echo: Server;
let echoPort = 0;
let http: HttpServer;
let httpPort = 0;
let agent: RunningAgent;
let fingerprint = '';
const children: ChildProcess[] = [];

before(async () => {
  dir = tempDir('ssh-fwd-cli');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', dir.path('id')]);
  const pub = readFileSync(dir.path('id.pub'), 'utf8').trim();
  fingerprint = execFileSync('ssh-keygen', ['-l', '-f', dir.path('id.pub')]).toString();
  agent = await startAgent(dir.dir);
  execFileSync('ssh-add', ['-q', dir.path('id')], {
    env: { ...process.env, SSH_AUTH_SOCK: agent.sock },
  });
  [openssh, keyway, localOnly] = await Promise.all([
    startOpenSsh({
      authorizedKeys: [pub],
      extraConfig: [
        'LogLevel INFO',
        'X11Forwarding yes',
        'XAuthLocation /usr/bin/xauth',
        // sshd's xauth and the session's X clients use this file, not root's ~/.Xauthority
        `SetEnv XAUTHORITY=${dir.path('remote-Xauthority')}`,
      ],
    }),
    startKeywaySshd({ authorizedKeys: [pub] }),
    startKeywaySshd({ authorizedKeys: [pub], args: ['--allow-tcp-forwarding', 'local'] }),
  ]);
  echo = createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as AddressInfo).port;
  http = createHttpServer((req, res) => void res.end(`served ${req.url ?? ''}`));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  httpPort = (http.address() as AddressInfo).port;
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all([openssh?.stop(), keyway?.stop(), localOnly?.stop(), agent?.stop()]);
  echo?.close();
  http?.close();
  dir?.cleanup();
});

interface Target {
  readonly port: number;
  readonly user: string;
}
const servers = (): [string, Target][] => [
  ['OpenSSH', { port: openssh.port, user: 'root' }],
  ['keyway sshd', { port: keyway.port, user: userInfo().username }],
];

const common = (t: Target): string[] => [
  '-F',
  '/dev/null',
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  `UserKnownHostsFile=${dir.path('known_hosts')}`,
  '-o',
  'BatchMode=yes',
  '-i',
  dir.path('id'),
  '-p',
  String(t.port),
];

interface Running {
  readonly child: ChildProcess;
  err(): string;
  stop(): Promise<void>;
}

/** keyway ssh in the background; stopped with SIGTERM by PID. */
function background(args: string[]): Running {
  const child = spawn(process.execPath, [join(repo, 'bin/keyway.js'), 'ssh', ...args], {
    env: { ...process.env, SSH_AUTH_SOCK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.resume();
  return {
    child,
    err: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

/** Polls until something accepts on port (keyway's listener is up); fails if keyway exits. */
async function listening(port: number, r: Running): Promise<void> {
  let up = false;
  const poll = async (): Promise<void> => {
    while (!up && r.child.exitCode === null) {
      up = await tryConnect(port);
      if (!up) await new Promise((res) => setTimeout(res, 20));
    }
  };
  const polling = poll();
  await waitFor(() => up || r.child.exitCode !== null, `a listener on ${port}`, 30_000);
  await polling;
  assert.ok(up, `keyway exited (${r.child.exitCode}): ${r.err()}`);
}

async function echoed(to: number | string, text: string): Promise<string> {
  const s = netConnect(typeof to === 'number' ? { host: '127.0.0.1', port: to } : { path: to });
  s.on('error', () => {}); // a refused forward resets the connection: nothing comes back
  s.end(text);
  let got = '';
  s.on('data', (d: Buffer) => (got += d.toString()));
  await new Promise((resolve) => s.on('close', resolve)); // once() would reject on the reset
  return got;
}

function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('curl', ['-sS', '--max-time', '30', ...args], (e, out, err) =>
      e ? reject(new Error(`curl: ${err}`)) : resolve(out),
    ),
  );
}

for (const [name, t] of [
  ['OpenSSH', 0],
  ['keyway sshd', 1],
] as const) {
  test(`${name}: keyway ssh -N -L forwards to the echo server`, async () => {
    const target = servers()[t]?.[1] as Target;
    const port = await freePort();
    const r = background([
      ...common(target),
      '-N',
      '-L',
      `${port}:127.0.0.1:${echoPort}`,
      `${target.user}@127.0.0.1`,
    ]);
    try {
      await listening(port, r);
      assert.equal(await echoed(port, 'through -L'), 'through -L');
    } finally {
      await r.stop();
    }
  });

  test(`${name}: keyway ssh -N -R 0 prints the allocated port, which forwards`, async () => {
    const target = servers()[t]?.[1] as Target;
    const r = background([
      ...common(target),
      '-N',
      '-R',
      `0:127.0.0.1:${echoPort}`,
      `${target.user}@127.0.0.1`,
    ]);
    try {
      const re = new RegExp(
        `^Allocated port (\\d+) for remote forward to 127\\.0\\.0\\.1:${echoPort}$`,
        'm',
      );
      await waitFor(
        () => re.test(r.err()) || r.child.exitCode !== null,
        'the allocated port',
        30_000,
      );
      const port = Number(re.exec(r.err())?.[1]);
      assert.ok(port > 0, r.err());
      assert.equal(await echoed(port, 'through -R'), 'through -R');
    } finally {
      await r.stop();
    }
  });

  test(`${name}: keyway ssh -N -R /remote/socket:host:port forwards through the socket`, async () => {
    const target = servers()[t]?.[1] as Target;
    const path = dir.path(`remote-${t}.sock`);
    const r = background([
      ...common(target),
      '-N',
      '-R',
      `${path}:127.0.0.1:${echoPort}`,
      `${target.user}@127.0.0.1`,
    ]);
    try {
      const isSocket = (): boolean => existsSync(path) && statSync(path).isSocket();
      await waitFor(() => isSocket() || r.child.exitCode !== null, 'the socket', 30_000);
      assert.ok(isSocket(), r.err());
      await acceptingUnix(path);
      assert.equal(await echoed(path, 'through -R path'), 'through -R path');
    } finally {
      await r.stop();
    }
  });

  test(`${name}: keyway ssh -N -D serves curl --socks5-hostname and --socks4a`, async () => {
    const target = servers()[t]?.[1] as Target;
    const port = await freePort();
    const r = background([
      ...common(target),
      '-N',
      '-D',
      `127.0.0.1:${port}`,
      `${target.user}@127.0.0.1`,
    ]);
    try {
      await listening(port, r);
      const url = `http://localhost:${httpPort}`;
      assert.equal(await curl(['--socks5-hostname', `127.0.0.1:${port}`, `${url}/5`]), 'served /5');
      assert.equal(await curl(['--socks4a', `127.0.0.1:${port}`, `${url}/4a`]), 'served /4a');
    } finally {
      await r.stop();
    }
  });
}

test('LocalForward from a config file, and a refused open is reported, not fatal', async () => {
  // three different ports: `refusing` forwarding to itself would loop until the table is full
  const [port, refusing, closed] = (await freePorts(3)) as [number, number, number];
  // refusing: listened on by keyway, forwarded to `closed`; nothing listens on closed
  const config = dir.path('config');
  writeFileSync(
    config,
    `Host fwd\n  HostName 127.0.0.1\n  LocalForward 127.0.0.1:${port} 127.0.0.1:${echoPort}\n  LocalForward ${refusing} 127.0.0.1:${closed}\n`,
  );
  const r = background([
    ...common(servers()[1]?.[1] as Target).slice(2),
    '-F',
    config,
    '-N',
    'fwd',
  ]);
  try {
    await listening(port, r);
    assert.equal(await echoed(port, 'from the config'), 'from the config');
    await listening(refusing, r);
    assert.equal(await echoed(refusing, 'nobody there'), '');
    await waitFor(() => /open failed: connect failed: /.test(r.err()), 'the open failure');
    assert.equal(await echoed(port, 'still up'), 'still up');
  } finally {
    await r.stop();
  }
});

test('ExitOnForwardFailure: a port in use or a refused -R (port or path) ends keyway ssh with 255', async () => {
  const busy = createServer();
  busy.listen(0, '127.0.0.1');
  await once(busy, 'listening');
  const busyPort = (busy.address() as AddressInfo).port;
  try {
    const k = servers()[1]?.[1] as Target;
    const a = await runKeyway([
      'ssh',
      ...common(k),
      '-o',
      'ExitOnForwardFailure=yes',
      '-N',
      '-L',
      `127.0.0.1:${busyPort}:127.0.0.1:${echoPort}`,
      `${k.user}@127.0.0.1`,
    ]);
    assert.equal(a.code, 255, a.err);
    assert.match(
      a.err,
      new RegExp(`cannot listen on 127\\.0\\.0\\.1 port ${busyPort}: .*EADDRINUSE`),
    );
    assert.match(a.err, /^Could not request local forwarding\.$/m);

    const b = await runKeyway([
      'ssh',
      ...common({ port: localOnly.port, user: k.user }),
      '-o',
      'ExitOnForwardFailure=yes',
      '-N',
      '-R',
      `0:127.0.0.1:${echoPort}`,
      `${k.user}@127.0.0.1`,
    ]);
    assert.equal(b.code, 255, b.err);
    assert.match(b.err, /^Error: remote port forwarding failed for listen port 0$/m);

    // a socket path the server cannot bind (its directory does not exist)
    const path = dir.path('no-such-dir/r.sock');
    const c = await runKeyway([
      'ssh',
      ...common(k),
      '-o',
      'ExitOnForwardFailure=yes',
      '-N',
      '-R',
      `${path}:127.0.0.1:${echoPort}`,
      `${k.user}@127.0.0.1`,
    ]);
    assert.equal(c.code, 255, c.err);
    assert.ok(c.err.includes(`Error: remote port forwarding failed for listen path ${path}\n`));
  } finally {
    busy.close();
  }
});

test("a bad -L specification: exit 255 with ssh's words", async () => {
  const r = await runKeyway(['ssh', '-L', '80:host', 'h']);
  assert.equal(r.code, 255);
  assert.match(r.err, /Bad local forwarding specification '80:host'/);
});

/** keyway ssh to OpenSSH with the test agent in $SSH_AUTH_SOCK (and `env`). */
function withAgent(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const cmd = [join(repo, 'bin/keyway.js'), 'ssh', ...common(servers()[0]?.[1] as Target)];
    const child = execFile(
      process.execPath,
      [...cmd, ...args],
      { env: { ...process.env, SSH_AUTH_SOCK: agent.sock, ...env } },
      (e, out, err) =>
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, out, err }),
    );
    child.stdin?.end();
  });
}

test('-X with ForwardX11Trusted no: an untrusted cookie from xauth generate', async () => {
  const x = await startXvfb(dir.dir);
  try {
    const env = { DISPLAY: x.display, XAUTHORITY: x.xauthority };
    const show = 'echo "DISPLAY=$DISPLAY"; xdpyinfo | grep -E "^(name of display|    XTEST)"';
    const untrusted = await withAgent(
      ['-X', '-o', 'ForwardX11Trusted=no', 'root@127.0.0.1', show],
      env,
    );
    assert.equal(untrusted.code, 0, untrusted.err);
    assert.match(untrusted.out, /^name of display:\s+localhost:\d+\.0$/m);
    assert.doesNotMatch(untrusted.out, /XTEST/, 'an untrusted client does not see XTEST');
    // -Y after it: trusted whatever ForwardX11Trusted says, so every extension shows
    const trusted = await withAgent(
      ['-o', 'ForwardX11Trusted=no', '-Y', 'root@127.0.0.1', show],
      env,
    );
    assert.equal(trusted.code, 0, trusted.err);
    assert.match(trusted.out, /^ {4}XTEST$/m);
    // xauth cannot reach the display without its cookie: no untrusted cookie, no forwarding
    writeFileSync(dir.path('empty-Xauthority'), '');
    const failed = await withAgent(
      ['-X', '-o', 'ForwardX11Trusted=no', 'root@127.0.0.1', 'echo "DISPLAY=$DISPLAY"'],
      { DISPLAY: x.display, XAUTHORITY: dir.path('empty-Xauthority') },
    );
    assert.match(
      failed.err,
      /^Warning: untrusted X11 forwarding setup failed: xauth key data not generated$/m,
    );
    assert.equal(failed.out, 'DISPLAY=\n');
  } finally {
    await x.stop();
  }
});

test("-A: ssh-add -l on the server lists the local agent's key", async () => {
  // "256 SHA256:… comment (ED25519)", as ssh-keygen -l printed it here
  for (const args of [['-A'], ['-o', 'ForwardAgent=yes']]) {
    const r = await withAgent([...args, 'root@127.0.0.1', 'ssh-add -l']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, fingerprint);
  }
});

test('without -A, or with -a, the server finds no agent', async () => {
  for (const args of [[], ['-a', '-A']]) {
    const r = await withAgent([...args, 'root@127.0.0.1', 'ssh-add -l; echo "status $?"']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^status 2$/m); // ssh-add: cannot connect to an agent
  }
});

test('-X and -Y: xdpyinfo on the server reaches the local Xvfb', async () => {
  const x = await startXvfb(dir.dir);
  try {
    const env = { DISPLAY: x.display, XAUTHORITY: x.xauthority };
    const show = 'echo "DISPLAY=$DISPLAY"; xdpyinfo | grep -E "^(name of display|vendor string):"';
    for (const flag of ['-X', '-Y']) {
      const r = await withAgent([flag, 'root@127.0.0.1', show], env);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^DISPLAY=localhost:\d+\.0$/m);
      assert.match(r.out, /^name of display:\s+localhost:\d+\.0$/m);
      assert.match(r.out, /^vendor string:\s+The X\.Org Foundation$/m);
    }
    const off = await withAgent(['root@127.0.0.1', 'echo "DISPLAY=$DISPLAY"'], env);
    assert.equal(off.out, 'DISPLAY=\n');
    // no cookie for the display here: random data stands in, and Xvfb refuses it
    writeFileSync(dir.path('empty-Xauthority'), '');
    const bad = await withAgent(
      ['-X', 'root@127.0.0.1', 'xdpyinfo >/dev/null 2>&1; echo "status $?"'],
      {
        DISPLAY: x.display,
        XAUTHORITY: dir.path('empty-Xauthority'),
      },
    );
    assert.match(
      bad.err,
      /^Warning: No xauth data; using fake authentication data for X11 forwarding\.$/m,
    );
    assert.match(bad.out, /^status 1$/m);
  } finally {
    await x.stop();
  }
});
