/**
 * Bulk data through a fake `cat` over an in-memory connection pair: 64 MiB each way with
 * sha256 equal; a slow consumer that pushes back on the server without memory growing past
 * the window; and a server that sends data, EOF, exit-status and CLOSE in one burst to a
 * paused consumer, which must still get every byte before `closed` resolves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connectionPair, sleep, until } from '../../support/connection-pair.js';
import { digest, patternChunk, serveCat, serveRecorder } from '../../support/session-servers.js';
import { DEFAULT_WINDOW, type Session } from '../../../core/connection/index.js';

const MiB = 1024 * 1024;

/** Writes `total` bytes of pattern to stdin in 1 MiB chunks, honouring backpressure. */
async function feed(session: Session, total: number): Promise<string> {
  const h = createHash('sha256');
  for (let off = 0, seed = 1; off < total; off += MiB, seed++) {
    const chunk = patternChunk(seed, Math.min(MiB, total - off));
    h.update(chunk);
    if (!session.stdin.write(chunk)) {
      await new Promise<void>((r) => session.stdin.once('drain', () => r()));
    }
  }
  session.stdin.end();
  return h.digest('hex');
}

test('exec cat: 64 MiB each direction arrives intact (sha256), then exit 0 and close', async () => {
  const { client, server, pair } = await connectionPair();
  const stats = serveCat(server);
  const session = await client.openSession();
  await session.exec('cat');
  const total = 64 * MiB;
  const t0 = process.hrtime.bigint();
  const [sent, got] = await Promise.all([feed(session, total), digest(session.stdout)]);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(got.length, total);
  assert.equal(got.sha256, sent);
  assert.equal(stats[0]?.received, total);
  assert.equal(stats[0]?.sha256, sent);
  assert.deepEqual(await session.exit, { code: 0 });
  session.stderr.resume();
  await session.closed;
  const mbps = (total / 1e6 / ms) * 1000;
  console.log(
    `# in-memory cat: 64 MiB each way in ${ms.toFixed(0)} ms = ${mbps.toFixed(0)} MB/s per direction`,
  );
  await until(() => server.channelCount === 0 && client.channelCount === 0, 'channels freed');
  pair.client.disconnect();
});

test('a paused consumer stops the server at the window; every byte still arrives', async () => {
  const { client, server, pair } = await connectionPair();
  const total = 16 * MiB;
  let written = 0;
  let serverBlocked = false;
  const { sessions } = serveRecorder(server, (s) => {
    void (async () => {
      for (let seed = 1; written < total; seed++) {
        const chunk = patternChunk(seed, 256 * 1024);
        written += chunk.length;
        if (!s.stdout.write(chunk)) {
          serverBlocked = s.channel.remoteWindow.size === 0;
          await new Promise<void>((r) => s.stdout.once('drain', () => r()));
        }
      }
      await s.finish({ code: 0 });
    })();
  });
  const session = await client.openSession();
  const h = createHash('sha256');
  let received = 0;
  let maxBuffered = 0;
  session.stdout.on('data', (d: Buffer) => {
    received += d.length;
    h.update(d);
  });
  session.stdout.pause();
  session.stderr.resume();
  await session.exec('x');
  // Paused: the server fills our window and then has to wait.
  await until(() => session.channel.incoming.bufferedBytes >= DEFAULT_WINDOW, 'window filled');
  await sleep(200);
  const ss = sessions[0];
  assert.ok(ss);
  assert.equal(received, 0);
  assert.equal(
    session.channel.incoming.bufferedBytes,
    DEFAULT_WINDOW,
    'buffered = window, no more',
  );
  assert.equal(session.channel.localWindow.size, 0);
  assert.equal(ss.channel.remoteWindow.size, 0, 'server has no credit left');
  assert.ok(written < total, 'server could not push everything');
  // Slow consumer: resume in short bursts, checking the bound all along.
  const sampler = setInterval(() => {
    maxBuffered = Math.max(maxBuffered, session.channel.incoming.bufferedBytes);
  }, 1);
  let ended = false;
  session.stdout.once('end', () => (ended = true));
  while (received < total && !ended) {
    session.stdout.resume();
    await sleep(2);
    session.stdout.pause();
    await sleep(3);
    maxBuffered = Math.max(maxBuffered, session.channel.incoming.bufferedBytes);
  }
  session.stdout.resume();
  clearInterval(sampler);
  await session.closed;
  assert.ok(serverBlocked, 'the server saw write() return false with a zero window');
  assert.ok(maxBuffered <= DEFAULT_WINDOW, `buffered ${maxBuffered} > window`);
  assert.equal(received, total);
  let expect = createHash('sha256');
  for (let seed = 1, n = 0; n < total; seed++, n += 256 * 1024)
    expect = expect.update(patternChunk(seed, 256 * 1024));
  assert.equal(h.digest('hex'), expect.digest('hex'));
  pair.client.disconnect();
});

test('data, EOF, exit-status and CLOSE in one burst to a paused consumer: no byte lost (20 runs)', async () => {
  const { client, server, pair } = await connectionPair();
  const sizes: number[] = [];
  serveRecorder(server, (s, command) => {
    const n = Number(command);
    // Everything below happens in this one turn of the event loop: data that fills at most
    // the window (stdout + 4 bytes of stderr), then (after the writables' final callbacks)
    // EOF, exit-status, CLOSE.
    let seed = 1;
    for (let off = 0; off < n; off += 64 * 1024) {
      s.stdout.write(patternChunk(seed++, Math.min(64 * 1024, n - off)));
    }
    s.stderr.write('bye\n');
    void s.finish({ code: 7 });
  });
  for (let run = 0; run < 20; run++) {
    const n =
      [1, 1000, 32 * 1024, 100_000, 512 * 1024, DEFAULT_WINDOW - 100, DEFAULT_WINDOW - 4][
        run % 7
      ] ?? 1;
    sizes.push(n);
    const session = await client.openSession();
    let out = 0;
    let err = '';
    const h = createHash('sha256');
    session.stdout.on('data', (d: Buffer) => {
      out += d.length;
      h.update(d);
    });
    session.stderr.on('data', (d: Buffer) => (err += d.toString()));
    session.stdout.pause();
    session.stderr.pause();
    let closedAt = -1;
    const closed = session.closed.then(() => (closedAt = out));
    await session.exec(String(n));
    assert.deepEqual(await session.exit, { code: 7 });
    // The peer's CLOSE has arrived (exit-status came right before it): nothing reported yet.
    await until(() => session.channel.eofFromPeer && !session.channel.isOpen, 'peer closed');
    await sleep(5);
    assert.equal(closedAt, -1, 'closed must wait for the paused consumer');
    assert.equal(out, 0);
    session.stdout.resume();
    session.stderr.resume();
    await closed;
    assert.equal(closedAt, n, `run ${run}: every byte before closed`);
    assert.equal(err, 'bye\n');
    let expect = createHash('sha256');
    let seed = 1;
    for (let off = 0; off < n; off += 64 * 1024)
      expect = expect.update(patternChunk(seed++, Math.min(64 * 1024, n - off)));
    assert.equal(h.digest('hex'), expect.digest('hex'));
  }
  await until(() => server.channelCount === 0 && client.channelCount === 0, 'channels freed');
  pair.client.disconnect();
});
