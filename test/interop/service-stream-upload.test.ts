/**
 * Streamed uploads (core/service/files/stream-uploads.ts) through the browser host's real
 * WebSocket against keyway sshd: the bytes of a file the page holds (no local path) sent as
 * beginUpload + writeUpload chunks arrive whole (sha256 equal) and are reported as transfer
 * events; the bounds hold (chunk size, offsets, the declared size, one write at a time, open
 * uploads at once, an idle upload) with typed errors; cancel removes the partial file.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionInfo, TransferInfo } from '../../core/service/api/contract.js';
import { UPLOAD_CHUNK_MAX } from '../../core/service/api/contract.js';
import { MAX_STREAM_UPLOADS } from '../../core/service/files/stream-uploads.js';
import { createService, type Service } from '../../core/service/service.js';
import { startWebHost, type WebHost } from '../../core/service/web/web-host.js';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { openServiceClient, type TestServiceClient } from '../support/service-client.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait.js';

const IDLE_MS = 1500;
let tmp: TempDir;
let kwd: KeywaySshd;
let service: Service;
let host: WebHost;
let c: TestServiceClient;
let conn: ConnectionInfo;
let remote: string;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

before(async () => {
  tmp = tempDir('stream-upload');
  const home = tmp.path('home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const key = join(home, '.ssh', 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  kwd = await startKeywaySshd({ authorizedKeys: [readFileSync(`${key}.pub`, 'utf8').trim()] });
  service = createService({
    home,
    dataDir: tmp.path('data'),
    agentPath: null,
    globalKnownHostsFiles: [],
    streamIdleMs: IDLE_MS,
  });
  host = await startWebHost({ service, uiDir: tmp.path('ui') });
  c = await openServiceClient(host.wsUrl, host.origin);
  const info = await c.api.connect({ target: { kind: 'quick', text: `127.0.0.1:${kwd.port}` } });
  const prompt = await c.waitEvent('prompt', (p) => p.connectionId === info.connectionId);
  await c.api.answerPrompt({
    promptId: prompt.promptId,
    answer: { kind: 'hostKey', decision: 'once' },
  });
  conn = await c.waitEvent(
    'connectionState',
    (p) => p.connectionId === info.connectionId && p.state === 'connected',
  );
  remote = tmp.path('remote');
  mkdirSync(remote);
});

after(async () => {
  await c?.close();
  service?.close();
  await host?.close();
  await kwd?.stop();
  tmp?.cleanup();
});

function lastEvent(id: string): TransferInfo | undefined {
  return c.events
    .filter((e) => e.name === 'transfer' && (e.payload as TransferInfo).transferId === id)
    .map((e) => e.payload as TransferInfo)
    .at(-1);
}

async function begin(name: string, size: number): Promise<TransferInfo> {
  return c.api.beginUpload({
    connectionId: conn.connectionId,
    remotePath: join(remote, name),
    name,
    size,
  });
}

test('a file sent in chunks arrives whole and is reported as a streamed upload', async () => {
  const bytes = randomBytes(2 * UPLOAD_CHUNK_MAX + 12_345);
  const up = await begin('streamed.bin', bytes.length);
  assert.equal(up.state, 'running');
  assert.equal(up.streamed, true);
  assert.equal(up.localPath, 'streamed.bin');
  for (let at = 0; at < bytes.length; at += UPLOAD_CHUNK_MAX)
    await c.api.writeUpload({
      transferId: up.transferId,
      offset: at,
      data: bytes.subarray(at, at + UPLOAD_CHUNK_MAX),
    });
  await waitFor(() => lastEvent(up.transferId)?.state === 'done', 'the done event');
  const done = lastEvent(up.transferId);
  assert.equal(done?.bytes, bytes.length);
  assert.equal(done?.filesDone, 1);
  assert.equal(sha256(readFileSync(join(remote, 'streamed.bin'))), sha256(bytes));
  const listed = (await c.api.listTransfers({})).find((t) => t.transferId === up.transferId);
  assert.equal(listed?.state, 'done');
  // a finished upload takes no more chunks and cancelling it changes nothing
  await assert.rejects(
    c.api.writeUpload({
      transferId: up.transferId,
      offset: bytes.length,
      data: bytes.subarray(0, 1),
    }),
    { code: 'NOT_FOUND' },
  );
  await c.api.cancelTransfer({ transferId: up.transferId });
  assert.equal(lastEvent(up.transferId)?.state, 'done');
});

test('an empty file is created at once', async () => {
  const up = await begin('empty.bin', 0);
  await waitFor(() => lastEvent(up.transferId)?.state === 'done', 'done');
  assert.equal(statSync(join(remote, 'empty.bin')).size, 0);
});

test('bad chunks and names are typed errors; the upload goes on after them', async () => {
  const bytes = randomBytes(1000);
  const up = await begin('checked.bin', bytes.length);
  const id = up.transferId;
  const bad: [unknown, string][] = [
    [{ transferId: id, offset: 5, data: bytes.subarray(0, 10) }, 'INVALID_ARGUMENT'],
    [{ transferId: id, offset: 0, data: randomBytes(1001) }, 'INVALID_ARGUMENT'],
    [{ transferId: id, offset: 0, data: new Uint8Array(0) }, 'INVALID_ARGUMENT'],
    [{ transferId: id, offset: 0, data: randomBytes(UPLOAD_CHUNK_MAX + 1) }, 'INVALID_ARGUMENT'],
    [{ transferId: id, offset: 0, data: 'text' }, 'INVALID_ARGUMENT'],
    [{ transferId: 'nope', offset: 0, data: bytes }, 'NOT_FOUND'],
  ];
  for (const [args, code] of bad)
    await assert.rejects(c.api.writeUpload(args as never), { code }, JSON.stringify(args));
  for (const name of ['a/b', '..', 'x\n', ''])
    await assert.rejects(
      c.api.beginUpload({ connectionId: conn.connectionId, remotePath: '/tmp/x', name, size: 1 }),
      { code: 'INVALID_ARGUMENT' },
      name,
    );
  await assert.rejects(
    c.api.beginUpload({ connectionId: conn.connectionId, remotePath: '/x', name: 'x', size: -1 }),
    { code: 'INVALID_ARGUMENT' },
  );
  // two chunks at once: the second is refused while the first is written
  const first = c.api.writeUpload({ transferId: id, offset: 0, data: bytes.subarray(0, 500) });
  const second = assert.rejects(
    c.api.writeUpload({ transferId: id, offset: 500, data: bytes.subarray(500) }),
    { code: 'INVALID_ARGUMENT' },
  );
  await first;
  await second;
  await c.api.writeUpload({ transferId: id, offset: 500, data: bytes.subarray(500) });
  await waitFor(() => lastEvent(id)?.state === 'done', 'done');
  assert.equal(sha256(readFileSync(join(remote, 'checked.bin'))), sha256(bytes));
});

test('at most MAX_STREAM_UPLOADS at once; cancel removes the partial file', async () => {
  const open: TransferInfo[] = [];
  for (let i = 0; i < MAX_STREAM_UPLOADS; i++) open.push(await begin(`many-${i}.bin`, 10));
  await assert.rejects(begin('one-too-many.bin', 10), { code: 'SERVICE_LIMIT' });
  await c.api.writeUpload({
    transferId: open[0]?.transferId ?? '',
    offset: 0,
    data: randomBytes(4),
  });
  for (const u of open) await c.api.cancelTransfer({ transferId: u.transferId });
  for (const u of open) {
    await waitFor(() => lastEvent(u.transferId)?.state === 'cancelled', 'cancelled');
    await waitFor(() => !existsSync(u.remotePath), `${u.remotePath} removed`);
  }
  // room again
  const again = await begin('again.bin', 1);
  await c.api.writeUpload({ transferId: again.transferId, offset: 0, data: randomBytes(1) });
  await waitFor(() => lastEvent(again.transferId)?.state === 'done', 'done');
});

test('an upload no chunk reaches fails after the idle time and is removed', async () => {
  const up = await begin('idle.bin', 100);
  await c.api.writeUpload({ transferId: up.transferId, offset: 0, data: randomBytes(10) });
  await waitFor(() => lastEvent(up.transferId)?.state === 'failed', 'failed', IDLE_MS * 10);
  assert.match(lastEvent(up.transferId)?.error?.message ?? '', /no data for/);
  await waitFor(() => !existsSync(up.remotePath), 'removed');
  await assert.rejects(
    c.api.writeUpload({ transferId: up.transferId, offset: 10, data: randomBytes(10) }),
    { code: 'NOT_FOUND' },
  );
});
