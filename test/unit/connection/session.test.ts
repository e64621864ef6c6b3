/**
 * Session channels end to end in memory: what the client asks for reaches the server with
 * the right fields (pty-req with IUTF8 in its modes, env, window-change, signal, break,
 * subsystem), stderr stays apart from stdout, exit-status and exit-signal come back, and
 * refusals surface as typed errors or `false`, never as crashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionPair, until } from '../../support/connection-pair.js';
import { serveRecorder } from '../../support/session-servers.js';
import {
  DEFAULT_TERMINAL_MODES,
  OpenFailureReason,
  TerminalMode,
  decodeTerminalModes,
  encodeTerminalModes,
  type SessionRequest,
} from '../../../core/connection/index.js';
import {
  ChannelClosedError,
  ChannelOpenError,
  ChannelRequestError,
  ConfigError,
} from '../../../core/errors.js';

function collect(stream: NodeJS.ReadableStream): () => string {
  const parts: Buffer[] = [];
  stream.on('data', (d: Buffer) => parts.push(d));
  return () => Buffer.concat(parts).toString();
}

test('pty-req, env, window-change, signal, break and shell reach the server with their fields', async () => {
  const { client, server, pair } = await connectionPair();
  const { requests } = serveRecorder(server);
  const session = await client.openSession();
  assert.equal(
    await session.requestPty({
      term: 'xterm-256color',
      cols: 120,
      rows: 40,
      widthPx: 960,
      heightPx: 640,
      modes: { VINTR: 0x03, ECHO: 0 },
    }),
    true,
  );
  assert.equal(await session.env('LANG', 'en_US.UTF-8'), true);
  assert.equal(await session.env('BAD_VAR', 'x'), false, 'a refused env resolves false');
  await session.shell();
  session.windowChange(100, 30, 800, 480);
  session.signal('SIGINT');
  session.signal('TERM');
  assert.equal(await session.sendBreak(250), true);
  await until(() => requests.length === 8, 'all requests seen');
  const [pty, env1, env2, shell, wc, sig1, sig2, brk] = requests as SessionRequest[];
  assert.ok(pty?.kind === 'pty-req');
  assert.equal(pty.term, 'xterm-256color');
  assert.deepEqual([pty.cols, pty.rows, pty.widthPx, pty.heightPx], [120, 40, 960, 640]);
  assert.equal(pty.modes.get(TerminalMode.IUTF8), 1, 'IUTF8 on by default');
  assert.equal(pty.modes.get(TerminalMode.ECHO), 0, 'explicit modes override the defaults');
  assert.equal(pty.modes.get(TerminalMode.VERASE), 0x7f);
  assert.equal(pty.modes.get(TerminalMode.TTY_OP_OSPEED), 38400);
  assert.deepEqual(env1, { kind: 'env', name: 'LANG', value: 'en_US.UTF-8' });
  assert.deepEqual(env2, { kind: 'env', name: 'BAD_VAR', value: 'x' });
  assert.deepEqual(shell, { kind: 'shell' });
  assert.deepEqual(wc, { kind: 'window-change', cols: 100, rows: 30, widthPx: 800, heightPx: 480 });
  assert.deepEqual(sig1, { kind: 'signal', name: 'INT' }, 'the SIG prefix is dropped (§6.9)');
  assert.deepEqual(sig2, { kind: 'signal', name: 'TERM' });
  assert.deepEqual(brk, { kind: 'break', ms: 250 });
  pair.client.disconnect();
});

test('terminal modes: encoded in opcode order, ended by TTY_OP_END, decoded back', () => {
  const bytes = encodeTerminalModes({ IUTF8: 1, VINTR: 3 }, {});
  assert.deepEqual([...bytes], [1, 0, 0, 0, 3, 42, 0, 0, 0, 1, 0]);
  const all = decodeTerminalModes(encodeTerminalModes());
  assert.equal(all.size, Object.keys(DEFAULT_TERMINAL_MODES).length);
  assert.equal(all.get(TerminalMode.IUTF8), 1);
  // parsing stops at an undefined opcode (160+) and at TTY_OP_END
  assert.deepEqual([...decodeTerminalModes(Uint8Array.of(53, 0, 0, 0, 1, 160, 9, 9))], [[53, 1]]);
  assert.throws(() => encodeTerminalModes({ NOPE: 1 } as never), ConfigError);
  assert.throws(() => encodeTerminalModes({ ECHO: -1 }), ConfigError);
});

test('stdout and stderr stay apart; exit-status comes back', async () => {
  const { client, server, pair } = await connectionPair();
  serveRecorder(server, (s, command) => {
    for (let i = 0; i < 50; i++) {
      s.stdout.write(`out${i};`);
      s.stderr.write(`err${i};`);
    }
    void s.finish({ code: Number(command) });
  });
  for (const code of [0, 1, 255]) {
    const session = await client.openSession();
    const out = collect(session.stdout);
    const err = collect(session.stderr);
    await session.exec(String(code));
    assert.deepEqual(await session.exit, { code });
    await session.closed;
    assert.equal(out(), Array.from({ length: 50 }, (_, i) => `out${i};`).join(''));
    assert.equal(err(), Array.from({ length: 50 }, (_, i) => `err${i};`).join(''));
  }
  pair.client.disconnect();
});

test('exit-signal comes back with its name, core flag and message', async () => {
  const { client, server, pair } = await connectionPair();
  serveRecorder(
    server,
    (s) => void s.finish({ signal: 'SEGV', coreDumped: true, message: 'boom' }),
  );
  const session = await client.openSession();
  session.stdout.resume();
  session.stderr.resume();
  await session.exec('crash');
  assert.deepEqual(await session.exit, { signal: 'SEGV', coreDumped: true, message: 'boom' });
  await session.closed;
  pair.client.disconnect();
});

test('stdin reaches the server and end() sends EOF', async () => {
  const { client, server, pair } = await connectionPair();
  let got = '';
  serveRecorder(server, (s) => {
    s.stdin.on('data', (d: Buffer) => (got += d.toString()));
    s.stdin.on('end', () => void s.finish({ code: got.length }));
  });
  const session = await client.openSession();
  session.stdout.resume();
  session.stderr.resume();
  await session.exec('read');
  session.stdin.write('hello ');
  session.stdin.end('world');
  assert.deepEqual(await session.exit, { code: 11 });
  assert.equal(got, 'hello world');
  await session.closed;
  pair.client.disconnect();
});

test('refusals: exec refused is ChannelRequestError; session refused is ChannelOpenError', async () => {
  const { client, server, pair } = await connectionPair();
  // No onSession on the server: every session open is refused.
  const refused = await client.openSession().then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(refused instanceof ChannelOpenError);
  assert.equal(refused.openReason, OpenFailureReason.ADMINISTRATIVELY_PROHIBITED);
  assert.equal(client.channelCount, 0, 'a refused open frees its id');
  server.onSession = (s) => (s.onRequest = (_r, a) => a.reject());
  const session = await client.openSession();
  await assert.rejects(session.exec('x'), ChannelRequestError);
  assert.equal(await session.requestPty({ term: 'vt100', cols: 80, rows: 24 }), false);
  session.close();
  await assert.rejects(session.exit, ChannelClosedError);
  await session.closed;
  await assert.rejects(session.shell(), ChannelClosedError);
  session.windowChange(1, 1); // ignored once closed, no throw
  pair.client.disconnect();
});

test('a client refuses session opens from the server; other types go to onChannelOpen', async () => {
  const { client, server, pair } = await connectionPair();
  await assert.rejects(
    server.openChannel('session'),
    (e: unknown) => e instanceof ChannelOpenError && e.openReason === 1,
  );
  await assert.rejects(server.openChannel('x11'), ChannelOpenError);
  const seen: string[] = [];
  client.onChannelOpen = (type, extra, answer) => {
    seen.push(`${type}:${extra.length}`);
    if (type === 'auth-agent@openssh.com') answer.accept();
    else answer.reject(OpenFailureReason.UNKNOWN_CHANNEL_TYPE, 'no such type');
  };
  const ch = await server.openChannel('auth-agent@openssh.com');
  assert.equal(ch.isOpen, true);
  await assert.rejects(
    server.openChannel('forwarded-tcpip', Uint8Array.of(1, 2, 3)),
    (e: unknown) =>
      e instanceof ChannelOpenError && e.openReason === 3 && e.description === 'no such type',
  );
  assert.deepEqual(seen, ['auth-agent@openssh.com:0', 'forwarded-tcpip:3']);
  ch.close();
  await ch.ended;
  await until(() => client.channelCount === 0 && server.channelCount === 0, 'both tables empty');
  pair.client.disconnect();
});

test('40 sessions at once get distinct ids, and every id is freed', async () => {
  const { client, server, pair } = await connectionPair();
  serveRecorder(server, (s) => void s.finish({ code: 0 }));
  const ids = new Set<number>();
  await Promise.all(
    Array.from({ length: 40 }, async () => {
      const session = await client.openSession();
      assert.ok(!ids.has(session.channel.localId), 'ids of open channels are unique');
      ids.add(session.channel.localId);
      session.stdout.resume();
      session.stderr.resume();
      await session.exec('true');
      await session.exit;
      await session.closed;
    }),
  );
  await until(() => client.channelCount === 0 && server.channelCount === 0, 'tables empty');
  pair.client.disconnect();
});

test('losing the connection ends every session: exit rejects with the error, streams end', async () => {
  const { client, server, pair } = await connectionPair();
  serveRecorder(server, (s) => s.stdout.write('partial'));
  const session = await client.openSession();
  const out = collect(session.stdout);
  session.stderr.resume();
  await session.exec('hang');
  await until(() => out() === 'partial', 'output');
  pair.server.disconnect();
  await assert.rejects(
    session.exit,
    (e: unknown) => e instanceof Error && /disconnect/.test(e.message),
  );
  await session.closed;
  assert.equal(client.channelCount, 0);
  await assert.rejects(client.openSession(), /closed|disconnect/);
});
