/**
 * The sshd's session programs over an in-memory connection, driven by Keyway's client
 * Session: exec with stdout, stderr and exit status apart; all output before the exit status
 * (also from a pty); exit-signal; signal requests to the process group; a pty with TERM,
 * size, window-change, the client's terminal modes and SSH_TTY; AcceptEnv; the forced command
 * with SSH_ORIGINAL_COMMAND; no-pty; one program per channel; a closed channel hangs the
 * program up.
 */
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connectionPair } from '../../support/connection-pair.js';
import { waitFor } from '../../support/wait.js';
import type { Session } from '../../../core/connection/index.js';
import { serveSession, type SessionPolicy } from '../../../core/server/session-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'keyway-session-runner-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const me = userInfo();
const basePolicy: SessionPolicy = {
  user: { name: me.username, home: dir, shell: '/bin/sh' },
  allowPty: true,
  acceptEnv: ['LANG', 'LC_*'],
  environment: { SSH_CONNECTION: '127.0.0.1 5555 127.0.0.1 2222' },
};

const open: { close(): void }[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close(); // a failed test must not leave a shell running
});

async function session(policy: Partial<SessionPolicy> = {}) {
  const { client, server } = await connectionPair();
  open.push({ close: () => client.disconnect() });
  server.onSession = (s) => serveSession(s, { ...basePolicy, ...policy });
  const s = await client.openSession();
  let out = '';
  let err = '';
  s.stdout.on('data', (d: Buffer) => (out += d.toString()));
  s.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { s, client, out: () => out, err: () => err };
}

async function ended(s: Session) {
  const exit = await s.exit;
  await s.closed;
  return exit;
}

test('exec: stdout and stderr apart, the exit status, the environment sshd sets', async () => {
  const { s, out, err } = await session();
  await s.exec('echo "$USER:$HOME:$SSH_CONNECTION:$PWD"; echo oops >&2; exit 3');
  assert.deepEqual(await ended(s), { code: 3 });
  assert.equal(out(), `${me.username}:${dir}:127.0.0.1 5555 127.0.0.1 2222:${dir}\n`);
  assert.equal(err(), 'oops\n');
});

test('all output arrives before the exit status: 4 MiB through cat and sha256', async () => {
  const { s } = await session();
  const chunks: Buffer[] = [];
  s.stdout.on('data', (d: Buffer) => chunks.push(d));
  await s.exec('cat');
  const data = Buffer.alloc(4 << 20);
  for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) % 2 ** 32, i);
  s.stdin.end(data);
  assert.deepEqual(await ended(s), { code: 0 });
  const got = Buffer.concat(chunks);
  assert.equal(got.length, data.length);
  assert.equal(
    createHash('sha256').update(got).digest('hex'),
    createHash('sha256').update(data).digest('hex'),
  );
});

test('a command killed by a signal: exit-signal; a signal request reaches the group', async () => {
  const a = await session();
  await a.s.exec('kill -TERM $$');
  assert.deepEqual(await ended(a.s), { signal: 'TERM', coreDumped: false, message: '' });
  const b = await session();
  // the shell and its child both get the signal: the group is signalled
  await b.s.exec('sleep 30 & echo started; wait');
  await waitFor(() => b.out().includes('started'), 'the command to start');
  b.s.signal('USR1');
  assert.deepEqual(await ended(b.s), { signal: 'USR1', coreDumped: false, message: '' });
});

test('a pty: TERM, size, window-change, the modes asked for, SSH_TTY; output before exit', async () => {
  const { s, out } = await session();
  assert.equal(
    await s.requestPty({
      term: 'xterm-kw',
      cols: 100,
      rows: 30,
      modes: { IUTF8: 1, ECHO: 0, VINTR: 5 },
    }),
    true,
  );
  await s.shell();
  s.stdin.write(
    'echo "T=$TERM Y=$SSH_TTY"; tty; stty size; stty -a | tr " ;" "\\n\\n" | grep -x -e -iutf8 -e iutf8 -e -echo -e echo -e "\\^E"\n',
  );
  await waitFor(() => /30 100\r\n/.test(out()), 'stty size');
  assert.match(out(), /T=xterm-kw Y=\/dev\/pts\/\d+\r\n\/dev\/pts\/\d+\r\n/);
  await waitFor(() => /-echo\r\n/.test(out()), 'the modes');
  assert.match(out(), /\^E\r\n/);
  assert.match(out(), /\r\niutf8\r\n/);
  s.windowChange(120, 40);
  s.stdin.write('stty size; seq 1 20000; exit 6\n');
  assert.deepEqual(await ended(s), { code: 6 });
  assert.match(out(), /40 120\r\n/);
  assert.match(out(), /\r\n20000\r\n/);
  // echo was off before the first typed byte reached the pty: nothing typed shows
  assert.doesNotMatch(out(), /echo "T=|stty size; seq/);
});

test('env: only AcceptEnv names; others refused and unset', async () => {
  const { s, out } = await session();
  assert.equal(await s.env('LC_TIME', 'C.UTF-8'), true);
  assert.equal(await s.env('LD_PRELOAD', '/tmp/evil.so'), false);
  await s.exec('echo "[$LC_TIME] [${LD_PRELOAD-unset}]"');
  assert.deepEqual(await ended(s), { code: 0 });
  assert.equal(out(), '[C.UTF-8] [unset]\n');
});

test('a forced command runs instead, with SSH_ORIGINAL_COMMAND; no-pty refuses a pty', async () => {
  const { s, out } = await session({
    forcedCommand: 'echo "forced [$SSH_ORIGINAL_COMMAND]"',
    allowPty: false,
  });
  assert.equal(await s.requestPty({ term: 'xterm', cols: 80, rows: 24 }), false);
  await s.exec('rm -rf /');
  assert.deepEqual(await ended(s), { code: 0 });
  assert.equal(out(), 'forced [rm -rf /]\n');
});

test('one program per channel; unknown subsystems refused', async () => {
  const { s } = await session();
  await assert.rejects(s.subsystem('sftp'), /subsystem/);
  await s.exec('sleep 0.2');
  await assert.rejects(s.exec('echo twice'));
  assert.deepEqual(await ended(s), { code: 0 });
});

test('closing the channel while the program runs hangs it up', async () => {
  const marker = join(dir, 'hup');
  const { s, out } = await session();
  await s.exec(`trap 'echo hup > ${marker}; exit 1' HUP; echo ready; while :; do sleep 0.05; done`);
  await waitFor(() => out().includes('ready'), 'the program to start');
  s.close();
  await waitFor(() => existsSync(marker), 'SIGHUP to reach the program');
});
