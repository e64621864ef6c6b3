/**
 * Reconnect against a real server: `keyway sshd` is killed (SIGKILL, no goodbye) under an
 * established connection and started again on the same port with the same host keys; the
 * ReconnectingClient reports the loss and each failed attempt (connection refused while the
 * server is down), connects again, checks the host key again, and runs its hook on the new
 * connection, which then runs commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { tempDir } from '../support/temp-dir.js';
import { collect } from '../support/session-output.js';
import { waitFor } from '../support/wait.js';
import { connect, type SshClient } from '../../core/client/connect.js';
import { ReconnectingClient, type ReconnectEvent } from '../../core/client/reconnect.js';
import { localConnectOptions } from '../support/client-options.js';

async function run(client: SshClient, command: string): Promise<string> {
  const s = await client.openSession();
  await s.exec(command);
  return (await collect(s)).out.trim();
}

test('a killed and restarted sshd: reconnected with backoff, each attempt reported, hook rerun', async () => {
  const tmp = tempDir('reconnect');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', tmp.path('id')]);
  const pub = readFileSync(tmp.path('id.pub'), 'utf8').trim();
  const dataDir = tmp.path('sshd-data');
  let server: KeywaySshd | null = await startKeywaySshd({ authorizedKeys: [pub], dataDir });
  const port = server.port;
  writeFileSync(
    tmp.path('known_hosts'),
    execFileSync('ssh-keyscan', ['-p', String(port), '127.0.0.1'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const events: ReconnectEvent[] = [];
  const hooked: string[] = [];
  const r = new ReconnectingClient({
    initialDelayMs: 50,
    maxDelayMs: 400,
    connect: () =>
      connect(
        localConnectOptions({
          port,
          username: userInfo().username,
          identity: tmp.path('id'),
          knownHosts: tmp.path('known_hosts'),
        }),
      ),
    onConnect: async (c, attempt) => void hooked.push(`${attempt}:${await run(c, 'echo hook')}`),
    onEvent: (e) => events.push(e),
  });
  try {
    const first = await r.start();
    assert.equal(await run(first, 'echo before'), 'before');
    process.kill(server.pid, 'SIGKILL');
    await server.stop();
    server = null;
    // down: the loss and at least two refused attempts are reported
    await waitFor(
      () => events.filter((e) => e.kind === 'retrying').length >= 3,
      'attempts while the server is down',
    );
    server = await startKeywaySshd({ authorizedKeys: [pub], dataDir, port });
    await waitFor(() => r.current !== null && r.current !== first, 'a new connection', 20_000);
    const current = r.current as SshClient | null;
    assert.ok(current);
    assert.equal(await run(current, 'echo after'), 'after');
    const kinds = events.map((e) => e.kind);
    assert.deepEqual(kinds.slice(0, 3), ['connected', 'lost', 'retrying']);
    assert.equal(kinds.at(-1), 'connected');
    const retries = events.filter((e) => e.kind === 'retrying');
    assert.deepEqual(
      retries.map((e) => e.attempt),
      retries.map((_, i) => i + 1),
    );
    // after the loss itself, each failure is the server refusing while it was down
    for (const e of retries.slice(1)) assert.match(String(e.error), /ECONNREFUSED|refused/i);
    // delays double up to the cap (jitter only shortens them)
    for (const e of retries) {
      const cap = Math.min(400, 50 * 2 ** (e.attempt - 1));
      assert.ok(e.delayMs <= cap && e.delayMs >= cap * 0.75, `${e.attempt}: ${e.delayMs}`);
    }
    assert.equal(hooked.length, 2);
    assert.equal(hooked[0], '0:hook');
    assert.match(hooked[1] ?? '', /^\d+:hook$/);
  } finally {
    r.stop();
    await server?.stop();
    tmp.cleanup();
  }
});
