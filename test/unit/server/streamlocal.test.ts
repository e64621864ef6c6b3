/**
 * The sshd's Unix socket forwarding (core/server/forwarding.ts, unix-listeners.ts; OpenSSH
 * PROTOCOL §2.4) over an in-memory connection pair, against real Unix sockets in a temp dir:
 * direct-streamlocal@openssh.com data both ways, connect failures, policy refusals
 * (AllowStreamLocalForwarding, no-port-forwarding, permitopen) and malformed opens;
 * streamlocal-forward@openssh.com with the socket's mode (StreamLocalBindMask), the
 * forwarded-streamlocal@openssh.com fields, cancel, an existing file with and without
 * StreamLocalBindUnlink, the listener limit, and the connection's end removing every socket.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { tempDir, type TempDir } from '../../support/temp-dir.js';
import { waitFor } from '../../support/wait.js';
import { OpenFailureReason, type Connection } from '../../../core/connection/index.js';
import type { ForwardingPolicy } from '../../../core/server/forwarding.js';
import {
  allClosed,
  assertLogged,
  cleanups,
  openFailure,
  runCleanups,
  setup as setupForwarding,
  type Ctx,
} from './forwarding-setup.js';
import {
  decodeForwardedStreamlocal,
  encodeDirectStreamlocal,
  encodeStreamlocalForward,
} from '../../../core/connection/forward-messages.js';

afterEach(runCleanups);

interface UnixCtx extends Ctx {
  readonly dir: TempDir;
}

/** The forwarding setup plus a temp dir for the sockets, removed after the test. */
async function setup(policy: Partial<ForwardingPolicy> = {}): Promise<UnixCtx> {
  const ctx = await setupForwarding(policy);
  const dir = tempDir('streamlocal');
  cleanups.push(() => dir.cleanup());
  return { ...ctx, dir };
}

/** A Unix socket server at path that echoes every connection. */
async function unixEcho(path: string): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (s) => void s.pipe(s));
  await new Promise<void>((r) => server.listen(path, r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return server;
}

function unixConnect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ path, allowHalfOpen: true });
    cleanups.push(() => s.destroy());
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

async function connectError(path: string): Promise<string | null> {
  try {
    (await unixConnect(path)).destroy();
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? 'error';
  }
}

function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.once('end', () => resolve(Buffer.concat(parts)));
  });
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function directStreamlocal(client: Connection, path: string) {
  return client.openChannel('direct-streamlocal@openssh.com', encodeDirectStreamlocal(path));
}

async function request(client: Connection, name: string, path: string): Promise<boolean> {
  const reply = await client.globalRequest(name, encodeStreamlocalForward(path));
  return reply?.ok ?? false;
}

const forward = (c: Connection, path: string) =>
  request(c, 'streamlocal-forward@openssh.com', path);
const cancel = (c: Connection, path: string) =>
  request(c, 'cancel-streamlocal-forward@openssh.com', path);

/** Client side of ssh -R in these tests: forwarded-streamlocal channels echo what they get. */
function echoForwarded(client: Connection): string[] {
  const paths: string[] = [];
  client.onChannelOpen = (type, extra, answer) => {
    if (type !== 'forwarded-streamlocal@openssh.com') return answer.reject();
    paths.push(decodeForwardedStreamlocal(extra));
    const ch = answer.accept();
    ch.incoming.pipe(ch.writable());
  };
  return paths;
}

// ---- direct-streamlocal@openssh.com -----------------------------------------------------------

test('direct-streamlocal: 4 MiB to a Unix echo server and back, sha256 equal, then CLOSE', async () => {
  const ctx = await setup();
  const path = ctx.dir.path('echo.sock');
  await unixEcho(path);
  const ch = await directStreamlocal(ctx.client, path);
  const data = randomBytes(4 << 20);
  const back = readAll(ch.incoming);
  ch.writable().end(data);
  assert.equal(sha(await back), sha(data));
  await allClosed(ctx);
  assert.ok(ctx.logs.some((l) => l === `direct-streamlocal from 127.0.0.1 port 50022 to ${path}`));
  await ctx.end();
});

test('direct-streamlocal to a path nobody listens on: CONNECT_FAILED with the error', async () => {
  const ctx = await setup();
  const e = await openFailure(directStreamlocal(ctx.client, ctx.dir.path('none.sock')));
  assert.equal(e.openReason, OpenFailureReason.CONNECT_FAILED);
  assert.match(e.description, /none\.sock failed: .*ENOENT/);
  await ctx.end();
});

