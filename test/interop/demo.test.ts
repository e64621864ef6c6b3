/**
 * `npm run demo` as a person runs it (the built dist/electron/demo.js, so `npx tsc -b` first),
 * in the browser-host mode it takes where Electron is missing (--browser keeps it so where
 * Electron exists; --no-open keeps xdg-open out of the test). HOME, XDG_CONFIG_HOME and TMPDIR
 * point into a temp dir: the "Local demo" profile goes to its profiles.json and the throwaway
 * keys under it. Through the printed URL's WebSocket and token: connect to "Local demo",
 * answer the host-key prompt, run echo in a terminal, list files over SFTP. SIGINT then stops
 * everything: the sshd's port refuses, the throwaway keys are gone, the exit status is 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConnectionInfo, Profile } from '../../core/service/api/contract.js';
import { acceptsOnLoopback } from '../support/loopback-port.js';
import { openServiceClient } from '../support/service-client.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait.js';

const demo = fileURLToPath(new URL('../../dist/electron/demo.js', import.meta.url));

test('npm run demo: Local demo profile, host key, terminal echo, SFTP listing, Ctrl-C stops all', async () => {
  const t = tempDir('demo');
  mkdirSync(t.path('tmp'));
  const child = spawn(process.execPath, [demo, '--browser', '--no-open'], {
    env: {
      ...process.env,
      HOME: t.dir,
      XDG_CONFIG_HOME: t.path('config'),
      TMPDIR: t.path('tmp'),
      SSH_AUTH_SOCK: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let client: Awaited<ReturnType<typeof openServiceClient>> | null = null;
  try {
    await waitFor(() => /running at \S+\n/.test(out) || child.exitCode !== null, 'the URL', 60_000);
    const m = /running at (http:\/\/127\.0\.0\.1:(\d+))\/#token=([A-Za-z0-9_-]+)\n/.exec(out);
    assert.ok(m, `${out}\n${err}`);
    const [, origin, port, token] = m;
    const sshdPort = Number(/keyway sshd on 127\.0\.0\.1 port (\d+)/.exec(out)?.[1]);
    assert.ok(sshdPort > 0, out);

    // the profile is in the app data directory, pointing at the sshd with the throwaway key
    const saved = JSON.parse(readFileSync(t.path('config/Keyway/profiles.json'), 'utf8')) as {
      profiles: Profile[];
    };
    assert.equal(saved.profiles.length, 1);
    const [keyDir] = readdirSync(t.path('tmp')).filter((n) => n.startsWith('keyway-demo-'));
    assert.ok(keyDir, 'the throwaway directory is under TMPDIR');

    client = await openServiceClient(`ws://127.0.0.1:${port}/api?token=${token}`, origin ?? '');
    const c = client;
    const hosts = await c.api.listHosts({});
    const profile = hosts.profiles.find((p) => p.name === 'Local demo');
    assert.ok(profile, JSON.stringify(hosts));
    assert.equal(profile.host, '127.0.0.1');
    assert.equal(profile.port, sshdPort);
    assert.deepEqual(profile.identityFiles, [t.path(`tmp/${keyDir}/id_ed25519`)]);

    const info = await c.api.connect({ target: { kind: 'profile', id: profile.id } });
    const prompt = await c.waitEvent(
      'prompt',
      (p) => p.connectionId === info.connectionId && p.kind === 'hostKey',
    );
    assert.ok(prompt.kind === 'hostKey' && prompt.status === 'new');
    await c.api.answerPrompt({
      promptId: prompt.promptId,
      answer: { kind: 'hostKey', decision: 'save' },
    });
    await c.waitEvent(
      'connectionState',
      (p: ConnectionInfo) => p.connectionId === info.connectionId && p.state === 'connected',
      'Local demo connected',
    );
    assert.match(
      readFileSync(t.path('.ssh/known_hosts'), 'utf8'),
      new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshdPort} ssh-ed25519 `, 'm'),
    );

    const word = `hello-${randomBytes(6).toString('hex')}`;
    const term = await c.api.openTerminal({ connectionId: info.connectionId, cols: 80, rows: 24 });
    const tap = c.terminal(term.terminalId);
    // the quotes keep the echoed command line from matching: only the output does
    await c.api.writeTerminal({
      terminalId: term.terminalId,
      data: `echo hel""lo-${word.slice(6)}\n`,
    });
    await waitFor(() => tap.text().includes(word), `${word} in the terminal`, 20_000);

    writeFileSync(t.path('listed.txt'), 'from the demo test\n');
    const listing = await c.api.remoteList({ connectionId: info.connectionId, path: t.dir });
    const entry = listing.entries.find((e) => e.name === 'listed.txt');
    assert.equal(entry?.kind, 'file');
    assert.equal(entry?.size, 19);

    child.kill('SIGINT');
    assert.equal(await exited, 0, err);
    assert.equal(await acceptsOnLoopback(sshdPort), false, 'the sshd stopped');
    assert.equal(await acceptsOnLoopback(Number(port)), false, 'the browser host stopped');
    assert.equal(existsSync(t.path(`tmp/${keyDir}`)), false, 'the throwaway keys are gone');
  } finally {
    await client?.close().catch(() => {});
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    t.cleanup();
  }
});
