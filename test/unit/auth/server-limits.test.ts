// User authentication, server side: MaxAuthTries, LoginGraceTime, the failure delay, the
// service request, messages out of turn, floods, and the connection ending mid-way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transportPair } from '../../support/transport-pair.js';
import { testKey } from '../../support/key-candidates.js';
import { waitFor } from '../../support/wait.js';
import { generateHostKeyPair } from '../../../core/crypto/hostkey/index.js';
import { authenticate } from '../../../core/auth/client.js';
import { serveUserAuth, type ServerAuthOptions } from '../../../core/auth/server.js';
import {
  decodeFailure,
  kbdInteractiveRequest,
  noneRequest,
  passwordRequest,
  publickeyQuery,
} from '../../../core/auth/messages.js';
import { AuthTimeout, TooManyAuthFailures } from '../../../core/auth/errors.js';
import {
  ConnectionLost,
  DisconnectedByPeer,
  ServiceNotAvailable,
  type SshError,
} from '../../../core/errors.js';
import { Msg } from '../../../core/wire/messages.js';

const hostKeys = [generateHostKeyPair('ssh-ed25519')];

function setup<K extends object | true>(opts: ServerAuthOptions<K>) {
  const pair = transportPair({ hostKeys });
  const server = serveUserAuth(pair.server, { failureDelayMs: 0, ...opts });
  server.catch(() => {});
  let closed: SshError | null | undefined;
  void pair.clientClosed.then((e) => (closed = e));
  return { pair, server, closed: () => closed };
}

/** Sends raw payloads and waits until `n` more replies came, or the connection closed. */
async function send(s: ReturnType<typeof setup>, ...payloads: Uint8Array[]): Promise<Uint8Array[]> {
  const before = s.pair.clientMessages.length;
  for (const p of payloads) s.pair.client.send(p);
  await waitFor(
    () => s.pair.clientMessages.length >= before + payloads.length || s.closed() !== undefined,
    'replies',
  );
  return s.pair.clientMessages.slice(before);
}

function peerReason(e: unknown): number {
  assert.ok(e instanceof DisconnectedByPeer, `expected DisconnectedByPeer, got ${String(e)}`);
  return e.peerReason;
}

test('maxAuthTries: the third wrong password ends the connection', async () => {
  let asked = 0;
  const s = setup({ maxAuthTries: 3, password: () => (asked++, false) });
  const err = await authenticate(s.pair.client, {
    username: 'alice',
    password: async () => 'wrong',
    maxPrompts: 10,
  }).catch((e: unknown) => e);
  assert.equal(peerReason(err), 14);
  assert.match((err as DisconnectedByPeer).description, /Too many authentication failures/);
  await assert.rejects(s.server, TooManyAuthFailures);
  assert.equal(asked, 3);
});

test('maxAuthTries counts refused keys (sshd default 6), not queries that got PK_OK', async () => {
  const keys = Array.from({ length: 7 }, (_, i) => testKey('ssh-ed25519', `k${i}`));
  const s = setup({ publickey: () => null });
  const err = await authenticate(s.pair.client, {
    username: 'alice',
    keys: keys.map((k) => k.candidate),
  }).catch((e: unknown) => e);
  assert.equal(peerReason(err), 14);
  assert.ok(keys.every((k) => k.loads() === 0));

  const good = testKey('ssh-ed25519');
  const q = setup({ maxAuthTries: 2, publickey: () => true });
  await q.pair.client.ready;
  await q.pair.client.requestService('ssh-userauth');
  const query = publickeyQuery('alice', 'ssh-ed25519', good.pair.publicKey.blob);
  const replies = await send(q, ...Array.from({ length: 10 }, () => query));
  assert.deepEqual(
    replies.map((r) => r[0]),
    Array.from({ length: 10 }, () => Msg.USERAUTH_PK_OK),
  );
  q.pair.client.disconnect();
});

test('the first none is free, later ones count', async () => {
  const s = setup({ maxAuthTries: 2, password: () => false });
  await s.pair.client.ready;
  await s.pair.client.requestService('ssh-userauth');
  const replies = await send(s, noneRequest('alice'), noneRequest('alice'), noneRequest('alice'));
  assert.deepEqual(
    replies.map((r) => r[0]),
    [Msg.USERAUTH_FAILURE, Msg.USERAUTH_FAILURE],
  );
  await waitFor(() => s.closed() !== undefined, 'disconnect');
  assert.equal(peerReason(s.closed()), 14);
});

test('login grace time: the connection ends when the timer fires', async () => {
  const timers: { ms: number; fire: () => void; cancelled: boolean }[] = [];
  const setTimer = (ms: number, fire: () => void) => {
    const t = { ms, fire, cancelled: false };
    timers.push(t);
    return () => (t.cancelled = true);
  };
  const s = setup({ password: () => false, setTimer, loginGraceMs: 30_000 });
  const auth = authenticate(s.pair.client, { username: 'alice', password: async () => 'x' });
  auth.catch(() => {});
  assert.equal(timers.length, 1);
  assert.equal(timers[0]?.ms, 30_000);
  await s.pair.client.ready;
  timers[0]?.fire();
  await assert.rejects(
    s.server,
    (e: unknown) => e instanceof AuthTimeout && /30 s/.test(e.message),
  );
  const err = await auth.catch((e: unknown) => e);
  assert.equal(peerReason(err), 11);
  assert.match((err as DisconnectedByPeer).description, /not completed within 30 s/);
});

