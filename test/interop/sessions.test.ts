/**
 * Session channels against OpenSSH's sshd (9.2), as the harness's test user: exit signals (from the command itself and
 * sent with a signal request), a pty whose size follows window-change, the terminal modes
 * (IUTF8) the pty starts with, env limited by AcceptEnv, and EOF from our side ending a
 * command that reads stdin.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type SshClient } from '../../core/client/connect.js';
import type { Session } from '../../core/connection/index.js';
import { ensureTestUser, startOpenSsh, type RunningServer } from './harness/index.js';
import { waitFor } from '../support/wait.js';

let dir = '';
let server: RunningServer;
let client: SshClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-sessions-'));
  const key = join(dir, 'id');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  server = await startOpenSsh({
    authorizedKeys: [readFileSync(`${key}.pub`, 'utf8').trim()],
    // sshd's debug lines would reach the sessions' stderr: keep its log to INFO here
    extraConfig: ['AcceptEnv KEYWAY_*', 'LogLevel INFO'],
  });
  client = await connect({
    host: '127.0.0.1',
    port: server.port,
    // not root: sshd (privilege separation) delivers signal requests only to other users
    username: ensureTestUser().user,
    verifyHostKey: () => true,
    agentPath: null,
    identityFiles: [key],
  });
});

after(async () => {
  client?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Everything a session printed, as text, updated as it arrives. */
function output(s: Session): { text: () => string; err: () => string } {
  let out = '';
  let err = '';
  s.stdout.on('data', (d: Buffer) => (out += d.toString()));
  s.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { text: () => out, err: () => err };
}

test('a command killed by a signal: exit-signal with its name, no exit status', async () => {
  const s = await client.openSession();
  output(s);
  await s.exec('kill -TERM $$');
  assert.deepEqual(await s.exit, { signal: 'TERM', coreDumped: false, message: '' });
  await s.closed;
});

test('a signal request reaches the command', async () => {
  const s = await client.openSession();
  const o = output(s);
  await s.exec('echo started; exec sleep 30');
  await waitFor(() => o.text().includes('started'), 'the command to start');
  s.signal('INT');
  assert.deepEqual(await s.exit, { signal: 'INT', coreDumped: false, message: '' });
});

test('a pty: tty is /dev/pts, stty size follows window-change, IUTF8 is on', async () => {
  const s = await client.openSession();
  const o = output(s);
  assert.equal(await s.requestPty({ term: 'xterm-256color', cols: 91, rows: 27 }), true);
  await s.shell();
  s.stdin.write('stty -echo; echo "T=$TERM"; tty; stty size; stty -a | grep -o -- "-\\?iutf8"\n');
  await waitFor(() => /27 91\r\n-?iutf8\r\n/.test(o.text()), 'stty size and the iutf8 flag');
  assert.match(o.text(), /T=xterm-256color\r\n/);
  assert.match(o.text(), /\/dev\/pts\/\d+\r\n/);
  assert.match(o.text(), /\r\niutf8\r\n/);
  s.windowChange(132, 43);
  s.stdin.write('stty size; exit 4\n');
  await waitFor(() => /43 132\r\n/.test(o.text()), 'stty size after the window change');
  assert.deepEqual(await s.exit, { code: 4 });
});

test('env: names AcceptEnv lets through arrive; others are refused and absent', async () => {
  const s = await client.openSession();
  const o = output(s);
  assert.equal(await s.env('KEYWAY_GREETING', 'héllo wörld'), true);
  assert.equal(await s.env('OTHER_VAR', 'x'), false);
  await s.exec('echo "[$KEYWAY_GREETING] [${OTHER_VAR-unset}]"');
  assert.deepEqual(await s.exit, { code: 0 });
  await s.closed;
  assert.equal(o.text(), '[héllo wörld] [unset]\n');
});

test('our EOF ends a command that reads stdin; its output after EOF still arrives', async () => {
  const s = await client.openSession();
  const o = output(s);
  await s.exec('wc -c; echo done >&2');
  s.stdin.end(Buffer.alloc(100_000, 0x61));
  assert.deepEqual(await s.exit, { code: 0 });
  await s.closed;
  assert.equal(o.text().trim(), '100000');
  assert.equal(o.err(), 'done\n');
});
