/**
 * Reconnect (core/client/reconnect.ts) with stand-in connections: the backoff's doubling, cap
 * and jitter; retries after a loss until a connection is up again, with every step reported
 * and the hook run on each new connection; giving up on an error retrying cannot fix, or after
 * maxAttempts; no retry after a local close; stop() cancelling a pending attempt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SshClient } from '../../../core/client/connect.js';
import {
  backoffDelay,
  isRetryable,
  ReconnectingClient,
  type ReconnectEvent,
} from '../../../core/client/reconnect.js';
import { JumpHostError } from '../../../core/client/route-errors.js';
import { ConnectionLost, HostKeyRejected, SshError, TimeoutError } from '../../../core/errors.js';

interface Fake {
  client: SshClient;
  die(e: SshError | null): void;
  closedByUs: () => boolean;
}

function fakeClient(): Fake {
  let settle: (e: SshError | null) => void = () => {};
  const closed = new Promise<SshError | null>((r) => (settle = r));
  let byUs = false;
  const client = {
    closed,
    close: () => {
      byUs = true;
      settle(null);
    },
  } as unknown as SshClient;
  return { client, die: settle, closedByUs: () => byUs };
}

/** A connect() whose results are scripted: a Fake to succeed, an error to fail. */
function scripted(results: (Fake | Error)[]) {
  let calls = 0;
  return {
    calls: () => calls,
    connect: async (): Promise<SshClient> => {
      const r = results[calls++];
      if (r === undefined) throw new Error('no more scripted results');
      if (r instanceof Error) throw r;
      return r.client;
    },
  };
}

const fast = { initialDelayMs: 1, maxDelayMs: 4, random: () => 0 };

test('backoff doubles from the initial delay up to the cap, jitter only shortens it', () => {
  const o = { initialDelayMs: 1000, maxDelayMs: 10_000, jitter: 0.5 };
  const none = () => 0;
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 100].map((n) => backoffDelay(n, o, none)),
    [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000],
  );
  assert.equal(
    backoffDelay(2, o, () => 0.999),
    1001,
  );
  assert.equal(
    backoffDelay(1, {}, () => 0),
    1000,
  ); // defaults: 1 s …
  assert.equal(
    backoffDelay(30, {}, () => 0),
    60_000,
  ); // … up to a minute
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(3, o);
    assert.ok(d >= 2000 && d <= 4000, String(d)); // rounded: 2000.4 is 2000
  }
});

test('which errors are worth another try', () => {
  assert.equal(isRetryable(new ConnectionLost('reset')), true);
  assert.equal(isRetryable(new TimeoutError('slow')), true);
  assert.equal(isRetryable(new HostKeyRejected('changed')), false);
  assert.equal(isRetryable(new SshError('?')), false);
  const hop = { host: 'j', port: 22, user: 'u' };
  assert.equal(isRetryable(new JumpHostError('connect', 1, hop, new ConnectionLost('x'))), true);
  assert.equal(isRetryable(new JumpHostError('connect', 1, hop, new HostKeyRejected('x'))), false);
  assert.equal(isRetryable(new JumpHostError('lost', 1, hop, new SshError('x'))), true);
});

test('after a loss it retries with backoff until up again, reporting each step', async () => {
  const first = fakeClient();
  const second = fakeClient();
  const s = scripted([
    first,
    new ConnectionLost('connect to host h port 22: Connection refused'),
    new TimeoutError('timed out'),
    second,
  ]);
  const events: ReconnectEvent[] = [];
  const hooked: [SshClient, number][] = [];
  const r = new ReconnectingClient({
    ...fast,
    connect: s.connect,
    onConnect: (c, attempt) => void hooked.push([c, attempt]),
    onEvent: (e) => events.push(e),
  });
  assert.equal(await r.start(), first.client);
  assert.equal(r.current, first.client);
  first.die(new ConnectionLost('connection closed by peer'));
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (r.current === second.client) resolve(clearInterval(check));
    }, 1);
  });
  assert.deepEqual(
    events.map((e) => [e.kind, 'attempt' in e ? e.attempt : null]),
    [
      ['connected', 0],
      ['lost', null],
      ['retrying', 1],
      ['retrying', 2],
      ['retrying', 3],
      ['connected', 3],
    ],
  );
  const retrying = events.filter((e) => e.kind === 'retrying');
  assert.deepEqual(
    retrying.map((e) => e.delayMs),
    [1, 2, 4],
  );
  assert.match(String((retrying[1] as { error: Error }).error.message), /Connection refused/);
  assert.deepEqual(hooked, [
    [first.client, 0],
    [second.client, 3],
  ]);
  r.stop();
  assert.equal(second.closedByUs(), true);
  assert.equal(await r.done, null);
});

test('an error retrying cannot fix ends it: gave-up, and done has the error', async () => {
  const first = fakeClient();
  const changed = new HostKeyRejected('host key changed');
  const s = scripted([first, changed]);
  const events: string[] = [];
  const r = new ReconnectingClient({
    ...fast,
    connect: s.connect,
    onEvent: (e) => events.push(e.kind),
  });
  await r.start();
  first.die(new ConnectionLost('gone'));
  assert.equal(await r.done, changed);
  assert.deepEqual(events, ['connected', 'lost', 'retrying', 'gave-up']);
  assert.equal(s.calls(), 2);
});

test('maxAttempts bounds the retries of one outage', async () => {
  const first = fakeClient();
  const refused = () => new ConnectionLost('refused');
  const s = scripted([first, refused(), refused(), refused()]);
  const r = new ReconnectingClient({ ...fast, maxAttempts: 2, connect: s.connect });
  await r.start();
  first.die(new ConnectionLost('gone'));
  const e = await r.done;
  assert.ok(e instanceof ConnectionLost);
  assert.equal(s.calls(), 3); // the first connection and two attempts
});

test('a local close is not a loss; stop() cancels a pending attempt; a first failure rejects', async () => {
  const a = fakeClient();
  const r1 = new ReconnectingClient({ ...fast, connect: scripted([a]).connect });
  await r1.start();
  a.client.close();
  assert.equal(await r1.done, null);

  const b = fakeClient();
  const s = scripted([b, fakeClient()]);
  const events: string[] = [];
  const r2 = new ReconnectingClient({
    initialDelayMs: 60_000,
    connect: s.connect,
    onEvent: (e) => {
      events.push(e.kind);
      if (e.kind === 'retrying') r2.stop();
    },
  });
  await r2.start();
  b.die(new ConnectionLost('gone'));
  assert.equal(await r2.done, null);
  assert.deepEqual(events, ['connected', 'lost', 'retrying']);
  assert.equal(s.calls(), 1);

  const refused = new ConnectionLost('refused');
  const r3 = new ReconnectingClient({ ...fast, connect: scripted([refused]).connect });
  await assert.rejects(r3.start(), refused);
  assert.equal(await r3.done, refused);
});