test('direct-streamlocal refusals by policy, and what the policy allows', async () => {
  const denied: [Partial<ForwardingPolicy>, RegExp][] = [
    [{ allowStreamLocalForwarding: 'no' }, /Unix socket forwarding is disabled/],
    [{ allowStreamLocalForwarding: 'remote' }, /direct-streamlocal\) is disabled/],
    [{ portForwarding: false }, /no-port-forwarding/],
    [{ permitOpen: [{ host: '127.0.0.1', port: '*' }] }, /permitopen/],
    [{ permitOpen: [{ host: '*', port: 22 }] }, /permitopen/],
  ];
  for (const [policy, why] of denied) {
    const ctx = await setup(policy);
    const path = ctx.dir.path('echo.sock');
    const target = await unixEcho(path);
    let reached = 0;
    target.on('connection', () => reached++);
    const e = await openFailure(directStreamlocal(ctx.client, path));
    assert.equal(e.openReason, OpenFailureReason.ADMINISTRATIVELY_PROHIBITED);
    assert.match(e.description, why, JSON.stringify(policy));
    assert.equal(reached, 0, 'a refused open connects nowhere');
    assert.ok(ctx.logs.some((l) => l.startsWith('refused direct-streamlocal from 127.0.0.1')));
    await ctx.end();
  }
  const allowed: Partial<ForwardingPolicy>[] = [
    { allowStreamLocalForwarding: 'local' },
    { allowTcpForwarding: 'no' }, // the TCP setting does not govern Unix sockets
    { permitOpen: [{ host: '*', port: '*' }] },
  ];
  for (const policy of allowed) {
    const ctx = await setup(policy);
    const path = ctx.dir.path('echo.sock');
    await unixEcho(path);
    const ch = await directStreamlocal(ctx.client, path);
    const back = readAll(ch.incoming);
    ch.writable().end('x');
    assert.equal((await back).toString(), 'x', JSON.stringify(policy));
    await ctx.end();
  }
});

test('malformed direct-streamlocal opens are refused, and the connection carries on', async () => {
  const ctx = await setup();
  const good = encodeDirectStreamlocal('/tmp/x.sock');
  const bad = [
    encodeDirectStreamlocal(''),
    encodeDirectStreamlocal(`/${'a'.repeat(107)}`), // 108 bytes: more than sun_path holds
    encodeDirectStreamlocal('/tmp/a\0b'),
    Uint8Array.of(...good, 0),
    good.subarray(0, good.length - 2),
  ];
  for (const extra of bad) {
    const e = await openFailure(ctx.client.openChannel('direct-streamlocal@openssh.com', extra));
    assert.equal(e.openReason, OpenFailureReason.ADMINISTRATIVELY_PROHIBITED);
    assert.match(e.description, /direct-streamlocal@openssh\.com/);
  }
  assert.ok(!ctx.server.transport.isClosed);
  const path = ctx.dir.path('echo.sock');
  await unixEcho(path);
  const ch = await directStreamlocal(ctx.client, path);
  ch.close();
  await ctx.end();
});

// ---- streamlocal-forward@openssh.com ----------------------------------------------------------

test('streamlocal-forward: a 0600 socket, forwarded-streamlocal fields, data, cancel', async () => {
  const ctx = await setup();
  const paths = echoForwarded(ctx.client);
  const path = ctx.dir.path('remote.sock');
  assert.equal(await forward(ctx.client, path), true);
  const st = statSync(path);
  assert.ok(st.isSocket());
  assert.equal(st.mode & 0o777, 0o600, 'StreamLocalBindMask 0177');
  assert.deepEqual(ctx.forwarding.stats().unixListeners, [path]);

  const s = await unixConnect(path);
  const data = randomBytes(1 << 20);
  const got: Buffer[] = [];
  let n = 0;
  s.on('data', (d: Buffer) => {
    got.push(d);
    n += d.length;
  });
  s.write(data);
  await waitFor(() => n === data.length, 'the data came back');
  assert.equal(sha(Buffer.concat(got)), sha(data));
  assert.deepEqual(paths, [path]);

  assert.equal(await cancel(ctx.client, ctx.dir.path('other.sock')), false);
  assert.equal(await cancel(ctx.client, path), true);
  assert.deepEqual(ctx.forwarding.stats().unixListeners, []);
  assert.equal(existsSync(path), false, 'the socket file is removed');
  assert.equal(await connectError(path), 'ENOENT');
  s.end('still here');
  assert.equal((await readAll(s)).subarray(-10).toString(), 'still here', 'outlives cancel');
  assert.equal(await cancel(ctx.client, path), false, 'already cancelled');
  await allClosed(ctx);
  await ctx.end();
});

