/**
 * The client's port forwards (core/client/forwards.ts) against a real server, as one suite
 * the per-server test files run: -L and -R moving 64 MiB with sha256 equal both ways, -R port 0,
 * -D with curl through SOCKS5 (host names resolved on the far side), SOCKS4a and SOCKS4, a
 * remote SOCKS forward (-R with no target), -R to a local Unix socket, -R with a socket path
 * on the server (streamlocal-forward, the socket 0600), -L to a Unix socket on the server
 * (direct-streamlocal), 1,000 sequential and 100 concurrent connections
 * leaving no channel or socket behind, a paused local reader holding back the sender with
 * the bytes held in this process bounded, forwards added and closed on a live connection,
 * and failures (a port in use, a refused open) reported on the Forward.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import {
  connect as netConnect,
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { connect, type SshClient } from '../../core/client/connect.js';
import { ForwardError } from '../../core/client/forward-errors.js';
import {
  parseDynamicForward,
  parseLocalForward,
  parseRemoteForward,
} from '../../core/config/forward-spec.js';
import type { Forward } from '../../core/client/forward.js';
import { Forwards } from '../../core/client/forwards.js';
import { DEFAULT_WINDOW } from '../../core/connection/index.js';
import { ChannelOpenError } from '../../core/errors.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait.js';

export interface Peer {
  readonly client: SshClient;
  stop(): Promise<void>;
}

/** A server the suite runs against, started for one authorized public key. */
export interface SuiteServer {
  readonly port: number;
  readonly user: string;
  stop(): Promise<unknown>;
}

/** Makes a key, starts the server for it and logs in with connect(). */
export async function startPeer(
  server: (publicKey: string) => Promise<SuiteServer>,
): Promise<Peer> {
  const keys = tempDir('fwd-key');
  const key = keys.path('id');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const running = await server(readFileSync(`${key}.pub`, 'utf8').trim());
  const stop = async (): Promise<void> => {
    await running.stop();
    keys.cleanup();
  };
  try {
    const client = await connect({
      host: '127.0.0.1',
      port: running.port,
      username: running.user,
      verifyHostKey: () => true,
      agentPath: null,
      identityFiles: [key],
    });
    return { client, stop: () => (client.close(), stop()) };
  } catch (e) {
    await stop();
    throw e;
  }
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The error code connecting to a socket path gives; null when something accepted. */
function connectError(path: string): Promise<string | null> {
  return new Promise((resolve) => {
    const s = netConnect({ path });
    s.once('connect', () => (s.destroy(), resolve(null)));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

async function listen<T extends Server | HttpServer>(
  server: T,
  host = '127.0.0.1',
): Promise<number> {
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Sends `data` to 127.0.0.1:port (or a socket path) and hashes as many bytes coming back. */
async function echoThrough(to: number | string, data: Buffer): Promise<string> {
  const s = netConnect(typeof to === 'number' ? { host: '127.0.0.1', port: to } : { path: to });
  const hash = createHash('sha256');
  let n = 0;
  s.on('data', (d: Buffer) => {
    hash.update(d);
    n += d.length;
    if (n >= data.length) s.end();
  });
  s.write(data);
  await once(s, 'close');
  assert.equal(n, data.length);
  return hash.digest('hex');
}

/** One short exchange: a byte there and back, then the client closes. */
async function ping(port: number): Promise<void> {
  const s = netConnect({ host: '127.0.0.1', port });
  s.write('x');
  let got = '';
  s.on('data', (d: Buffer) => {
    got += d.toString();
    s.end();
  });
  await once(s, 'close');
  assert.equal(got, 'x');
}

function curl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '30', ...args], (error, out, err) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, out, err });
    });
  });
}

async function started(f: Forward): Promise<number> {
  await f.ready;
  const port = f.status().port;
  assert.ok(port !== null && port > 0, `${f.description} has a port`);
  return port;
}

