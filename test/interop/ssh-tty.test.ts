/**
 * `keyway ssh` under a real terminal, as a person uses it: tmux is the terminal, a shell in
 * its pane runs the built bin against OpenSSH's sshd. The pty follows the terminal's size,
 * resizes included; the terminal is raw during the session (output processing too, as ssh)
 * and given back as it was; `~.` and `~~`; Ctrl-C reaches the remote program; the password
 * and passphrase prompts read the terminal without echo and ask again as ssh does. Wording is
 * OpenSSH 9.2's, read off its own client in the same terminal.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ensureTestUser,
  startOpenSsh,
  TEST_PASSWORD,
  TEST_USER,
  type RunningServer,
} from './harness/index.js';
import { startTmux, type Tmux } from '../support/tmux.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const PASSPHRASE = 'the right passphrase';
const dest = `${TEST_USER}@127.0.0.1`;
let dir = '';
let server: RunningServer;

function keygen(name: string, passphrase = ''): string {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

before(async () => {
  ensureTestUser();
  dir = mkdtempSync(join(tmpdir(), 'keyway-ssh-tty-'));
  mkdirSync(join(dir, 'home'));
  server = await startOpenSsh({
    authorizedKeys: [keygen('id'), keygen('locked', PASSPHRASE)],
    extraConfig: ['PasswordAuthentication yes', 'PrintMotd no', 'PrintLastLog no'],
  });
  // `./kw` in the pane: the built bin with the options every test shares
  const kw = [
    process.execPath,
    join(repo, 'bin/keyway.js'),
    'ssh',
    '-F',
    '/dev/null',
    '-o',
    `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-p',
    String(server.port),
  ];
  writeFileSync(join(dir, 'kw'), `#!/bin/sh\nexec ${kw.map((a) => `'${a}'`).join(' ')} "$@"\n`, {
    mode: 0o755,
  });
});

after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A terminal of `cols`×`rows` with sh at the prompt `local$ `, ended with the test. */
async function terminal(t: TestContext, cols = 80, rows = 24): Promise<Tmux> {
  const tm = startTmux({
    dir,
    cwd: dir,
    // through env(1): tmux gives a pane its own environment, without PS1 or an empty variable
    command: ['env', 'PS1=local$ ', 'SSH_AUTH_SOCK=', 'sh'],
    cols,
    rows,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: join(dir, 'home'), LANG: 'C' },
  });
  t.after(() => tm.kill());
  await tm.waitFor(/^local\$ $/m, 'the local prompt');
  return tm;
}

/**
 * Types `line` and Enter, with `; echo @tag` after it (quoted so that the echoed command line
 * does not match), waits for `@tag`, and returns the lines the command printed.
 */
async function run(tm: Tmux, line: string, tag: string): Promise<string[]> {
  tm.type(`${line}; echo "@""${tag}"`);
  tm.press('Enter');
  const m = await tm.waitFor(new RegExp(`"@""${tag}"\\n((?:.*\\n)*?)@${tag}$`, 'm'), line);
  return (m[1] ?? '').split('\n').slice(0, -1);
}