test('StreamLocalBindMask is the umask the socket is made under', async () => {
  const ctx = await setup({ streamLocalBindMask: 0o117 });
  const path = ctx.dir.path('group.sock');
  assert.equal(await forward(ctx.client, path), true);
  assert.equal(statSync(path).mode & 0o777, 0o660);
  await ctx.end();
});

test('an existing file: refused without StreamLocalBindUnlink; with it a socket is replaced', async () => {
  const plain = await setup();
  const stale = plain.dir.path('stale.sock');
  // a socket file nobody listens on: bound, moved aside, the server closed
  const old = createServer();
  const first = plain.dir.path('first.sock');
  await new Promise<void>((r) => old.listen(first, r));
  renameSync(first, stale);
  await new Promise((r) => old.close(r));
  assert.ok(statSync(stale).isSocket());
  assert.equal(await forward(plain.client, stale), false);
  assert.ok(
    plain.logs.some((l) => /cannot listen on .*stale\.sock: .*EADDRINUSE/.test(l)),
    plain.logs.join(' | '),
  );
  await plain.end();

  const unlinking = await setup({ streamLocalBindUnlink: true });
  const again = unlinking.dir.path('stale.sock');
  renameSync(stale, again);
  const paths = echoForwarded(unlinking.client);
  assert.equal(await forward(unlinking.client, again), true);
  const s = await unixConnect(again);
  s.end('hi');
  assert.equal((await readAll(s)).toString(), 'hi');
  assert.deepEqual(paths, [again]);
  // a file that is not a socket is never removed
  const file = unlinking.dir.path('file');
  writeFileSync(file, 'keep');
  assert.equal(await forward(unlinking.client, file), false);
  assert.ok(statSync(file).isFile());
  await unlinking.end();
});

test('streamlocal-forward refusals by policy; permitlisten does not apply to paths', async () => {
  const denied: [Partial<ForwardingPolicy>, string][] = [
    [{ allowStreamLocalForwarding: 'local' }, 'streamlocal-forward) is disabled'],
    [{ allowStreamLocalForwarding: 'no' }, 'Unix socket forwarding is disabled'],
    [{ portForwarding: false }, 'no-port-forwarding'],
  ];
  for (const [policy, why] of denied) {
    const ctx = await setup(policy);
    const path = ctx.dir.path('r.sock');
    assert.equal(await forward(ctx.client, path), false, JSON.stringify(policy));
    assert.equal(existsSync(path), false);
    assertLogged(ctx, why);
    await ctx.end();
  }
  const allowed: Partial<ForwardingPolicy>[] = [
    { allowStreamLocalForwarding: 'remote' },
    { allowTcpForwarding: 'no' },
    { permitListen: [{ host: 'localhost', port: 8080 }] }, // as sshd: paths are not matched
  ];
  for (const policy of allowed) {
    const ctx = await setup(policy);
    assert.equal(await forward(ctx.client, ctx.dir.path('r.sock')), true, JSON.stringify(policy));
    await ctx.end();
  }
});

test('malformed streamlocal-forward requests fail; the listener limit holds', async () => {
  const ctx = await setup({ maxListeners: 2 });
  assert.equal(await forward(ctx.client, ''), false);
  assert.equal(await forward(ctx.client, `/${'b'.repeat(200)}`), false);
  const trailing = Uint8Array.of(...encodeStreamlocalForward(ctx.dir.path('t.sock')), 1);
  const reply = await ctx.client.globalRequest('streamlocal-forward@openssh.com', trailing);
  assert.equal(reply?.ok ?? false, false);
  const results = await Promise.all(
    ['a', 'b', 'c'].map((n) => forward(ctx.client, ctx.dir.path(`${n}.sock`))),
  );
  assert.equal(results.filter(Boolean).length, 2, 'at most 2 listeners');
  assert.ok(ctx.logs.some((l) => l.includes('too many remote forwards (at most 2)')));
  assert.ok(!ctx.server.transport.isClosed);
  await ctx.end();
});

test("the connection's end closes every Unix listener and removes its socket", async () => {
  const ctx = await setup();
  echoForwarded(ctx.client);
  const path = ctx.dir.path('r.sock');
  assert.equal(await forward(ctx.client, path), true);
  const s = await unixConnect(path);
  s.write('hi');
  await new Promise((r) => s.once('data', r));
  await ctx.end();
  // half-open capable: the server's side going away shows as the end of its input
  await new Promise<void>((r) => {
    s.once('end', r)
      .once('close', r)
      .on('error', () => r());
    s.resume();
  });
  assert.ok(ctx.forwarding.closed);
  assert.equal(existsSync(path), false);
  assert.deepEqual(ctx.forwarding.stats().unixListeners, []);
  await waitFor(() => ctx.forwarding.stats().sockets === 0, 'sockets closed');
});
