/**
 * The application service driven end to end through the browser host's real WebSocket
 * (core/service/web), against Debian's OpenSSH sshd 9.2 and keyway sshd: quick connect with
 * the host-key prompt answered (and nothing authenticating before the answer), a changed key
 * refused, a password prompt, terminals (a command's output, resize, flow control holding a
 * `yes` flood to a bounded number of bytes until the client acknowledges), SFTP listing and
 * file operations, uploads and downloads through the queue with progress, cancel and resume
 * (sha256 equal), bad arguments rejected with typed errors, and the WebSocket refused without
 * the token or from another origin.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { ConnectionInfo, Prompt, TransferInfo } from '../../core/service/api/contract.js';
import { FLOW_HIGH_WATERMARK } from '../../core/service/api/contract.js';
import { ServiceCallError } from '../../core/service/api/errors.js';
import { encodeFrame } from '../../core/service/api/frames.js';
import { createService, type Service } from '../../core/service/service.js';
import { BATCH_MAX_BYTES } from '../../core/service/terminals/batcher.js';
import { startWebHost, type WebHost } from '../../core/service/web/web-host.js';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { openServiceClient, type TestServiceClient } from '../support/service-client.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait.js';
import { ensureTestUser, startOpenSsh, type RunningServer } from './harness/index.js';

let tmp: TempDir;
let home: string;
let openssh: RunningServer;
let kwd: KeywaySshd;
let service: Service;
let host: WebHost;
let c: TestServiceClient;
const me = userInfo().username;

before(async () => {
  tmp = tempDir('service-web');
  home = tmp.path('home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const key = join(home, '.ssh', 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const pub = readFileSync(`${key}.pub`, 'utf8').trim();
  const passwordFile = tmp.path('password');
  writeFileSync(passwordFile, 'sesame-open\n', { mode: 0o600 });
  chmodSync(passwordFile, 0o600);
  openssh = await startOpenSsh({ authorizedKeys: [pub], extraConfig: ['LogLevel INFO'] });
  kwd = await startKeywaySshd({ authorizedKeys: [pub], args: ['--password-file', passwordFile] });
  service = createService({
    home,
    dataDir: tmp.path('data'),
    agentPath: null,
    globalKnownHostsFiles: [],
  });
  host = await startWebHost({ service, uiDir: tmp.path('ui') });
  c = await openServiceClient(host.wsUrl, host.origin);
});

after(async () => {
  await c?.close();
  service?.close();
  await host?.close();
  await openssh?.stop();
  await kwd?.stop();
  tmp?.cleanup();
});

function stateOf(id: string, state: ConnectionInfo['state']) {
  return (p: ConnectionInfo) => p.connectionId === id && p.state === state;
}

/** Quick-connects, answers the new-host-key prompt with `decision`, waits for connected. */
async function connectAccepting(
  text: string,
  decision: 'save' | 'once' = 'save',
): Promise<ConnectionInfo> {
  const info = await c.api.connect({ target: { kind: 'quick', text } });
  const prompt = await c.waitEvent(
    'prompt',
    (p) => p.connectionId === info.connectionId && p.kind === 'hostKey',
  );
  assert.equal(prompt.kind, 'hostKey');
  if (prompt.kind !== 'hostKey') return info;
  assert.equal(prompt.status, 'new');
  assert.match(prompt.key.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  assert.match(prompt.key.randomart, /^\+-+\[ED25519 256\]-+\+\n/);
  assert.ok(prompt.key.knownHostsLine.endsWith(prompt.key.knownHostsLine.split(' ')[2] ?? 'x'));
  // nothing authenticates before the answer
  const before = c.events.filter(
    (e) =>
      e.name === 'connectionState' &&
      (e.payload as ConnectionInfo).connectionId === info.connectionId,
  );
  assert.deepEqual(
    before.map((e) => (e.payload as ConnectionInfo).state),
    ['connecting'],
  );
  await c.api.answerPrompt({ promptId: prompt.promptId, answer: { kind: 'hostKey', decision } });
  return c.waitEvent(
    'connectionState',
    stateOf(info.connectionId, 'connected'),
    `${text} connected`,
  );
}

let osshConn: ConnectionInfo;
let kwdConn: ConnectionInfo;

test('quick connect to OpenSSH: host-key prompt, saved to known_hosts, then connected', async () => {
  const user = ensureTestUser().user;
  osshConn = await connectAccepting(`${user}@127.0.0.1:${openssh.port}`);
  assert.equal(osshConn.label, `${user}@127.0.0.1:${openssh.port}`);
  const known = readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8');
  assert.match(known, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${openssh.port} `, 'm'));
  // the same host again shares the connection
  const again = await c.api.connect({
    target: { kind: 'quick', text: `${user}@127.0.0.1:${openssh.port}` },
  });
  assert.equal(again.connectionId, osshConn.connectionId);
  assert.equal(again.state, 'connected');
});

test('keyway sshd: accepted once (not saved)', async () => {
  kwdConn = await connectAccepting(`${me}@127.0.0.1:${kwd.port}`, 'once');
  const known = readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8');
  assert.doesNotMatch(known, new RegExp(`\\]:${kwd.port} `));
});

async function openTerminal(connectionId: string, cols = 80, rows = 24) {
  const t = await c.api.openTerminal({ connectionId, cols, rows });
  return { id: t.terminalId, tap: c.terminal(t.terminalId) };
}

for (const which of ['openssh', 'keyway'] as const) {
  test(`${which}: a terminal runs a command, its output arrives, and stty size follows resize`, async () => {
    const conn = which === 'openssh' ? osshConn : kwdConn;
    const { id, tap } = await openTerminal(conn.connectionId, 80, 24);
    const tag = `hello-${randomBytes(4).toString('hex')}`;
    await c.api.writeTerminal({
      terminalId: id,
      data: `echo ${tag.slice(0, 6)}""${tag.slice(6)}\n`,
    });
    await waitFor(() => tap.text().includes(tag), 'the echo');
    await c.api.resizeTerminal({ terminalId: id, cols: 101, rows: 33 });
    await c.api.writeTerminal({ terminalId: id, data: 'stty size\n' });
    await waitFor(() => /33 101\r\n/.test(tap.text()), 'stty size 33 101');
    await c.api.writeTerminal({ terminalId: id, data: 'exit 3\n' });
    const exit = await c.waitEvent('terminalExit', (e) => e.terminalId === id);
    assert.equal(exit.exitCode, 3);
  });
}

test('flow control: a client that stops acknowledging stops the flood, acknowledging resumes it', async () => {
  const { id, tap } = await openTerminal(osshConn.connectionId);
  await c.api.writeTerminal({ terminalId: id, data: 'stty -echo; echo rea""dy\n' });
  await waitFor(() => tap.text().includes('ready'), 'the shell');
  await tap.ackAll();
  tap.autoAck = false;
  const start = tap.bytes();
  await c.api.writeTerminal({ terminalId: id, data: 'yes\n' });
  await waitFor(() => service.terminals.flowState(id).paused, 'the service to pause the channel');
  const bound = FLOW_HIGH_WATERMARK + 2 * BATCH_MAX_BYTES;
  // `yes` goes on writing; what reaches the client stays bounded while nothing is acknowledged
  await new Promise((r) => setTimeout(r, 500));
  const held = tap.bytes() - start;
  assert.ok(held > FLOW_HIGH_WATERMARK, `the flood reached the client (${held} bytes)`);
  assert.ok(held <= bound, `held ${held} bytes, bound ${bound}`);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(tap.bytes() - start <= bound, 'still bounded');
  // acknowledging lets the output flow again
  const before = tap.bytes();
  tap.autoAck = true;
  await tap.ackAll();
  await waitFor(
    () => tap.bytes() > before + FLOW_HIGH_WATERMARK,
    'more output after the acknowledgement',
  );
  await c.api.writeTerminal({ terminalId: id, data: '\x03' });
  await c.api.writeTerminal({ terminalId: id, data: 'echo st""opped\n' });
  await waitFor(() => tap.text().slice(-4096).includes('stopped'), 'the prompt after Ctrl-C');
  await c.api.closeTerminal({ terminalId: id });
  await c.waitEvent('terminalExit', (e) => e.terminalId === id);
});

test('SFTP on OpenSSH: home directory and listing', async () => {
  const id = osshConn.connectionId;
  const homeDir = await c.api.remoteHome({ connectionId: id });
  assert.match(homeDir, /^\//);
  const listing = await c.api.remoteList({ connectionId: id, path: '/etc' });
  const passwd = listing.entries.find((e) => e.name === 'passwd');
  assert.equal(passwd?.kind, 'file');
  assert.equal(passwd?.path, '/etc/passwd');
  assert.ok(!listing.entries.some((e) => e.name === '.' || e.name === '..'));
  const names = listing.entries.map((e) => e.name);
  assert.deepEqual(names, [...names].sort());
});

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function transferDone(id: string, state: TransferInfo['state'] = 'done') {
  return c.waitEvent(
    'transfer',
    (t) => t.transferId === id && t.state === state,
    `transfer ${state}`,
    60_000,
  );
}

test('SFTP on keyway sshd: file operations, upload and download through the queue with progress', async () => {
  const id = kwdConn.connectionId;
  const remote = tmp.path('remote');
  await c.api.remoteMkdir({ connectionId: id, path: remote });
  const src = tmp.path('upload.bin');
  writeFileSync(src, randomBytes(3 * 1024 * 1024 + 17));
  const up = await c.api.startTransfer({
    connectionId: id,
    direction: 'upload',
    localPath: src,
    remotePath: `${remote}/up.bin`,
  });
  assert.equal(up.state, 'queued');
  const done = await transferDone(up.transferId);
  assert.equal(done.bytes, statSync(src).size);
  assert.equal(done.filesDone, 1);
  const progress = c.events.filter(
    (e) => e.name === 'transfer' && (e.payload as TransferInfo).transferId === up.transferId,
  );
  assert.ok(progress.some((e) => (e.payload as TransferInfo).state === 'running'));

  const listing = await c.api.remoteList({ connectionId: id, path: remote });
  assert.deepEqual(
    listing.entries.map((e) => [e.name, e.kind, e.size]),
    [['up.bin', 'file', statSync(src).size]],
  );

  await c.api.remoteRename({
    connectionId: id,
    from: `${remote}/up.bin`,
    to: `${remote}/moved.bin`,
  });
  await c.api.remoteChmod({ connectionId: id, path: `${remote}/moved.bin`, mode: 0o640 });
  const st = await c.api.remoteStat({ connectionId: id, path: `${remote}/moved.bin` });
  assert.equal(st.mode, 0o640);

  const dst = tmp.path('download.bin');
  const down = await c.api.startTransfer({
    connectionId: id,
    direction: 'download',
    localPath: dst,
    remotePath: `${remote}/moved.bin`,
  });
  await transferDone(down.transferId);
  assert.equal(sha256(dst), sha256(src));

  await c.api.remoteMkdir({ connectionId: id, path: `${remote}/sub` });
  await assert.rejects(
    c.api.remoteDelete({ connectionId: id, path: remote }),
    (e: ServiceCallError) => e.code.startsWith('SFTP_'),
  );
  await c.api.remoteDelete({ connectionId: id, path: remote, recursive: true });
  assert.equal(existsSync(remote), false);
});

test('transfers: cancel a queued and a running download, then resume it to a whole file', async () => {
  const id = kwdConn.connectionId;
  const big = tmp.path('big.bin');
  writeFileSync(big, randomBytes(64 * 1024 * 1024));
  const dst = tmp.path('big-copy.bin');
  const running = await c.api.startTransfer({
    connectionId: id,
    direction: 'download',
    localPath: dst,
    remotePath: big,
  });
  const queued = await c.api.startTransfer({
    connectionId: id,
    direction: 'download',
    localPath: tmp.path('never.bin'),
    remotePath: big,
  });
  await c.api.cancelTransfer({ transferId: queued.transferId });
  await transferDone(queued.transferId, 'cancelled');
  await c.waitEvent(
    'transfer',
    (t) => t.transferId === running.transferId && t.bytes > 0,
    'progress',
  );
  await c.api.cancelTransfer({ transferId: running.transferId });
  const end = await c.waitEvent(
    'transfer',
    (t) => t.transferId === running.transferId && (t.state === 'cancelled' || t.state === 'done'),
    'cancel',
  );
  assert.equal(end.state, 'cancelled');
  assert.ok(existsSync(`${dst}.part`), 'a cancelled download keeps its .part');
  assert.equal(existsSync(dst), false);
  assert.equal(existsSync(tmp.path('never.bin')), false);
  const resumed = await c.api.startTransfer({
    connectionId: id,
    direction: 'download',
    localPath: dst,
    remotePath: big,
    resume: true,
  });
  await transferDone(resumed.transferId);
  assert.equal(sha256(dst), sha256(big));
  const list = await c.api.listTransfers({});
  assert.equal(list.find((t) => t.transferId === queued.transferId)?.state, 'cancelled');
});

test('local files: list, mkdir, rename, chmod, stat, delete', async () => {
  const dir = tmp.path('local');
  await c.api.localMkdir({ path: dir });
  writeFileSync(join(dir, 'a.txt'), 'abc');
  await c.api.localRename({ from: join(dir, 'a.txt'), to: join(dir, 'b.txt') });
  await c.api.localChmod({ path: join(dir, 'b.txt'), mode: 0o600 });
  const st = await c.api.localStat({ path: join(dir, 'b.txt') });
  assert.deepEqual([st.name, st.kind, st.size, st.mode], ['b.txt', 'file', 3, 0o600]);
  const listing = await c.api.localList({ path: dir });
  assert.deepEqual(
    listing.entries.map((e) => e.name),
    ['b.txt'],
  );
  assert.equal(await c.api.localHome({}), home);
  await assert.rejects(c.api.localList({ path: 'relative/dir' }), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(
    c.api.localStat({ path: join(dir, 'missing') }),
    (e: ServiceCallError) => e.code === 'LOCAL_FILE_ERROR' && e.details['errno'] === 'ENOENT',
  );
  await c.api.localDelete({ path: dir, recursive: true });
  assert.equal(existsSync(dir), false);
});

test('a password prompt answered logs in; a changed host key is refused and cannot be saved', async () => {
  // no key is authorized for this server: only the password works
  const pwServer = await startKeywaySshd({ args: ['--password-file', tmp.path('password')] });
  try {
    const info = await c.api.connect({
      target: { kind: 'quick', text: `${me}@127.0.0.1:${pwServer.port}` },
    });
    const hk = await c.waitEvent(
      'prompt',
      (p) => p.connectionId === info.connectionId && p.kind === 'hostKey',
    );
    await c.api.answerPrompt({
      promptId: hk.promptId,
      answer: { kind: 'hostKey', decision: 'save' },
    });
    // keyway sshd offers keyboard-interactive before password, as OpenSSH's client prefers
    const pw = await c.waitEvent(
      'prompt',
      (p) => p.connectionId === info.connectionId && p.kind !== 'hostKey',
    );
    await assert.rejects(
      c.api.answerPrompt({ promptId: pw.promptId, answer: { kind: 'hostKey', decision: 'once' } }),
      { code: 'PROMPT_ANSWER_INVALID' },
    );
    if (pw.kind === 'keyboardInteractive') {
      assert.equal(pw.prompts.length, 1);
      assert.equal(pw.prompts[0]?.echo, false);
      await assert.rejects(
        c.api.answerPrompt({
          promptId: pw.promptId,
          answer: { kind: 'keyboardInteractive', answers: ['a', 'b'] },
        }),
        { code: 'PROMPT_ANSWER_INVALID' },
      );
      await c.api.answerPrompt({
        promptId: pw.promptId,
        answer: { kind: 'keyboardInteractive', answers: ['sesame-open'] },
      });
    } else {
      assert.equal(pw.kind, 'password');
      await c.api.answerPrompt({
        promptId: pw.promptId,
        answer: { kind: 'secret', value: 'sesame-open' },
      });
    }
    await c.waitEvent('connectionState', stateOf(info.connectionId, 'connected'), 'password login');
    await c.api.disconnect({ connectionId: info.connectionId });
    await c.waitEvent('connectionState', stateOf(info.connectionId, 'disconnected'));
  } finally {
    await pwServer.stop();
  }
  // a server with other host keys on the same port name: known_hosts now has a different key
  const known = join(home, '.ssh', 'known_hosts');
  const line =
    readFileSync(known, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`[127.0.0.1]:${openssh.port} `)) ?? '';
  const impostor = await startKeywaySshd();
  try {
    writeFileSync(known, `${line.replace(`]:${openssh.port} `, `]:${impostor.port} `)}\n`, {
      flag: 'a',
    });
    const info = await c.api.connect({
      target: { kind: 'quick', text: `${me}@127.0.0.1:${impostor.port}` },
    });
    const p = (await c.waitEvent('prompt', (x) => x.connectionId === info.connectionId)) as Prompt;
    assert.equal(p.kind, 'hostKey');
    if (p.kind !== 'hostKey') return;
    assert.equal(p.status, 'changed');
    assert.equal(p.known.length, 1);
    assert.notEqual(p.known[0]?.fingerprint, p.key.fingerprint);
    await assert.rejects(
      c.api.answerPrompt({ promptId: p.promptId, answer: { kind: 'hostKey', decision: 'save' } }),
      { code: 'PROMPT_ANSWER_INVALID' },
    );
    await assert.rejects(
      c.api.answerPrompt({ promptId: p.promptId, answer: { kind: 'hostKey', decision: 'once' } }),
      { code: 'PROMPT_ANSWER_INVALID' },
    );
    await c.api.answerPrompt({
      promptId: p.promptId,
      answer: { kind: 'hostKey', decision: 'reject' },
    });
    const failed = await c.waitEvent(
      'connectionState',
      stateOf(info.connectionId, 'failed'),
      'refused',
    );
    assert.equal(failed.error?.code, 'HOST_KEY_ERROR');
    assert.equal(failed.error?.details['kind'], 'mismatch');
    assert.ok(
      !c.events.some(
        (e) =>
          e.name === 'connectionState' &&
          (e.payload as ConnectionInfo).connectionId === info.connectionId &&
          (e.payload as ConnectionInfo).state === 'authenticating',
      ),
    );
  } finally {
    await impostor.stop();
  }
});

test('bad arguments and unknown ids are typed errors that keep their code across the socket', async () => {
  const bad = (method: string, args: unknown) => c.client.call(method as 'connect', args as never);
  await assert.rejects(
    bad('connect', { target: { kind: 'quick', text: 5 } }),
    (e: ServiceCallError) => {
      assert.ok(e instanceof ServiceCallError);
      assert.equal(e.name, 'InvalidArgumentError');
      assert.equal(e.code, 'INVALID_ARGUMENT');
      assert.equal((e.details['issues'] as { path: string }[])[0]?.path, 'target.text');
      return true;
    },
  );
  await assert.rejects(
    bad('openTerminal', { connectionId: osshConn.connectionId, cols: 0, rows: 24 }),
    { code: 'INVALID_ARGUMENT' },
  );
  await assert.rejects(
    bad('remoteList', { connectionId: osshConn.connectionId, path: '/etc', extra: 1 }),
    { code: 'INVALID_ARGUMENT' },
  );
  await assert.rejects(bad('localList', { path: '/tmp\0x' }), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(bad('noSuchMethod', {}), { code: 'UNKNOWN_METHOD' });
  await assert.rejects(bad('__proto__', {}), { code: 'UNKNOWN_METHOD' });
  await assert.rejects(c.api.writeTerminal({ terminalId: 'nope', data: 'x' }), {
    code: 'NOT_FOUND',
    name: 'NotFoundError',
  });
  await assert.rejects(c.api.connect({ target: { kind: 'quick', text: 'a@b@:x' } }), {
    code: 'INVALID_ARGUMENT',
  });
  await assert.rejects(c.api.connect({ target: { kind: 'profile', id: 'missing' } }), {
    code: 'NOT_FOUND',
  });
});

test('a malformed frame closes that socket only; the service goes on', async () => {
  const other = await openServiceClient(host.wsUrl, host.origin);
  const closed = new Promise<number>((r) => other.ws.once('close', (code) => r(code)));
  other.ws.send(Uint8Array.from([0, 0, 0, 9, 1, 2]));
  assert.equal(await closed, 1007);
  assert.ok(Array.isArray(await c.api.listConnections({})));
  // a valid frame with a huge attachment length is refused the same way
  const third = await openServiceClient(host.wsUrl, host.origin);
  const closed3 = new Promise<number>((r) => third.ws.once('close', (code) => r(code)));
  const f = encodeFrame({ type: 'call', id: 1, method: 'listHosts', args: {} });
  const tail = Uint8Array.from([0xff, 0xff, 0xff, 0xff]);
  third.ws.send(Buffer.concat([f, tail]));
  assert.equal(await closed3, 1007);
});

function refusedWith(url: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => reject(new Error('the socket was let in')));
    ws.once('error', () => {});
  });
}

test('the WebSocket is refused without the token, with a wrong one, or from another origin', async () => {
  const noToken = host.wsUrl.replace(/\?token=.*$/, '');
  assert.equal(await refusedWith(noToken, host.origin), 401);
  // a token that differs whatever the real one is (changing one character could leave it as is)
  assert.equal(await refusedWith(host.wsUrl.replace(/token=/, 'token=X'), host.origin), 401);
  assert.equal(await refusedWith(host.wsUrl, 'http://evil.example'), 403);
  assert.equal(await refusedWith(host.wsUrl, `http://localhost:${host.port}`), 403);
  assert.equal(await refusedWith(host.wsUrl, undefined), 403);
});

test('HTTP: the not-built page, then the built renderer; nothing outside its directory', async () => {
  const page = await fetch(`${host.origin}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /not built/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  mkdirSync(tmp.path('ui/assets'), { recursive: true });
  writeFileSync(tmp.path('ui/index.html'), '<!doctype html><title>Keyway UI</title>');
  writeFileSync(tmp.path('ui/assets/app.js'), 'console.log(1)');
  const built = await fetch(`${host.origin}/`);
  assert.match(await built.text(), /Keyway UI/);
  const js = await fetch(`${host.origin}/assets/app.js`);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await fetch(`${host.origin}/%2e%2e/password`)).status, 404);
  assert.equal((await fetch(`${host.origin}/assets/../../password`)).status, 404);
  assert.equal((await fetch(`${host.origin}/missing.js`)).status, 404);
});

test('disconnect and reconnect: state events, and the shared connection works again', async () => {
  const id = osshConn.connectionId;
  await c.api.disconnect({ connectionId: id });
  await c.waitEvent('connectionState', stateOf(id, 'disconnected'));
  await assert.rejects(c.api.openTerminal({ connectionId: id, cols: 80, rows: 24 }), {
    code: 'NOT_CONNECTED',
  });
  const n = c.events.length;
  await c.api.reconnect({ connectionId: id });
  // the key is in known_hosts now: no prompt, straight to connected
  await waitFor(
    () =>
      c.events
        .slice(n)
        .some(
          (e) =>
            e.name === 'connectionState' && stateOf(id, 'connected')(e.payload as ConnectionInfo),
        ),
    'connected again',
  );
  assert.ok(!c.events.slice(n).some((e) => e.name === 'prompt'));
  const list = await c.api.listConnections({});
  assert.equal(list.find((x) => x.connectionId === id)?.state, 'connected');
  // connect() to a host whose connection was disconnected connects that one again, not another
  await c.api.disconnect({ connectionId: id });
  await c.waitEvent('connectionState', stateOf(id, 'disconnected'));
  const m = c.events.length;
  const again = await c.api.connect({ target: { kind: 'quick', text: osshConn.label } });
  assert.equal(again.connectionId, id);
  await waitFor(
    () =>
      c.events
        .slice(m)
        .some(
          (e) =>
            e.name === 'connectionState' && stateOf(id, 'connected')(e.payload as ConnectionInfo),
        ),
    'connected once more',
  );
  const after = await c.api.listConnections({});
  assert.equal(after.filter((x) => x.label === osshConn.label).length, 1);
});