/** Starts `./kw args` from the local shell; `echo exit=$?` follows it. */
function keyway(tm: Tmux, args: string): void {
  tm.type(`./kw ${args}; echo "exit=$?"`);
  tm.press('Enter');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const remotePrompt = /\n\$ $/;
const exitLine = (code: number) => new RegExp(`^exit=${code}$`, 'm');

async function closedNamesHost(t: TestContext, screen: string): Promise<void> {
  await t.test('and names the host as ssh does', () => {
    assert.match(screen, /Connection to 127\.0\.0\.1 closed\.$/m);
  });
}

test('an interactive shell: a pty of the terminal size, resized with it; the terminal given back', async (t) => {
  const tm = await terminal(t, 80, 24);
  const [term] = await run(tm, 'echo "$TERM"', 'term');
  const [modes] = await run(tm, 'stty -g', 'before');
  keyway(tm, `-i id ${dest}`);
  await tm.waitFor(remotePrompt, 'the remote prompt');
  const [tty, size, remoteTerm] = await run(tm, 'tty; stty size; echo "$TERM"', 'start');
  assert.match(tty ?? '', /^\/dev\/pts\/\d+$/);
  assert.equal(size, '24 80');
  assert.equal(remoteTerm, term);

  // tmux sets the pane's size when it gets round to it: ask until the remote pty has it
  tm.resize(100, 30);
  const until = Date.now() + 10_000;
  for (let i = 0; ; i++) {
    const [now] = await run(tm, 'stty size', `resized${i}`);
    if (now === '30 100') break;
    assert.ok(Date.now() < until, `stty size still says ${now} after the resize`);
  }

  // the remote's bytes reach the terminal as sent: a bare LF is not given a CR (no OPOST)
  const raw = await run(tm, `stty -opost; printf 'ab\\ncd\\r\\n'; stty opost`, 'raw');
  assert.deepEqual(raw, ['ab', '  cd']);

  tm.type('exit 3');
  tm.press('Enter');
  await tm.waitFor(exitLine(3), 'exit 3');
  const screen = tm.screen();
  assert.match(screen, /^\$ exit 3\nConnection (?:to \S+ )?closed\.\nexit=3$/m);
  assert.deepEqual(await run(tm, 'stty -g', 'after'), [modes]);
  await closedNamesHost(t, screen);
});

test('~~ sends one ~; ~. after Enter disconnects with 255; the terminal is given back', async (t) => {
  const tm = await terminal(t);
  const [modes] = await run(tm, 'stty -g', 'before');
  keyway(tm, `-i id ${dest}`);
  await tm.waitFor(remotePrompt, 'the remote prompt');
  // cat shows what arrived: the pty echoes the line, then cat writes it
  tm.type('cat');
  tm.press('Enter');
  tm.type('~~x');
  tm.press('Enter');
  await tm.waitFor(/^~x\n~x$/m, 'cat echoing ~x');
  assert.equal(tm.screen().match(/^~+x$/gm)?.join(' '), '~x ~x');
  tm.press('C-d');
  await tm.waitFor(remotePrompt, 'the prompt after cat');
  tm.press('Enter');
  await tm.waitFor(/\n\$ \n\$ $/, 'a new prompt after Enter');
  tm.type('~.');
  await tm.waitFor(exitLine(255), 'exit 255 after ~.');
  const screen = tm.screen();
  // as ssh: no newline of its own, so the line follows the remote prompt
  assert.match(screen, /^\$ Connection (?:to \S+ )?closed\.\nexit=255$/m);
  assert.deepEqual(await run(tm, 'stty -g', 'after'), [modes]);
  await closedNamesHost(t, screen);
});

test('Ctrl-C goes to the remote program, not to keyway', async (t) => {
  const tm = await terminal(t);
  keyway(tm, `-i id ${dest}`);
  await tm.waitFor(remotePrompt, 'the remote prompt');
  tm.type('echo "sle""eping"; sleep 100');
  tm.press('Enter');
  await tm.waitFor(/^sleeping$/m, 'sleep running');
  tm.press('C-c');
  await tm.waitFor(/\^C\n\$ $/, 'the remote prompt after ^C');
  assert.deepEqual(await run(tm, 'echo "al""ive"', 'alive'), ['alive']);
  assert.doesNotMatch(tm.screen(), /^exit=/m);
  tm.type('exit');
  tm.press('Enter');
  await tm.waitFor(exitLine(0), 'exit 0');
});

const passwordPrompt = `${TEST_USER}@127.0.0.1's password: `;

test('password on the terminal: OpenSSH wording, asked again after a wrong one, never shown', async (t) => {
  const tm = await terminal(t);
  keyway(tm, dest);
  const prompt = passwordPrompt;
  const p = escape(prompt);
  await tm.waitFor(new RegExp(`^${p}$`, 'm'), 'the password prompt');
  tm.type('not-the-password');
  tm.press('Enter');
  const again = await tm.waitFor(
    new RegExp(`^${p}\\n((?:.*\\n)*?)${p}$`, 'm'),
    'the password prompt again',
  );
  tm.type(TEST_PASSWORD);
  tm.press('Enter');
  await tm.waitFor(remotePrompt, 'the remote prompt');
  assert.deepEqual(await run(tm, 'id -un', 'who'), [TEST_USER]);
  tm.type('exit');
  tm.press('Enter');
  await tm.waitFor(exitLine(0), 'exit 0');
  const screen = tm.screen();
  assert.equal(screen.split(prompt).length - 1, 2, screen);
  assert.ok(!screen.includes('not-the-password') && !screen.includes(TEST_PASSWORD), screen);
  await t.test('"Permission denied, please try again." before asking again', () => {
    assert.equal(again[1], 'Permission denied, please try again.\n');
  });
});

test('Ctrl-C at the password prompt ends keyway by SIGINT, as ssh; the terminal given back', async (t) => {
  const tm = await terminal(t);
  const [modes] = await run(tm, 'stty -g', 'before');
  keyway(tm, dest);
  await tm.waitFor(new RegExp(`^${escape(passwordPrompt)}$`, 'm'), 'the password prompt');
  tm.type('half a passw');
  tm.press('C-c');
  // killed by SIGINT, so the shell drops the rest of the line: no exit= line
  await tm.waitFor(/password: \n\n?local\$ $/, 'the local prompt');
  assert.deepEqual(await run(tm, 'echo "$?"', 'status'), ['130']);
  assert.deepEqual(await run(tm, 'stty -g', 'after'), [modes]);
  assert.doesNotMatch(tm.screen(), /^exit=|half a/m);
});

const passphrasePrompt = () => `Enter passphrase for key '${join(dir, 'locked')}': `;

/** Waits until the passphrase prompt has been written `n` times. */
async function passphraseAsked(tm: Tmux, n: number): Promise<void> {
  const p = escape(passphrasePrompt());
  const re = new RegExp(`(?:^${p}\\n(?:.*\\n)*?){${n - 1}}^${p}$`, 'm');
  await tm.waitFor(re, `passphrase prompt #${n}`);
}

test('passphrase: a wrong one, asked again, the right one logs in; never shown', async (t) => {
  const tm = await terminal(t);
  keyway(tm, `-o IdentitiesOnly=yes -i ${join(dir, 'locked')} ${dest}`);
  await passphraseAsked(tm, 1);
  tm.type('a wrong passphrase');
  tm.press('Enter');
  await passphraseAsked(tm, 2);
  tm.type(PASSPHRASE);
  tm.press('Enter');
  await tm.waitFor(remotePrompt, 'the remote prompt');
  tm.type('exit');
  tm.press('Enter');
  await tm.waitFor(exitLine(0), 'exit 0');
  const screen = tm.screen();
  assert.equal(screen.split(passphrasePrompt()).length - 1, 2, screen);
  assert.doesNotMatch(screen, /password: /);
  assert.ok(!screen.includes('wrong passphrase') && !screen.includes(PASSPHRASE), screen);
});

test('passphrase wrong at every ask (3, as ssh): a clear message, Permission denied, exit 255', async (t) => {
  const tm = await terminal(t);
  keyway(
    tm,
    `-o IdentitiesOnly=yes -o PasswordAuthentication=no -i ${join(dir, 'locked')} ${dest}`,
  );
  for (let n = 1; n <= 3; n++) {
    await passphraseAsked(tm, n);
    tm.type(`wrong ${n}`);
    tm.press('Enter');
  }
  await tm.waitFor(exitLine(255), 'exit 255');
  const screen = tm.screen();
  assert.equal(screen.split(passphrasePrompt()).length - 1, 3, screen);
  assert.match(screen, /incorrect passphrase/);
  assert.match(screen, /^keyway-test@127\.0\.0\.1: Permission denied \(publickey,password\)\.$/m);

  await t.test('NumberOfPasswordPrompts=1: asked once, as ssh', async (st) => {
    const once = await terminal(st);
    keyway(
      once,
      `-o NumberOfPasswordPrompts=1 -o IdentitiesOnly=yes -o PasswordAuthentication=no -i ${join(dir, 'locked')} ${dest}`,
    );
    await passphraseAsked(once, 1);
    once.type('wrong');
    once.press('Enter');
    const p = escape(passphrasePrompt());
    const end = await once.waitFor(
      new RegExp(`^exit=\\d+$|^${p}\\n(?:.*\\n)*?${p}$`, 'm'),
      'exit or a second ask',
    );
    if (!end[0].startsWith('exit=')) once.press('C-c');
    assert.equal(end[0], 'exit=255');
  });
});
