import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { closedMessage, EscapeFilter, runSession, wantPty } from '../../../core/cli/ssh-session.js';
import type { SshClient } from '../../../core/client/connect.js';
import type { ServerSession } from '../../../core/connection/index.js';
import { ConnectionLost } from '../../../core/errors.js';
import { connectionPair, type ConnectionPair } from '../../support/connection-pair.js';

test('~. after a newline disconnects; ~~ sends one ~; ~ elsewhere is plain text', () => {
  const f = new EscapeFilter();
  assert.deepEqual(f.filter(Buffer.from('ls ~/x\r')), {
    data: Buffer.from('ls ~/x\r'),
    disconnect: false,
  });
  assert.deepEqual(f.filter(Buffer.from('~~a')), { data: Buffer.from('~a'), disconnect: false });
  const g = new EscapeFilter();
  assert.deepEqual(g.filter(Buffer.from('~')), { data: Buffer.from(''), disconnect: false });
  assert.deepEqual(g.filter(Buffer.from('.')), { data: Buffer.from(''), disconnect: true });
  const h = new EscapeFilter();
  assert.deepEqual(h.filter(Buffer.from('echo\r~.')), {
    data: Buffer.from('echo\r'),
    disconnect: true,
  });
  const i = new EscapeFilter();
  assert.deepEqual(i.filter(Buffer.from('~x')), { data: Buffer.from('~x'), disconnect: false });
});

test('pty requests follow RequestTTY and -t/-tt/-T as ssh does', () => {
  assert.equal(wantPty(undefined, undefined, false, true), true); // interactive shell
  assert.equal(wantPty(undefined, undefined, true, true), false); // a command
  assert.equal(wantPty(undefined, 1, true, true), true); // -t
  assert.equal(wantPty(undefined, 1, true, false), false); // -t without a local tty
  assert.equal(wantPty(undefined, 2, true, false), true); // -tt forces
  assert.equal(wantPty('force', undefined, true, false), true);
  assert.equal(wantPty('yes', 0, false, true), false); // -T wins
  assert.equal(wantPty('no', undefined, false, true), false);
});

/** A non-tty stream pair standing in for the terminal: what runSession wrote, as text. */
function stdio(onOutput = (): void => {}) {
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  const sink = (onWrite = (): void => {}) => {
    const chunks: Buffer[] = [];
    const w = new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c);
        onWrite();
        cb();
      },
    });
    return { w: w as unknown as NodeJS.WriteStream, text: () => Buffer.concat(chunks).toString() };
  };
  const out = sink(onOutput);
  const err = sink();
  stdin.end();
  return { stdin: stdin as unknown as NodeJS.ReadStream, out, err };
}

function clientOf(p: ConnectionPair): SshClient {
  return {
    transport: p.pair.client,
    connection: p.client,
    authMethod: 'none',
    jumpClient: null,
    openSession: () => p.client.openSession(),
    closed: p.pair.client.closed,
    close: () => p.pair.client.disconnect(),
  };
}

/** A server whose `exec` does `onExec`; pty-req is refused when `refusePty`. */
async function sessionServer(onExec: (s: ServerSession) => void, refusePty = false) {
  const p = await connectionPair();
  p.server.onSession = (s) => {
    s.onRequest = (r, a) => {
      if (r.kind === 'pty-req' && refusePty) return a.reject();
      a.accept();
      if (r.kind === 'exec') onExec(s);
    };
  };
  return p;
}

test('with a pty: the exit status, then "Connection to HOST closed." as ssh says it', async () => {
  const p = await sessionServer((s) => void s.finish({ code: 3 }));
  const io = stdio();
  const code = await runSession(clientOf(p), {
    command: ['x'],
    pty: true,
    env: [],
    stdin: io.stdin,
    stdout: io.out.w,
    stderr: io.err.w,
    host: 'h.example',
  });
  assert.equal(code, 3);
  assert.equal(io.err.text(), 'Connection to h.example closed.\r\n');
  p.pair.client.disconnect();
});

test('without a pty no closing line; a refused pty is said, as ssh does', async () => {
  const plain = await sessionServer((s) => void s.finish({ code: 0 }));
  const a = stdio();
  const base = { command: ['x'], env: [], host: 'h' } as const;
  const opts = (io: ReturnType<typeof stdio>, pty: boolean) => ({
    ...base,
    pty,
    stdin: io.stdin,
    stdout: io.out.w,
    stderr: io.err.w,
  });
  assert.equal(await runSession(clientOf(plain), opts(a, false)), 0);
  assert.equal(a.err.text(), '');
  plain.pair.client.disconnect();

  const refusing = await sessionServer((s) => void s.finish({ code: 0 }), true);
  const b = stdio();
  assert.equal(await runSession(clientOf(refusing), opts(b, true)), 0);
  assert.equal(
    b.err.text(),
    'PTY allocation request failed on channel 0\r\nConnection to h closed.\r\n',
  );
  refusing.pair.client.disconnect();
});

test('a connection lost mid-session: 255, and the closing line is left to the caller', async () => {
  const p = await sessionServer((s) => void s.stdout.write('running'));
  // once the command runs, the socket drops: the client's transport ends with ConnectionLost
  const io = stdio(() => p.pair.client.abort(new ConnectionLost('gone')));
  const code = await runSession(clientOf(p), {
    command: ['x'],
    pty: true,
    env: [],
    stdin: io.stdin,
    stdout: io.out.w,
    stderr: io.err.w,
    host: 'h',
  });
  assert.equal(code, 255);
  assert.equal(io.err.text(), '');
});

test('closedMessage without a host name', () => {
  assert.equal(closedMessage(undefined), 'Connection closed.\r\n');
});
