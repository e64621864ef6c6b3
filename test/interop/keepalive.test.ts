/**
 * ServerAliveInterval / ServerAliveCountMax against OpenSSH: when the sshd process serving
 * our connection is frozen with SIGSTOP, Keyway notices within interval × count and closes
 * with a clear KeepaliveTimeout; while it is awake, keepalives keep the connection up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenSsh } from './harness/index.js';
import { connect } from '../../core/client/connect.js';
import { descendants, thaw } from '../support/processes.js';

test('a server stopped with SIGSTOP is detected within ServerAliveInterval × ServerAliveCountMax', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-keepalive-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
  const server = await startOpenSsh({
    authorizedKeys: [readFileSync(join(dir, 'id.pub'), 'utf8').trim()],
  });
  let frozen: number[] = [];
  try {
    const c = await connect({
      host: '127.0.0.1',
      port: server.port,
      username: 'root',
      verifyHostKey: () => true,
      identityFiles: [join(dir, 'id')],
      agentPath: null,
      keepalive: { intervalMs: 500, countMax: 3 },
    });
    // awake: two intervals of silence pass and the connection stays
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(c.transport.isClosed, false);
    frozen = descendants(server.pid);
    assert.ok(frozen.length > 0, 'no sshd child serving the connection');
    for (const p of frozen) process.kill(p, 'SIGSTOP');
    const t0 = Date.now();
    const err = await c.closed;
    const took = Date.now() - t0;
    assert.equal(err?.name, 'KeepaliveTimeout');
    assert.match(err?.message ?? '', /Timeout, server 127\.0\.0\.1 not responding/);
    assert.ok(took <= 500 * 3 + 1000, `took ${took} ms`);
  } finally {
    thaw(frozen);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
