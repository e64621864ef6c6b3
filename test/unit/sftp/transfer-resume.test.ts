/**
 * Interrupted transfers and their resume, against OpenSSH's sftp-server as a child: a cancel,
 * the server killed, and ENOSPC on the local write each leave the old target untouched and a
 * `.part` holding a prefix of the file, from which reget completes an identical file; reput
 * continues a remote prefix; a local (or remote) file larger than its source refuses to
 * resume, and an equal one needs no bytes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  download,
  upload,
  TransferCancelledError,
  TransferError,
} from '../../../core/sftp/transfer/index.js';
import { sliceParts } from '../../../core/wire/byte-parts.js';
import { SftpConnectionLostError } from '../../../core/sftp/errors.js';
import { tempDir, type TempDir } from '../../support/temp-dir.js';
import {
  errnoError,
  forwardingHandle,
  sha,
  shaFile,
  startSftpServer,
  watchLocal,
  wrapLocal,
  type ServerChild,
} from '../../support/sftp-harness.js';

let tmp: TempDir;
let root = '';
const servers: ServerChild[] = [];
const SIZE = 32 * 1024 * 1024 + 7;
let data: Buffer;

before(() => {
  tmp = tempDir('transfer-resume');
  root = realpathSync(tmp.dir);
  mkdirSync(join(root, 'remote'));
  mkdirSync(join(root, 'local'));
  data = randomBytes(SIZE);
  writeFileSync(join(root, 'remote', 'big.bin'), data);
  writeFileSync(join(root, 'local', 'big.bin'), data);
});

after(async () => {
  for (const s of servers) await s.stop();
  tmp.cleanup();
});

async function server(): Promise<ServerChild> {
  const s = await startSftpServer(root);
  servers.push(s);
  return s;
}

const R = (name: string): string => join(root, 'remote', name);
const L = (name: string): string => join(root, 'local', name);
const OLD = 'the old target, which must survive';
const isPart = (p: string): boolean => p.endsWith('.part');

/** The .part holds a proper, correct prefix of the remote file. */
function assertPrefix(part: string): number {
  const got = readFileSync(part);
  assert.ok(got.length > 0 && got.length < SIZE, `.part has ${got.length} bytes`);
  assert.equal(sha(got), sha(data.subarray(0, got.length)));
  return got.length;
}

async function resumeAndCheck(target: string, partSize: number): Promise<void> {
  const s = await server();
  const r = await download(s.client, R('big.bin'), target, { resume: true });
  assert.deepEqual(r, { files: 1, bytes: SIZE - partSize, failures: [] });
  assert.equal(shaFile(target), sha(data));
  assert.equal(existsSync(`${target}.part`), false);
}

test('cancel mid-download: TransferCancelledError, old target intact, .part; resume completes', async () => {
  const s = await server();
  const target = L('cancelled.bin');
  writeFileSync(target, OLD);
  const ac = new AbortController();
  const local = watchLocal(isPart, {
    onWrite: (n) => {
      if (n >= 4 * 1024 * 1024) ac.abort();
    },
  });
  await assert.rejects(
    download(s.client, R('big.bin'), target, { signal: ac.signal, local }),
    (e: unknown) => {
      assert.ok(e instanceof TransferCancelledError);
      assert.equal(e.code, 'TRANSFER_CANCELLED');
      return true;
    },
  );
  assert.equal(readFileSync(target, 'utf8'), OLD);
  assert.equal(statSync(`${target}.part`).mode & 0o777, 0o600, '.part is private until done');
  const partSize = assertPrefix(`${target}.part`);
  // the session is still usable after a cancel
  assert.equal((await s.client.stat(R('big.bin'))).size, SIZE);
  await resumeAndCheck(target, partSize);
});

test('an already-aborted signal sends nothing and writes nothing', async () => {
  const s = await server();
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    download(s.client, R('big.bin'), L('never.bin'), { signal: ac.signal }),
    TransferCancelledError,
  );
  assert.equal(existsSync(L('never.bin.part')), false);
  await assert.rejects(
    upload(s.client, L('big.bin'), R('never.bin'), { signal: ac.signal }),
    TransferCancelledError,
  );
  assert.equal(existsSync(R('never.bin')), false);
});