export function forwardingSuite(name: string, start: () => Promise<Peer>): void {
  let peer: Peer;
  let forwards: Forwards;
  let dir: TempDir;
  let echo: Server;
  let echoPort = 0;
  const http: HttpServer[] = [];
  let httpPort = 0;

  before(async () => {
    dir = tempDir('fwd');
    peer = await start();
    forwards = new Forwards(peer.client.connection);
    echo = createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
    echoPort = await listen(echo);
    // on 127.0.0.1 and ::1, one port: "localhost" works whichever the far side resolves
    const handler = (req: IncomingMessage, res: ServerResponse): void =>
      void res.end(`hello ${req.url ?? ''}`);
    http.push(createHttpServer(handler));
    httpPort = await listen(http[0] as HttpServer);
    const v6 = createHttpServer(handler);
    v6.listen(httpPort, '::1');
    await once(v6, 'listening');
    http.push(v6);
  });

  after(async () => {
    await forwards?.closeAll();
    await peer?.stop();
    echo?.close();
    for (const h of http) h.close();
    dir?.cleanup();
  });

  /** No channel left on the connection, nothing through the forward, no echo socket. */
  async function nothingLeft(f: Forward): Promise<void> {
    await waitFor(
      () => peer.client.connection.channelCount === 0 && f.status().activeConnections === 0,
      `${name}: every channel and forwarded connection closed`,
    );
    const open = await new Promise<number>((r) => echo.getConnections((_e, n) => r(n)));
    assert.equal(open, 0, 'sockets still open on the echo server');
  }

  /** -L on 127.0.0.1, a port the OS picks (the engine allows port 0; ssh's -L syntax does not). */
  const local = (target: string): Forward => {
    const spec = parseLocalForward(`127.0.0.1:1:${target}`);
    return forwards.add({ ...spec, listen: { kind: 'tcp', host: '127.0.0.1', port: 0 } });
  };

  test(`${name}: -L moves 64 MiB to an echo server and back, sha256 equal both ways`, async () => {
    const f = local(`127.0.0.1:${echoPort}`);
    const port = await started(f);
    assert.equal(f.state, 'listening');
    assert.deepEqual(f.status().bound, [{ address: '127.0.0.1', family: 'IPv4', port }]);
    const data = randomBytes(64 << 20);
    assert.equal(await echoThrough(port, data), sha(data));
    await nothingLeft(f);
    const st = f.status();
    assert.equal(st.bytesSent, data.length);
    assert.equal(st.bytesReceived, data.length);
    assert.equal(st.totalConnections, 1);
    await f.close();
    assert.equal(f.state, 'closed');
    await assert.rejects(ping(port), /ECONNREFUSED/);
  });

  test(`${name}: -R port 0 gets a port from the server; 64 MiB go through it and back`, async () => {
    const f = forwards.add(parseRemoteForward(`0:127.0.0.1:${echoPort}`));
    const port = await started(f);
    assert.notEqual(port, echoPort);
    const data = randomBytes(64 << 20);
    assert.equal(await echoThrough(port, data), sha(data));
    await nothingLeft(f);
    assert.equal(f.status().bytesSent, data.length);
    // closing sends cancel-tcpip-forward: the server stops listening
    await f.close();
    await waitFor(() => f.state === 'closed', 'closed');
    await assert.rejects(ping(port), /ECONNREFUSED/);
  });

  test(`${name}: -D serves curl through SOCKS5 (names resolved far side), SOCKS4a and SOCKS4`, async () => {
    const spec = parseDynamicForward('127.0.0.1:1080');
    const d = forwards.add({ ...spec, listen: { kind: 'tcp', host: '127.0.0.1', port: 0 } });
    const port = await started(d);
    const proxy = `127.0.0.1:${port}`;
    const r5 = await curl(['--socks5-hostname', proxy, `http://localhost:${httpPort}/five`]);
    assert.deepEqual(r5, { code: 0, out: 'hello /five', err: '' });
    const r4a = await curl(['--socks4a', proxy, `http://localhost:${httpPort}/fourA`]);
    assert.deepEqual(r4a, { code: 0, out: 'hello /fourA', err: '' });
    const r4 = await curl(['--socks4', proxy, `http://127.0.0.1:${httpPort}/four`]);
    assert.deepEqual(r4, { code: 0, out: 'hello /four', err: '' });
    // a name the far side cannot resolve: a SOCKS5 failure reply, no hang
    const bad = await curl(['--socks5-hostname', proxy, 'http://no-such-host.invalid/']);
    assert.equal(bad.code, 97, bad.err); // curl: CURLE_PROXY
    await waitFor(() => d.status().activeConnections === 0, 'SOCKS connections closed');
    assert.equal(d.status().totalConnections, 4);
    assert.match(d.status().lastError ?? '', /^channel open \(direct-tcpip\) failed: ./);
    await d.close();
  });

  test(`${name}: -R with no target is a SOCKS proxy on the server`, async () => {
    const f = forwards.add(parseRemoteForward('0'));
    const port = await started(f);
    const r = await curl([
      '--socks5-hostname',
      `127.0.0.1:${port}`,
      `http://localhost:${httpPort}/r`,
    ]);
    assert.deepEqual(r, { code: 0, out: 'hello /r', err: '' });
    const r4 = await curl(['--socks4a', `127.0.0.1:${port}`, `http://localhost:${httpPort}/r4`]);
    assert.deepEqual(r4, { code: 0, out: 'hello /r4', err: '' });
    await waitFor(() => f.status().activeConnections === 0, 'remote SOCKS connections closed');
    await f.close();
  });

  test(`${name}: 1,000 sequential and 100 concurrent connections leave nothing open`, async () => {
    const f = local(`127.0.0.1:${echoPort}`);
    const port = await started(f);
    for (let i = 0; i < 1000; i++) await ping(port);
    await nothingLeft(f);
    await Promise.all(Array.from({ length: 100 }, () => ping(port)));
    await nothingLeft(f);
    assert.equal(f.status().totalConnections, 1100);
    assert.equal(f.status().bytesSent, 1100);
    await f.close();
  });

  test(`${name}: a paused local reader holds the sender back, bytes held stay bounded`, async () => {
    const total = 128 << 20;
    const block = randomBytes(1 << 20);
    let written = 0;
    const source = createServer((s) => {
      const more = (): void => {
        while (written < total) {
          written += block.length;
          if (!s.write(block)) return void s.once('drain', more);
        }
        s.end();
      };
      s.on('error', () => {});
      more();
    });
    const sourcePort = await listen(source);
    const f = local(`127.0.0.1:${sourcePort}`);
    const port = await started(f);
    const reader = netConnect({ host: '127.0.0.1', port });
    reader.pause();
    await waitFor(() => written >= 4 << 20, 'the source to send 4 MiB');
    let most = 0;
    for (let i = 0; i < 100; i++) {
      most = Math.max(most, f.status().bufferedBytes);
      await new Promise((r) => setTimeout(r, 5));
    }
    const bound = DEFAULT_WINDOW + (256 << 10);
    assert.ok(most <= bound, `held ${most} bytes, more than ${bound}`);
    assert.ok(written < total, 'the source could write everything into a paused reader');
    // resumed, every byte arrives in order
    const hash = createHash('sha256');
    let got = 0;
    reader.on('data', (d: Buffer) => {
      hash.update(d);
      got += d.length;
    });
    reader.resume();
    await once(reader, 'end');
    assert.equal(got, total);
    const expected = createHash('sha256');
    for (let i = 0; i < total / block.length; i++) expected.update(block);
    assert.equal(hash.digest('hex'), expected.digest('hex'));
    reader.destroy();
    await f.close();
    source.close();
    await waitFor(() => peer.client.connection.channelCount === 0, 'channels closed');
  });

  test(`${name}: closing a forward ends its live connections; others keep working`, async () => {
    const a = local(`127.0.0.1:${echoPort}`);
    const b = forwards.add(parseRemoteForward(`0:127.0.0.1:${echoPort}`));
    const [pa, pb] = await Promise.all([started(a), started(b)]);
    const held = netConnect({ host: '127.0.0.1', port: pa });
    held.write('hold');
    await once(held, 'data');
    assert.equal(a.status().activeConnections, 1);
    const events: string[] = [];
    a.on('state', (s) => events.push(s));
    await a.close();
    await once(held, 'close');
    assert.deepEqual(events, ['closed']);
    assert.ok(!forwards.list().includes(a));
    assert.ok(forwards.list().includes(b));
    await ping(pb);
    await b.close();
  });

  test(`${name}: failures: a port in use fails the forward; a refused open is reported`, async () => {
    const taken = local(`127.0.0.1:${echoPort}`);
    const port = await started(taken);
    const clash = forwards.add(parseLocalForward(`127.0.0.1:${port}:127.0.0.1:${echoPort}`));
    await assert.rejects(
      clash.ready,
      (e: unknown) => e instanceof ForwardError && /EADDRINUSE|in use/.test(e.message),
    );
    assert.equal(clash.state, 'failed');
    assert.match(clash.status().lastError ?? '', /cannot listen on 127\.0\.0\.1 port \d+/);
    await taken.close();

    // nothing listens on the target: the open fails, the connection is dropped and reported.
    // The target port stays bound until the forward listens, so the OS cannot give the forward
    // that same port (a forward to itself would open channels until the table is full).
    const gone = createServer();
    const gonePort = await listen(gone);
    const dead = local(`127.0.0.1:${gonePort}`);
    const deadPort = await started(dead);
    await new Promise((r) => gone.close(r));
    const failures: (Error | null)[] = [];
    dead.on('connectionClosed', (e) => failures.push(e));
    const s = netConnect({ host: '127.0.0.1', port: deadPort });
    s.on('error', () => {});
    await once(s, 'close');
    await waitFor(() => failures.length === 1, 'the failure event');
    const e = failures[0];
    assert.ok(e instanceof ChannelOpenError, String(e));
    assert.equal(e.openReason, 2); // CONNECT_FAILED
    assert.equal(dead.status().lastError, e.message);
    await nothingLeft(dead);
    await dead.close();
  });

  test(`${name}: -R to a local Unix socket`, async () => {
    const path = dir.path('local-echo.sock');
    const unixEcho = createServer({ allowHalfOpen: true }, (c: Socket) => c.pipe(c));
    unixEcho.listen(path);
    await once(unixEcho, 'listening');
    const f = forwards.add(parseRemoteForward(`0:${path}`));
    const port = await started(f);
    const data = randomBytes(1 << 20);
    assert.equal(await echoThrough(port, data), sha(data));
    await f.close();
    unixEcho.close();
  });

  test(`${name}: -R with a socket path on the server (streamlocal-forward)`, async () => {
    const path = dir.path('remote.sock');
    const f = forwards.add(parseRemoteForward(`${path}:127.0.0.1:${echoPort}`));
    await f.ready;
    assert.equal(f.status().port, null, 'a socket path has no port');
    const st = statSync(path);
    assert.ok(st.isSocket(), 'the server made the socket');
    assert.equal(st.mode & 0o777, 0o600, 'StreamLocalBindMask 0177');
    const data = randomBytes(8 << 20);
    assert.equal(await echoThrough(path, data), sha(data));
    assert.equal(f.status().totalConnections, 1);
    // a second forward to a local Unix socket, beside the first
    const localPath = dir.path('local-echo2.sock');
    const unixEcho = createServer({ allowHalfOpen: true }, (c: Socket) => c.pipe(c));
    unixEcho.listen(localPath);
    await once(unixEcho, 'listening');
    const path2 = dir.path('remote2.sock');
    const g = forwards.add(parseRemoteForward(`${path2}:${localPath}`));
    await g.ready;
    assert.equal(
      await echoThrough(path2, data.subarray(0, 1 << 20)),
      sha(data.subarray(0, 1 << 20)),
    );
    await Promise.all([f.close(), g.close()]);
    unixEcho.close();
    // cancel-streamlocal-forward: nothing accepts on the path any more
    assert.notEqual(await connectError(path), null, 'nothing accepts after the cancel');
    await nothingLeft(f);
    // the server refuses a path where a file already is (StreamLocalBindUnlink no)
    writeFileSync(dir.path('taken'), '');
    const taken = forwards.add(parseRemoteForward(`${dir.path('taken')}:127.0.0.1:${echoPort}`));
    await assert.rejects(taken.ready, /remote port forwarding failed for listen path/);
    assert.equal(taken.state, 'failed');
  });

  test(`${name}: -L to a Unix socket on the server (direct-streamlocal)`, async () => {
    const path = dir.path('echo.sock');
    const unixEcho = createServer({ allowHalfOpen: true }, (c: Socket) => c.pipe(c));
    unixEcho.listen(path);
    await once(unixEcho, 'listening');
    const f = local(path);
    const port = await started(f);
    const data = randomBytes(8 << 20);
    assert.equal(await echoThrough(port, data), sha(data));
    await f.close();
    unixEcho.close();
  });
}