test('login grace time on a real timer; cancelled by success', async () => {
  const idle = setup({ password: () => true, loginGraceMs: 100 });
  const started = Date.now();
  await assert.rejects(idle.server, AuthTimeout);
  assert.ok(Date.now() - started >= 90);

  let cancelled = false;
  const s = setup({
    password: () => true,
    setTimer: () => () => (cancelled = true),
  });
  await authenticate(s.pair.client, { username: 'alice', password: async () => 'x' });
  await s.server;
  assert.ok(cancelled);
  s.pair.client.disconnect();
});

test('failure delay: a refusal waits at least failureDelayMs; none does not', async () => {
  const s = setup({ password: () => false, failureDelayMs: 200 });
  await s.pair.client.ready;
  await s.pair.client.requestService('ssh-userauth');
  let t0 = performance.now();
  await send(s, noneRequest('alice'));
  assert.ok(performance.now() - t0 < 200, 'none was delayed');
  t0 = performance.now();
  const [r] = await send(s, passwordRequest('alice', 'wrong'));
  assert.ok(performance.now() - t0 >= 199, `answered after ${performance.now() - t0} ms`);
  assert.ok(r && decodeFailure(r).methods.includes('password'));
  s.pair.client.disconnect();
});

test('a service other than ssh-userauth is refused with SERVICE_NOT_AVAILABLE', async () => {
  const s = setup({ password: () => true });
  await s.pair.client.ready;
  const err = await s.pair.client.requestService('ssh-connection').catch((e: unknown) => e);
  assert.equal(peerReason(err), 7);
  await assert.rejects(s.server, ServiceNotAvailable);
});

test('a USERAUTH_REQUEST before the service request gets UNIMPLEMENTED, then all is normal', async () => {
  const s = setup({ password: (_u, pw) => pw === 'right' });
  await s.pair.client.ready;
  const debug: string[] = [];
  s.pair.client.onDebug = (m) => debug.push(m);
  const seq = s.pair.client.writer.seq;
  s.pair.client.send(passwordRequest('alice', 'right'));
  await waitFor(() => debug.length > 0, 'UNIMPLEMENTED');
  assert.deepEqual(debug, [`peer answered UNIMPLEMENTED for packet ${seq}`]);
  assert.deepEqual(s.pair.clientMessages, []);
  await authenticate(s.pair.client, { username: 'alice', password: async () => 'right' });
  assert.equal((await s.server).method, 'password');
  s.pair.client.disconnect();
});

test('connection-layer messages before success get UNIMPLEMENTED', async () => {
  const s = setup({ password: () => true });
  await s.pair.client.ready;
  await s.pair.client.requestService('ssh-userauth');
  const debug: string[] = [];
  s.pair.client.onDebug = (m) => debug.push(m);
  s.pair.client.send(Uint8Array.of(Msg.GLOBAL_REQUEST, 0, 0, 0, 0, 0));
  await waitFor(() => debug.length > 0, 'UNIMPLEMENTED');
  assert.match(debug[0] ?? '', /UNIMPLEMENTED/);
  s.pair.client.disconnect();
});

test('floods: requests pipelined past the queue, or 1024 messages, end the connection', async () => {
  const slow = setup({
    password: () => new Promise<boolean>((r) => setTimeout(() => r(false), 50)),
    maxAuthTries: 100,
  });
  await slow.pair.client.ready;
  await slow.pair.client.requestService('ssh-userauth');
  for (let i = 0; i < 40; i++) slow.pair.client.send(passwordRequest('alice', `p${i}`));
  await assert.rejects(slow.server, /in flight/);
  assert.equal(peerReason(await slow.pair.clientClosed), 2);

  const many = setup({ password: () => false });
  await many.pair.client.ready;
  await many.pair.client.requestService('ssh-userauth');
  const junk = Uint8Array.of(Msg.CHANNEL_OPEN);
  for (let i = 0; i < 1100 && !many.pair.client.isClosed; i++) {
    many.pair.client.send(junk);
    if (i % 16 === 0) await new Promise((r) => setImmediate(r));
  }
  await assert.rejects(many.server, TooManyAuthFailures);
  assert.equal(peerReason(await many.pair.clientClosed), 14);
});

test('the client leaving mid-way rejects the server, and an open prompt', async () => {
  let promptError: unknown = null;
  const s = setup({
    keyboardInteractive: async (_u, c) => {
      try {
        await c.prompt({ prompts: [{ prompt: 'Code: ', echo: false }] });
      } catch (e) {
        promptError = e;
      }
      return false;
    },
  });
  await s.pair.client.ready;
  await s.pair.client.requestService('ssh-userauth');
  const [q] = await send(s, kbdInteractiveRequest('alice'));
  assert.equal(q?.[0], Msg.USERAUTH_INFO_REQUEST);
  s.pair.client.disconnect();
  await assert.rejects(s.server, DisconnectedByPeer);
  await waitFor(() => promptError !== null, 'the prompt to reject');
  assert.ok(promptError instanceof DisconnectedByPeer);

  const t = setup({ password: () => true });
  await t.pair.client.ready;
  t.pair.server.handleEof();
  await assert.rejects(t.server, ConnectionLost);
});