test('sftp-server killed mid-download: old target and .part kept; a fresh server resumes', async () => {
  const s = await server();
  const target = L('killed.bin');
  writeFileSync(target, OLD);
  let killed = false;
  const local = watchLocal(isPart, {
    onWrite: async (n) => {
      if (killed || n < 4 * 1024 * 1024) return;
      killed = true;
      s.child.kill('SIGKILL');
      await s.client.closed;
    },
  });
  await assert.rejects(download(s.client, R('big.bin'), target, { local }), (e: unknown) => {
    assert.ok(e instanceof TransferError, String(e));
    assert.ok(e.cause instanceof SftpConnectionLostError, String(e.cause));
    return true;
  });
  assert.ok(killed);
  assert.equal(readFileSync(target, 'utf8'), OLD);
  const partSize = assertPrefix(`${target}.part`);
  await resumeAndCheck(target, partSize);
});

test('ENOSPC on the local write: TransferError naming it, old target and .part kept', async () => {
  const s = await server();
  const target = L('enospc.bin');
  writeFileSync(target, OLD);
  const calls = new Set<string>();
  const local = watchLocal(isPart, {
    onWrite: (n, call) => {
      calls.add(call);
      if (n >= 3 * 1024 * 1024) throw errnoError('ENOSPC', 'write');
    },
  });
  await assert.rejects(download(s.client, R('big.bin'), target, { local }), (e: unknown) => {
    assert.ok(e instanceof TransferError);
    assert.equal((e.cause as NodeJS.ErrnoException).code, 'ENOSPC');
    assert.match(e.message, /ENOSPC/);
    assert.match(e.message, /big\.bin/);
    return true;
  });
  // downloads write each reply's parts with one writev, and that is the call that failed
  assert.deepEqual([...calls], ['writev']);
  assert.equal(readFileSync(target, 'utf8'), OLD);
  const partSize = assertPrefix(`${target}.part`);
  // the session is still usable, and resume completes
  await resumeAndCheck(target, partSize);
});

test('a short writev: the rest of the parts is written at the right offset', async () => {
  const s = await server();
  const target = L('short-writev.bin');
  let calls = 0;
  let short = 0;
  const local = wrapLocal((fh, path) =>
    !isPart(path)
      ? fh
      : {
          ...forwardingHandle(fh),
          // every other call writes a third of what it was given (cutting inside a part)
          writev: (buffers, at) => {
            const total = buffers.reduce((n, b) => n + b.length, 0);
            if (calls++ % 2 === 1 || total < 3) return fh.writev(buffers, at);
            short++;
            return fh.writev(sliceParts(buffers, 0, Math.floor(total / 3)), at);
          },
        },
  );
  const r = await download(s.client, R('big.bin'), target, { local });
  assert.deepEqual(r, { files: 1, bytes: SIZE, failures: [] });
  assert.ok(short > 10, `${short} short writes`);
  assert.equal(shaFile(target), sha(data));
});

test('reget: local .part larger than the remote is a TransferError; nothing is touched', async () => {
  const s = await server();
  const target = L('larger.bin');
  writeFileSync(target, OLD);
  writeFileSync(`${target}.part`, Buffer.concat([data, Buffer.from('extra')]));
  await assert.rejects(download(s.client, R('big.bin'), target, { resume: true }), (e: unknown) => {
    assert.ok(e instanceof TransferError);
    assert.match(e.message, /larger than the remote/);
    return true;
  });
  assert.equal(readFileSync(target, 'utf8'), OLD);
  assert.equal(statSync(`${target}.part`).size, SIZE + 5);
  // only the target, larger: the same refusal
  writeFileSync(L('larger2.bin'), Buffer.concat([data, Buffer.from('x')]));
  await assert.rejects(
    download(s.client, R('big.bin'), L('larger2.bin'), { resume: true }),
    /larger than the remote/,
  );
  assert.equal(statSync(L('larger2.bin')).size, SIZE + 1);
});

test('reget: equal sizes need no bytes; a whole .part is just renamed', async () => {
  const s = await server();
  writeFileSync(L('equal.bin'), data);
  const before = statSync(L('equal.bin')).mtimeMs;
  let r = await download(s.client, R('big.bin'), L('equal.bin'), { resume: true });
  assert.deepEqual(r, { files: 1, bytes: 0, failures: [] });
  assert.equal(statSync(L('equal.bin')).mtimeMs, before);

  writeFileSync(L('whole-part.bin'), OLD);
  writeFileSync(L('whole-part.bin.part'), data);
  r = await download(s.client, R('big.bin'), L('whole-part.bin'), { resume: true });
  assert.equal(r.bytes, 0);
  assert.equal(shaFile(L('whole-part.bin')), sha(data));
  assert.equal(existsSync(L('whole-part.bin.part')), false);
});

