/**
 * `npm run start:web` as a person runs it (the built dist/core/service/web/main.js, so
 * `npx tsc -b` first): it prints a 127.0.0.1 URL whose fragment holds the token, serves the
 * not-built page, admits a WebSocket with that token and origin, and ends on SIGTERM.
 * HOME and XDG_CONFIG_HOME point into a temp dir, so no real profile is touched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openServiceClient } from '../support/service-client.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait.js';

const main = fileURLToPath(new URL('../../dist/core/service/web/main.js', import.meta.url));

test('start:web prints the URL with its token, serves the page and the contract, stops on SIGTERM', async () => {
  const t = tempDir('start-web');
  const child = spawn(process.execPath, [main, '--port', '0', '--ui-dir', t.path('ui')], {
    env: { ...process.env, HOME: t.dir, XDG_CONFIG_HOME: t.path('config'), SSH_AUTH_SOCK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await waitFor(() => /running at \S+\n/.test(out), 'the URL');
    const m = /running at (http:\/\/127\.0\.0\.1:(\d+))\/#token=([A-Za-z0-9_-]+)\n/.exec(out);
    assert.ok(m, out);
    const [, origin, port, token] = m;
    assert.match(await (await fetch(`${origin}/`)).text(), /not built/);
    const c = await openServiceClient(`ws://127.0.0.1:${port}/api?token=${token}`, origin ?? '');
    const hosts = await c.api.listHosts({});
    assert.deepEqual(hosts.profiles, []);
    await c.api.saveProfile({ profile: { name: 'here', host: 'localhost' } });
    await c.close();
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    t.cleanup();
  }
});

test('start:web refuses a bad --port with a usage line', async () => {
  const child = spawn(process.execPath, [main, '--port', 'x'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  assert.equal(code, 2);
  assert.match(err, /--port x: not a port number/);
});
