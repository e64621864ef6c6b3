/**
 * ChannelDuplex (core/connection/channel-duplex.ts) over an in-memory connection pair: bytes
 * both ways intact, half-close in each direction with the other still working, CLOSE once both
 * directions are done, backpressure (a consumer that does not read stops the sender inside one
 * window), destroy() closing the channel, and the connection's end failing the stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { connectionPair, until } from '../../support/connection-pair.js';
import { ChannelDuplex } from '../../../core/connection/channel-duplex.js';
import type { Connection } from '../../../core/connection/index.js';

/** Accepts every channel on `server` as a ChannelDuplex handed to `use`. */
function serveDuplex(server: Connection, use: (d: ChannelDuplex) => void): void {
  server.onChannelOpen = (_type, _extra, answer) => use(new ChannelDuplex(answer.accept()));
}

function collect(s: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    s.on('data', (c: Buffer) => parts.push(c));
    s.once('end', () => resolve(Buffer.concat(parts)));
    s.once('error', reject);
  });
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('bytes cross both ways; EOF from one side leaves the other direction working', async () => {
  const { client, server } = await connectionPair();
  let far: ChannelDuplex | null = null;
  serveDuplex(server, (d) => (far = d));
  const near = new ChannelDuplex(await client.openChannel('direct-tcpip'));
  await until(() => far !== null, 'server side');
  const f = far as unknown as ChannelDuplex;
  const big = Buffer.alloc(5_000_000, 7).map((_, i) => i % 251);
  const atFar = collect(f);
  near.end(big); // our EOF after 5 MB
  assert.equal(sha(await atFar), sha(big));
  // the far side still writes after our EOF, and its end reaches us
  const atNear = collect(near);
  f.end('reply after half-close');
  assert.equal((await atNear).toString(), 'reply after half-close');
  // both directions done: CLOSE both ways, the channel is finished and freed
  assert.equal(await near.channel.ended, null);
  await until(() => client.channelCount === 0 && server.channelCount === 0, 'channels freed');
  await until(() => near.destroyed && f.destroyed, 'streams destroyed');
});

test('a consumer that stops reading stops the sender within the window', async () => {
  const { client, server } = await connectionPair({ server: { windowSize: 64 * 1024 } });
  let far: ChannelDuplex | null = null;
  serveDuplex(server, (d) => (far = d));
  const near = new ChannelDuplex(await client.openChannel('direct-tcpip'));
  await until(() => far !== null, 'server side');
  const f = far as unknown as ChannelDuplex;
  f.pause();
  let written = 0;
  let blocked = false;
  const chunk = Buffer.alloc(16 * 1024, 1);
  const pump = (): void => {
    while (written < 8 * 1024 * 1024) {
      written += chunk.length;
      if (!near.write(chunk)) {
        blocked = true;
        near.once('drain', pump);
        return;
      }
    }
  };
  pump();
  await until(() => blocked && near.channel.remoteWindow.size === 0, 'window exhausted');
  // a WINDOW_ADJUST for what the far side took before it paused may still be on its way:
  // let it land, and the writer use it, before the window must stay shut
  await new Promise((r) => setTimeout(r, 50));
  await until(() => near.channel.remoteWindow.size === 0, 'window exhausted again');
  const stuck = written;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(written, stuck, 'the writer kept going while the reader was paused');
  // held: one window on the far side at most, plus the near side's stream buffers
  assert.ok(near.writableLength <= 64 * 1024, `near buffered ${near.writableLength}`);
  let got = 0;
  f.on('data', (c: Buffer) => (got += c.length));
  f.resume();
  await until(() => written >= 8 * 1024 * 1024, 'writer finished');
  near.end();
  await new Promise((r) => f.once('end', r));
  assert.equal(got, written);
});

test('destroy() closes the channel; the connection ending fails the stream', async () => {
  const { client, server, pair } = await connectionPair();
  const fars: ChannelDuplex[] = [];
  serveDuplex(server, (d) => fars.push(d.resume().on('error', () => {})));
  const a = new ChannelDuplex(await client.openChannel('direct-tcpip'));
  a.destroy();
  assert.equal(await a.channel.ended, null);
  await until(() => fars[0]?.destroyed === true, 'far side closed by our CLOSE');

  const b = new ChannelDuplex(await client.openChannel('direct-tcpip'));
  const failed = new Promise<Error>((resolve) => b.once('error', resolve));
  pair.server.disconnect();
  const e = await failed;
  assert.equal((e as { code?: string }).code, 'DISCONNECTED_BY_PEER');
  assert.equal(b.destroyed, true);
});