test('reget with only a smaller target continues a copy of it, as OpenSSH continues it', async () => {
  const s = await server();
  const target = L('prefix-target.bin');
  writeFileSync(target, data.subarray(0, 5_000_000));
  const r = await download(s.client, R('big.bin'), target, { resume: true });
  assert.equal(r.bytes, SIZE - 5_000_000);
  assert.equal(shaFile(target), sha(data));
  assert.equal(existsSync(`${target}.part`), false);
});

test('without resume a stale .part is discarded and the file downloaded whole', async () => {
  const s = await server();
  writeFileSync(L('stale.bin.part'), 'garbage that is not a prefix');
  const r = await download(s.client, R('big.bin'), L('stale.bin'));
  assert.equal(r.bytes, SIZE);
  assert.equal(shaFile(L('stale.bin')), sha(data));
});

test('reput: continues the remote prefix; larger remote refuses; equal needs nothing', async () => {
  const s = await server();
  writeFileSync(R('reput.bin'), data.subarray(0, 7_777_777));
  let r = await upload(s.client, L('big.bin'), R('reput.bin'), { resume: true });
  assert.deepEqual(r, { files: 1, bytes: SIZE - 7_777_777, failures: [] });
  assert.equal(shaFile(R('reput.bin')), sha(data));

  r = await upload(s.client, L('big.bin'), R('reput.bin'), { resume: true });
  assert.equal(r.bytes, 0);
  assert.equal(shaFile(R('reput.bin')), sha(data));

  writeFileSync(R('reput-larger.bin'), Buffer.concat([data, Buffer.from('more')]));
  await assert.rejects(
    upload(s.client, L('big.bin'), R('reput-larger.bin'), { resume: true }),
    (e: unknown) => e instanceof TransferError && /larger than the local/.test(e.message),
  );
  assert.equal(statSync(R('reput-larger.bin')).size, SIZE + 4);

  // resume with no remote file yet: uploads it all
  r = await upload(s.client, L('big.bin'), R('reput-new.bin'), { resume: true });
  assert.equal(r.bytes, SIZE);
  assert.equal(shaFile(R('reput-new.bin')), sha(data));
});

test('cancel mid-upload leaves a clean remote prefix; reput completes it', async () => {
  const s = await server();
  const ac = new AbortController();
  const local = watchLocal((p) => p === L('big.bin'), {
    onRead: (n) => {
      if (n >= 6 * 1024 * 1024) ac.abort();
    },
  });
  await assert.rejects(
    upload(s.client, L('big.bin'), R('cut.bin'), { signal: ac.signal, local }),
    TransferCancelledError,
  );
  const got = readFileSync(R('cut.bin'));
  assert.ok(got.length > 0 && got.length < SIZE, `remote has ${got.length}`);
  assert.equal(sha(got), sha(data.subarray(0, got.length)), 'a prefix, no holes');
  const r = await upload(s.client, L('big.bin'), R('cut.bin'), { resume: true });
  assert.equal(r.bytes, SIZE - got.length);
  assert.equal(shaFile(R('cut.bin')), sha(data));
});

test('a failed local read mid-upload is a TransferError; the remote is cut to what landed', async () => {
  const s = await server();
  const local = watchLocal((p) => p === L('big.bin'), {
    onRead: (n) => {
      if (n >= 2 * 1024 * 1024) throw errnoError('EIO', 'read');
    },
  });
  await assert.rejects(upload(s.client, L('big.bin'), R('eio.bin'), { local }), (e: unknown) => {
    assert.ok(e instanceof TransferError);
    assert.equal((e.cause as NodeJS.ErrnoException).code, 'EIO');
    return true;
  });
  const got = readFileSync(R('eio.bin'));
  assert.ok(got.length < 2 * 1024 * 1024 + 255 * 1024, `${got.length} bytes landed`);
  assert.equal(sha(got), sha(data.subarray(0, got.length)));
  truncateSync(R('eio.bin'), 0);
});
