/**
 * The flow-control Window (CONVENTIONS §7) on its own, then WINDOW_ADJUST timing on a real
 * channel: credit returns to the peer when the consumer takes data, not when it arrives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionPair, sleep, until } from '../../support/connection-pair.js';
import { serveRecorder } from '../../support/session-servers.js';
import { MAX_WINDOW, Window } from '../../../core/connection/index.js';
import { ProtocolError } from '../../../core/errors.js';

test('add() grows the window and rejects overflow past 2^32-1 with a ProtocolError', () => {
  const w = new Window(10);
  w.add(5);
  assert.equal(w.size, 15);
  assert.throws(() => w.add(MAX_WINDOW - 14), ProtocolError);
  assert.equal(w.size, 15, 'a rejected adjust changes nothing');
  w.add(MAX_WINDOW - 15);
  assert.equal(w.size, MAX_WINDOW);
  assert.throws(() => w.add(1), ProtocolError);
  assert.throws(() => new Window(-1), RangeError);
  assert.throws(() => new Window(MAX_WINDOW + 1), RangeError);
  assert.throws(() => w.add(1.5), RangeError);
});

test('consume() takes credit; more than the credit is a ProtocolError', () => {
  const w = new Window(100);
  w.consume(60);
  assert.equal(w.size, 40);
  assert.throws(
    () => w.consume(41),
    (e: unknown) => e instanceof ProtocolError && /40 bytes/.test(e.message),
  );
  w.consume(40);
  assert.equal(w.size, 0);
  assert.throws(() => w.consume(1), ProtocolError);
});

test('reserve() waits for a non-zero window, serves waiters in order, and close() wakes them with 0', async () => {
  const w = new Window(0);
  assert.equal(w.tryReserve(10), 0);
  const got: string[] = [];
  const a = w.reserve(10).then((n) => got.push(`a${n}`));
  const b = w.reserve(10).then((n) => got.push(`b${n}`));
  await sleep(1);
  assert.deepEqual(got, []);
  w.add(15);
  await Promise.all([a, b]);
  assert.deepEqual(got, ['a10', 'b5']);
  assert.equal(w.size, 0);
  const c = w.reserve(4);
  w.add(3);
  assert.equal(await c, 3, 'a waiter takes what there is, up to its max');
  const d = w.reserve(8);
  w.close();
  assert.equal(await d, 0);
  assert.equal(await w.reserve(8), 0);
  w.add(100);
  assert.equal(w.tryReserve(8), 0, 'a closed window grants nothing');
});

test('tryReserve() does not jump the queue of waiting writers', async () => {
  const w = new Window(0);
  const first = w.reserve(5);
  w.add(5);
  assert.equal(w.tryReserve(5), 0);
  assert.equal(await first, 5);
});

test('WINDOW_ADJUST is sent when the consumer takes data, not when it arrives', async () => {
  const window = 256 * 1024;
  const { client, server, pair } = await connectionPair();
  const { sessions } = serveRecorder(server, (s) => {
    s.stdout.write(Buffer.alloc(window, 1)); // exactly the client's window
  });
  const session = await client.openSession({ window });
  session.stdout.pause();
  await session.exec('x');
  await until(() => session.channel.localWindow.size === 0, 'client window used up');
  const ss = sessions[0];
  assert.ok(ss);
  await sleep(50);
  assert.equal(ss.channel.remoteWindow.size, 0, 'no adjust while the consumer is paused');
  assert.equal(session.channel.incoming.bufferedBytes, window);
  // Read half, chunk by chunk: credit comes back, never more than was consumed.
  let got = 0;
  while (got < window / 2) got += (session.stdout.read() as Buffer).length;
  await until(() => ss.channel.remoteWindow.size > 0, 'adjust after consumption');
  assert.ok(ss.channel.remoteWindow.size >= window / 4, 'at least the threshold returned');
  assert.ok(ss.channel.remoteWindow.size <= got, 'never more credit than bytes consumed');
  session.stdout.on('data', (d: Buffer) => (got += d.length));
  session.stdout.resume();
  await until(() => got === window, 'the rest read');
  await until(() => ss.channel.remoteWindow.size === window, 'all credit returned');
  assert.equal(session.channel.localWindow.size, window);
  pair.client.disconnect();
});
