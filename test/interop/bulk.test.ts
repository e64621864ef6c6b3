/**
 * Bulk data through OpenSSH's sshd: 256 MiB through `cat` in both directions at once with
 * sha256 compared, again with a consumer that keeps pausing (flow control must hold the
 * server back, and nothing may be lost when the close overtakes queued data), and again
 * across rekeys the server forces every megabyte (RekeyLimit 1M).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenSsh, type ServerOptions } from './harness/index.js';
import { connect } from '../../core/client/connect.js';

const TOTAL = 256 * 1024 * 1024;
const CHUNK = 1024 * 1024;

async function catThrough(
  server: Awaited<ReturnType<typeof startOpenSsh>>,
  key: string,
  pauseEvery: number,
) {
  const c = await connect({
    host: '127.0.0.1',
    port: server.port,
    username: 'root',
    verifyHostKey: () => true,
    identityFiles: [key],
    agentPath: null,
  });
  let rekeys = 0;
  const prev = c.transport.onKexComplete;
  c.transport.onKexComplete = (i) => {
    if (i.reason !== 'initial') rekeys++;
    prev(i);
  };
  const s = await c.openSession();
  await s.exec('cat');
  const sent = createHash('sha256');
  const got = createHash('sha256');
  let received = 0;
  let nextPause = pauseEvery;
  s.stdout.on('data', (d: Buffer) => {
    got.update(d);
    received += d.length;
    if (pauseEvery > 0 && received >= nextPause) {
      nextPause += pauseEvery;
      s.stdout.pause();
      setTimeout(() => s.stdout.resume(), 30);
    }
  });
  const block = Buffer.alloc(CHUNK);
  const t0 = Date.now();
  for (let off = 0; off < TOTAL; off += CHUNK) {
    block.writeUInt32BE(off / CHUNK, 0); // every megabyte differs
    block.fill(off & 0xff, 4, 4096);
    sent.update(block);
    if (!s.stdin.write(Buffer.from(block))) await new Promise((r) => s.stdin.once('drain', r));
  }
  s.stdin.end();
  const exit = await s.exit;
  await s.closed;
  const seconds = (Date.now() - t0) / 1000;
  c.close();
  return { exit, received, same: sent.digest('hex') === got.digest('hex'), rekeys, seconds };
}

function setup(opts: ServerOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-bulk-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
  const line = readFileSync(join(dir, 'id.pub'), 'utf8').trim();
  return {
    dir,
    key: join(dir, 'id'),
    start: () => startOpenSsh({ ...opts, authorizedKeys: [line] }),
  };
}

for (const [name, opts, pauseEvery] of [
  ['256 MiB through cat both ways, intact', {}, 0],
  ['256 MiB with a consumer that keeps pausing, intact', {}, 8 * 1024 * 1024],
  ['256 MiB across a rekey every megabyte (RekeyLimit 1M), intact', { rekeyLimit: '1M' }, 0],
] as const) {
  test(name, async (t) => {
    const env = setup(opts);
    const server = await env.start();
    try {
      const r = await catThrough(server, env.key, pauseEvery);
      t.diagnostic(
        `${(TOTAL / 1024 / 1024 / r.seconds).toFixed(0)} MiB/s each way, ${r.rekeys} rekeys`,
      );
      assert.deepEqual(r.exit, { code: 0 });
      assert.equal(r.received, TOTAL);
      assert.ok(r.same, 'sha256 differs');
      if ('rekeyLimit' in opts) assert.ok(r.rekeys >= 100, `only ${r.rekeys} rekeys`);
    } finally {
      await server.stop();
      rmSync(env.dir, { recursive: true, force: true });
    }
  });
}
