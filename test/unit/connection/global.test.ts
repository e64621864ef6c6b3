/**
 * Global requests (RFC 4254 §4) and keepalive: keepalive@openssh.com from the peer is
 * answered with REQUEST_FAILURE, hostkeys-00@openssh.com is ignored without a reply, replies
 * match requests in order even when answered out of order; a peer that stops answering is
 * detected after interval × count (count − 1 unanswered probes), and one that answers keeps the connection up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionPair, sleep, until } from '../../support/connection-pair.js';
import {
  bodyReader,
  decodeGlobalRequest,
  encodeGlobalRequest,
} from '../../../core/connection/messages.js';
import { ConnectionLost, KeepaliveTimeout } from '../../../core/errors.js';
import { Msg } from '../../../core/wire/messages.js';

test('keepalive@openssh.com and unknown requests from the peer get REQUEST_FAILURE', async () => {
  const { client, server, pair } = await connectionPair();
  let asked = 0;
  client.onGlobalRequest = (_name, _data, answer) => (asked++, answer(false));
  assert.deepEqual(await server.globalRequest('keepalive@openssh.com'), { ok: false });
  assert.deepEqual(await server.globalRequest('no-such-thing@example.com'), { ok: false });
  assert.equal(asked, 1, 'keepalive is answered before the application handler');
  assert.equal(await server.globalRequest('fire-and-forget@example.com', undefined, false), null);
  pair.client.disconnect();
});

test('hostkeys-00@openssh.com is ignored without a reply; replies stay in request order', async () => {
  const { client, server, pair } = await connectionPair();
  const seen: Uint8Array[] = [];
  pair.client.onMessage = ((prev) => (p: Uint8Array, seq: number) => {
    if (p[0] === Msg.REQUEST_SUCCESS || p[0] === Msg.REQUEST_FAILURE) seen.push(p.slice());
    prev(p, seq);
  })(pair.client.onMessage);
  // The client answers "slow" after "fast": the wire order must still be slow, fast.
  let answerSlow: (ok: boolean, data?: Uint8Array) => void = () => {};
  server.onGlobalRequest = (name, _data, answer) => {
    if (name === 'slow@example.com') answerSlow = answer;
    else answer(true, Uint8Array.of(0, 0, 0x1f, 0x90));
  };
  pair.client.send(encodeGlobalRequest('hostkeys-00@openssh.com', false, new Uint8Array(40)));
  const slow = client.globalRequest('slow@example.com');
  const fast = client.globalRequest('fast@example.com');
  await sleep(20);
  answerSlow(false);
  assert.deepEqual(await slow, { ok: false });
  assert.deepEqual(await fast, { ok: true, data: Uint8Array.of(0, 0, 0x1f, 0x90) });
  // the server never replied to hostkeys-00: exactly two replies came back
  assert.deepEqual(
    seen.map((p) => p[0]),
    [Msg.REQUEST_FAILURE, Msg.REQUEST_SUCCESS],
  );
  pair.client.disconnect();
});

test('keepalive: a peer that stops answering is detected after interval × count', async () => {
  let dead = false;
  const { client, pair } = await connectionPair({ tapServer: (b) => (dead ? null : b) });
  // the probes that reach the server (its answers are what the tap drops)
  let probes = 0;
  pair.server.onMessage = ((prev) => (p: Uint8Array, seq: number) => {
    const keepalive =
      p[0] === Msg.GLOBAL_REQUEST &&
      decodeGlobalRequest(bodyReader(p, 'a probe')).name === 'keepalive@openssh.com';
    if (keepalive) probes++;
    prev(p, seq);
  })(pair.server.onMessage);
  const interval = 100;
  const count = 3;
  dead = true; // from now on nothing from the server reaches the client
  const t0 = Date.now();
  client.startKeepalive(interval, count, 'example.com');
  const err = await pair.clientClosed;
  const elapsed = Date.now() - t0;
  assert.ok(err instanceof KeepaliveTimeout, `got ${String(err)}`);
  assert.ok(err instanceof ConnectionLost, 'a KeepaliveTimeout is a ConnectionLost');
  assert.equal(err.message, 'Timeout, server example.com not responding');
  assert.ok(elapsed >= interval * count - 5, `detected after ${elapsed} ms: too early`);
  // not a whole interval late, as OpenSSH's loop would be: the timeout is the tick after the
  // (count - 1)th unanswered probe (counted, so a loaded machine's late timers cannot fail it)
  assert.equal(probes, count - 1, 'unanswered probes before the timeout');
  assert.equal(pair.client.isClosed, true);
});

test('keepalive: a peer that answers keeps the connection up; probes only on silence', async () => {
  const { client, server, pair } = await connectionPair();
  let probes = 0;
  server.onGlobalRequest = (_n, _d, answer) => answer(false);
  pair.server.onMessage = ((prev) => (p: Uint8Array, seq: number) => {
    if (p[0] === Msg.GLOBAL_REQUEST) probes++;
    prev(p, seq);
  })(pair.server.onMessage);
  // intervals wide enough that a busy machine's timer delays do not decide the outcome
  client.startKeepalive(50, 5);
  await sleep(500);
  assert.equal(pair.client.isClosed, false);
  assert.ok(probes >= 4, `${probes} probes in 500 ms at a 50 ms interval`);
  // Traffic from the server counts as life: while it talks, (almost) no probes are needed.
  const before = probes;
  const chatter = setInterval(
    () => void server.globalRequest('tick@example.com', undefined, false),
    5,
  );
  await sleep(500);
  clearInterval(chatter);
  assert.ok(probes - before <= 2, `${probes - before} probes while the server was talking`);
  client.stopKeepalive();
  await sleep(60);
  const after = probes;
  await sleep(150);
  assert.equal(probes, after, 'stopped');
  pair.client.disconnect();
});

test('keepalive on the server role names the client; it stops when the connection ends', async () => {
  let dead = false;
  const { server, pair } = await connectionPair({ tapClient: (b) => (dead ? null : b) });
  dead = true;
  server.startKeepalive(15, 1);
  const err = await pair.serverClosed;
  assert.ok(err instanceof KeepaliveTimeout);
  assert.equal(err.message, 'Timeout, client not responding');
  await until(() => pair.server.isClosed, 'closed');
});
