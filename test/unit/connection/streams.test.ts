/**
 * Channel streams at the edges: the peer's small window and maximum packet are respected
 * (the peer would call anything else a protocol error), a consumer that destroys its stream
 * does not leave the peer blocked, a raw burst of DATA, EOF, exit-status and CLOSE still
 * reaches a paused consumer in full, the Connection leaves non-connection messages
 * (user auth, 50–79) to the handler installed before it, and corked writes share packets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connectionPair, sleep, until } from '../../support/connection-pair.js';
import { digest, patternChunk, serveRecorder } from '../../support/session-servers.js';
import { Connection } from '../../../core/connection/index.js';
import { ChannelWritable } from '../../../core/connection/streams.js';
import { Window } from '../../../core/connection/window.js';
import {
  encodeChannelOnly,
  encodeChannelRequest,
  encodeData,
  encodeGlobalRequest,
} from '../../../core/connection/messages.js';
import { Msg } from '../../../core/wire/messages.js';

test("stdin honours the peer's small window and maximum packet", async () => {
  const { client, server, pair } = await connectionPair({
    server: { windowSize: 3000, maxPacket: 1000 },
  });
  let got: Promise<{ length: number; sha256: string }> = Promise.resolve({ length: 0, sha256: '' });
  serveRecorder(server, (s) => {
    got = digest(s.stdin);
    s.stdin.on('end', () => void s.finish({ code: 0 }));
  });
  const session = await client.openSession();
  session.stdout.resume();
  session.stderr.resume();
  await session.exec('sink');
  assert.equal(session.channel.maxChunk, 1000);
  const data = patternChunk(9, 200_000);
  session.stdin.end(data);
  assert.deepEqual(await session.exit, { code: 0 });
  const r = await got;
  assert.equal(r.length, data.length);
  assert.equal(r.sha256, createHash('sha256').update(data).digest('hex'));
  pair.client.disconnect();
});

test('a consumer that destroys stdout does not block the peer; the session still ends', async () => {
  const { client, server, pair } = await connectionPair();
  serveRecorder(server, (s) => {
    void (async () => {
      for (let i = 0; i < 64; i++) {
        if (!s.stdout.write(patternChunk(i, 128 * 1024))) {
          await new Promise<void>((r) => s.stdout.once('drain', () => r()));
        }
      }
      await s.finish({ code: 0 });
    })();
  });
  const session = await client.openSession();
  session.stderr.resume();
  let seen = 0;
  session.stdout.on('data', (d: Buffer) => {
    seen += d.length;
    if (seen > 1024 * 1024) session.stdout.destroy();
  });
  await session.exec('flood');
  assert.deepEqual(await session.exit, { code: 0 }, '8 MiB went through a 2 MiB window');
  await session.closed;
  pair.client.disconnect();
});

test('a raw burst (DATA…, EOF, exit-status, CLOSE in one write) to a paused consumer loses nothing', async () => {
  const { client, server, pair } = await connectionPair();
  serveRecorder(server);
  const session = await client.openSession();
  session.stdout.pause();
  const out: Buffer[] = [];
  session.stdout.on('data', (d: Buffer) => out.push(d));
  session.stderr.resume();
  await until(() => server.channelCount === 1, 'server side open');
  const id = session.channel.localId;
  const sent = patternChunk(5, 40 * 32 * 1024);
  for (let off = 0; off < sent.length; off += 32 * 1024) {
    pair.server.send(encodeData(id, sent.subarray(off, off + 32 * 1024)));
  }
  pair.server.send(encodeChannelOnly(Msg.CHANNEL_EOF, id));
  pair.server.send(encodeChannelRequest(id, 'exit-status', false, Uint8Array.of(0, 0, 0, 42)));
  pair.server.send(encodeChannelOnly(Msg.CHANNEL_CLOSE, id));
  assert.deepEqual(await session.exit, { code: 42 });
  let closed = false;
  void session.closed.then(() => (closed = true));
  await sleep(20);
  assert.equal(closed, false, 'not closed while bytes wait for the consumer');
  session.stdout.resume();
  await session.closed;
  assert.ok(Buffer.concat(out).equals(sent));
  pair.client.disconnect();
});

test('messages outside 80–127 go to the previous handler; `pending` ones are handled first', async () => {
  const { pair, server } = await connectionPair();
  // A fresh client Connection on the server's peer, as if auth had just finished: the auth
  // layer's handler is still installed and held back a global request that came with SUCCESS.
  const authSaw: number[] = [];
  pair.client.onMessage = (p) => authSaw.push(p[0] ?? 0);
  const early = encodeGlobalRequest('early@example.com', false, new Uint8Array(0));
  const client = new Connection(pair.client, { role: 'client', pending: [early] });
  const seen: string[] = [];
  client.onGlobalRequest = (name) => seen.push(name); // installed after construction: still in time
  pair.server.send(Uint8Array.of(Msg.USERAUTH_BANNER, 0, 0, 0, 0, 0, 0, 0, 0));
  pair.server.send(encodeGlobalRequest('late@example.com', false, new Uint8Array(0)));
  await until(() => seen.length === 2, 'both requests');
  assert.deepEqual(seen, ['early@example.com', 'late@example.com']);
  assert.deepEqual(authSaw, [Msg.USERAUTH_BANNER]);
  assert.equal(server.channelCount, 0);
  pair.client.disconnect();
});

test('corked writes are packed into full packets as views of the chunks, across a window wait', async () => {
  const window = new Window(2500);
  const packets: Uint8Array[][] = [];
  let finished = false;
  const stream = new ChannelWritable({
    window,
    maxChunk: () => 1000,
    canSend: () => true,
    send: (data) => packets.push([...data]),
    finished: () => (finished = true),
  });
  const chunks = [
    patternChunk(1, 30),
    patternChunk(2, 700),
    patternChunk(3, 5),
    patternChunk(4, 2600),
    patternChunk(5, 1),
  ];
  stream.cork();
  for (const c of chunks) stream.write(c);
  stream.uncork();
  // 2,500 bytes of window: two full packets and a 500-byte one, then a wait
  await until(() => packets.length === 3, 'the first window is used up');
  assert.deepEqual(
    packets.map((p) => p.reduce((n, v) => n + v.length, 0)),
    [1000, 1000, 500],
  );
  assert.deepEqual(
    packets[0]?.map((v) => v.length),
    [30, 700, 5, 265],
    'the first packet spans four chunks',
  );
  window.add(10_000);
  const ended = new Promise<void>((r) => stream.end(r));
  await ended;
  assert.equal(finished, true);
  const sizes = packets.map((p) => p.reduce((n, v) => n + v.length, 0));
  assert.deepEqual(sizes, [1000, 1000, 500, 836]);
  const sent = Buffer.concat(packets.flat());
  assert.deepEqual(sent, Buffer.concat(chunks));
  // views, not copies: every part aliases the memory of the chunk it came from
  const buffers = new Set(chunks.map((c) => c.buffer));
  for (const part of packets.flat()) assert.ok(buffers.has(part.buffer));
});
