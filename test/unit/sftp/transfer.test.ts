/**
 * download() / upload() of single files against OpenSSH's sftp-server (spawned as a child):
 * sha256-identical round trips of 0, 1 and 1 MiB + 1 bytes, cp-like target resolution, modes
 * with and without -p, progress events, the errors for directories and special files, and files
 * that change between their stat and their transfer.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  download,
  upload,
  nodeLocalFs,
  TransferError,
  type LocalFs,
  type TransferProgress,
} from '../../../core/sftp/transfer/index.js';
import { SftpNoSuchFileError } from '../../../core/sftp/errors.js';
import type { FileAttributes } from '../../../core/sftp/attrs.js';
import type { SftpClient } from '../../../core/sftp/client.js';
import { tempDir, type TempDir } from '../../support/temp-dir.js';
import {
  forwardingHandle,
  sha,
  shaFile,
  spyClient,
  startSftpServer,
  wrapLocal,
  type ClientMethod,
  type ServerChild,
} from '../../support/sftp-harness.js';

let tmp: TempDir;
let root = '';
let server: ServerChild;
const umask = process.umask();

before(async () => {
  tmp = tempDir('transfer');
  root = realpathSync(tmp.dir);
  mkdirSync(join(root, 'remote'));
  mkdirSync(join(root, 'local'));
  server = await startSftpServer(root);
});

after(async () => {
  await server.stop();
  tmp.cleanup();
});

const R = (name: string): string => join(root, 'remote', name);
const L = (name: string): string => join(root, 'local', name);

for (const size of [0, 1, 1024 * 1024 + 1]) {
  test(`round trip of ${size} bytes: upload then download, sha256-identical`, async () => {
    const c = server.client;
    const data = randomBytes(size);
    writeFileSync(L(`src-${size}`), data);
    const up = await upload(c, L(`src-${size}`), R(`file-${size}`));
    assert.deepEqual(up, { files: 1, bytes: size, failures: [] });
    assert.equal(shaFile(R(`file-${size}`)), sha(data));

    const down = await download(c, R(`file-${size}`), L(`back-${size}`));
    assert.deepEqual(down, { files: 1, bytes: size, failures: [] });
    assert.equal(shaFile(L(`back-${size}`)), sha(data));
    assert.equal(existsSync(L(`back-${size}.part`)), false, 'the .part was renamed away');
  });
}

test('an existing directory as the target receives the source under its own name', async () => {
  const c = server.client;
  writeFileSync(R('named.txt'), 'hello');
  mkdirSync(L('into'));
  await download(c, R('named.txt'), L('into'));
  assert.equal(readFileSync(L('into/named.txt'), 'utf8'), 'hello');

  mkdirSync(R('updir'));
  writeFileSync(L('put-me.txt'), 'up');
  await upload(c, L('put-me.txt'), R('updir'));
  assert.equal(readFileSync(R('updir/put-me.txt'), 'utf8'), 'up');
  // a trailing slash names the same directory
  await upload(c, L('put-me.txt'), `${R('updir')}/`);
  assert.equal(readFileSync(R('updir/put-me.txt'), 'utf8'), 'up');
});

test('download replaces an existing target whole, keeping its mode', async () => {
  const c = server.client;
  writeFileSync(R('replace.bin'), randomBytes(70_000));
  writeFileSync(L('replace.bin'), 'old contents');
  chmodSync(L('replace.bin'), 0o640);
  chmodSync(R('replace.bin'), 0o755);
  await download(c, R('replace.bin'), L('replace.bin'));
  assert.equal(shaFile(L('replace.bin')), shaFile(R('replace.bin')));
  assert.equal(statSync(L('replace.bin')).mode & 0o7777, 0o640);
});

test('without -p a new file gets the source mode under the umask; with -p mode and times', async () => {
  const c = server.client;
  writeFileSync(R('modes.bin'), 'm');
  chmodSync(R('modes.bin'), 0o777);
  utimesSync(R('modes.bin'), 1_000_000_000, 1_100_000_000);
  await download(c, R('modes.bin'), L('modes-plain.bin'));
  assert.equal(statSync(L('modes-plain.bin')).mode & 0o777, 0o777 & ~umask);
  assert.notEqual(statSync(L('modes-plain.bin')).mtimeMs, 1_100_000_000_000);

  chmodSync(R('modes.bin'), 0o751);
  utimesSync(R('modes.bin'), 1_000_000_000, 1_100_000_000); // the read above moved atime
  await download(c, R('modes.bin'), L('modes-p.bin'), { preserve: true });
  const st = statSync(L('modes-p.bin'));
  assert.equal(st.mode & 0o7777, 0o751);
  assert.equal(st.mtimeMs, 1_100_000_000_000);
  assert.equal(st.atimeMs, 1_000_000_000_000);

  writeFileSync(L('up-modes.bin'), 'u');
  chmodSync(L('up-modes.bin'), 0o705);
  utimesSync(L('up-modes.bin'), 1_200_000_000, 1_300_000_000);
  await upload(c, L('up-modes.bin'), R('up-modes-p.bin'), { preserve: true });
  const rst = statSync(R('up-modes-p.bin'));
  assert.equal(rst.mode & 0o7777, 0o705);
  assert.equal(rst.mtimeMs, 1_300_000_000_000);
  assert.equal(rst.atimeMs, 1_200_000_000_000);

  // without -p, sftp sends the mode on OPEN: sftp-server creates with it (under its umask)
  await upload(c, L('up-modes.bin'), R('up-modes-plain.bin'));
  const plain = statSync(R('up-modes-plain.bin'));
  assert.equal(plain.mode & 0o777, 0o705 & ~umask);
  assert.notEqual(plain.mtimeMs, 1_300_000_000_000);
});

test('set[ug]id bits are not carried by -p (ownership is not kept), as OpenSSH', async () => {
  const c = server.client;
  writeFileSync(R('suid.bin'), 's');
  chmodSync(R('suid.bin'), 0o4755);
  await download(c, R('suid.bin'), L('suid.bin'), { preserve: true });
  assert.equal(statSync(L('suid.bin')).mode & 0o7777, 0o755);
});

test('progress: monotonic, ends at the total, once at the end of the file; onFileDone', async () => {
  const c = server.client;
  const size = 8 * 1024 * 1024 + 5;
  writeFileSync(R('progress.bin'), randomBytes(size));
  for (const dir of ['down', 'up'] as const) {
    const events: TransferProgress[] = [];
    const done: [string, number][] = [];
    const o = {
      onProgress: (p: TransferProgress) => events.push(p),
      onFileDone: (p: string, n: number) => done.push([p, n]),
    };
    if (dir === 'down') await download(c, R('progress.bin'), L('progress.bin'), o);
    else await upload(c, L('progress.bin'), R('progress-up.bin'), o);
    assert.ok(events.length >= 2, `${dir}: ${events.length} events`);
    for (let i = 1; i < events.length; i++) {
      const [a, b] = [events[i - 1], events[i]];
      assert.ok(a !== undefined && b !== undefined);
      assert.ok(b.totalBytes >= a.totalBytes && b.fileBytes >= a.fileBytes, `${dir} monotonic`);
      assert.ok(b.filesDone >= a.filesDone);
    }
    const last = events[events.length - 1];
    assert.equal(last?.totalBytes, size);
    assert.equal(last?.fileBytes, size);
    assert.equal(last?.totalSize, size);
    assert.equal(last?.fileSize, size);
    assert.equal(last?.filesDone, 1);
    assert.equal(last?.filesTotal, 1);
    assert.equal(last?.etaSeconds, 0);
    assert.ok((last?.bytesPerSecond ?? 0) > 0);
    assert.equal(events.filter((e) => e.filesDone === 1).length, 1, 'one end-of-file event');
    const src = dir === 'down' ? R('progress.bin') : L('progress.bin');
    assert.ok(events.every((e) => e.path === src));
    assert.deepEqual(done, [[src, size]]);
  }
  assert.equal(shaFile(R('progress-up.bin')), shaFile(R('progress.bin')));
});

test('a directory without recursive, a fifo, a missing file: TransferError, nothing written', async () => {
  const c = server.client;
  mkdirSync(R('a-dir'));
  await assert.rejects(download(c, R('a-dir'), L('a-dir')), (e: unknown) => {
    assert.ok(e instanceof TransferError);
    assert.equal(e.code, 'TRANSFER_FAILED');
    assert.match(e.message, /is a directory/);
    return true;
  });
  assert.equal(existsSync(L('a-dir')), false);
  mkdirSync(L('l-dir'));
  await assert.rejects(upload(c, L('l-dir'), R('l-dir')), /is a directory/);
  assert.equal(existsSync(R('l-dir')), false);

  execFileSync('mkfifo', [R('fifo')]);
  await assert.rejects(download(c, R('fifo'), L('fifo')), /not a regular file/);
  assert.equal(existsSync(L('fifo')), false);
  assert.equal(existsSync(L('fifo.part')), false);

  await assert.rejects(download(c, R('missing'), L('missing')), (e: unknown) => {
    assert.ok(e instanceof TransferError);
    assert.ok(e.cause instanceof SftpNoSuchFileError);
    assert.match(e.message, /missing/);
    return true;
  });
  assert.equal(existsSync(L('missing.part')), false);
  await assert.rejects(upload(c, L('missing'), R('missing')), TransferError);
  assert.equal(existsSync(R('missing')), false);
});

test('a symlink named as the source is followed', async () => {
  const c = server.client;
  writeFileSync(R('link-target.txt'), 'through the link');
  execFileSync('ln', ['-s', 'link-target.txt', R('via-link')]);
  await download(c, R('via-link'), L('via-link'));
  assert.equal(readFileSync(L('via-link'), 'utf8'), 'through the link');
  assert.equal(statSync(L('via-link')).isFile(), true);
});

test('bad options are RangeErrors before anything is sent', async () => {
  const c = server.client;
  await assert.rejects(download(c, R('x'), L('x'), { concurrency: 0 }), RangeError);
  await assert.rejects(upload(c, L('x'), R('x'), { symlinks: 'sideways' as 'skip' }), RangeError);
});

/** The real local filesystem, with `stat` of one path reporting another size. */
function sizeLies(path: string, delta: number): LocalFs {
  return {
    ...nodeLocalFs,
    stat: async (p) => {
      const st = await nodeLocalFs.stat(p);
      if (p !== path) return st;
      return new Proxy(st, {
        get: (t, k) => (k === 'size' ? t.size + delta : Reflect.get(t, k, t)),
      });
    },
  };
}

test('a file that grew or shrank after its stat is uploaded as it is on disk', async () => {
  const c = server.client;
  const data = randomBytes(600_000);
  writeFileSync(L('grows.bin'), data);
  // the stat says less than is there: the rest is read on to EOF in full chunks
  for (const delta of [-599_000, -300_001, -1]) {
    const local = sizeLies(L('grows.bin'), delta);
    assert.deepEqual(await upload(c, L('grows.bin'), R('grown.bin'), { local }), {
      files: 1,
      bytes: data.length,
      failures: [],
    });
    assert.equal(shaFile(R('grown.bin')), sha(data), `stat off by ${delta}`);
  }
  // the stat says more than is there: what is there is sent, and the remote agrees
  const local = sizeLies(L('grows.bin'), 400_000);
  assert.deepEqual(await upload(c, L('grows.bin'), R('shrunk.bin'), { local }), {
    files: 1,
    bytes: data.length,
    failures: [],
  });
  assert.equal(shaFile(R('shrunk.bin')), sha(data));
});

test('a remote file gone before its OPEN: one failure, no .part left, the rest copied', async () => {
  const c = server.client;
  mkdirSync(R('vanish'));
  writeFileSync(R('vanish/a.bin'), 'a');
  writeFileSync(R('vanish/b.bin'), 'b');
  // into a directory already there (the tree goes to <dst>/vanish), the target's stat comes
  // just before the OPENs: the remote file goes away there (in a directory the walk makes,
  // there is nothing to stat)
  const dst = L('vanish-into');
  mkdirSync(join(dst, 'vanish'), { recursive: true });
  const local: LocalFs = {
    ...nodeLocalFs,
    stat: async (p) => {
      if (p === join(dst, 'vanish', 'a.bin')) rmSync(R('vanish/a.bin'), { force: true });
      return nodeLocalFs.stat(p);
    },
  };
  const r = await download(c, R('vanish'), dst, { recursive: true, local });
  assert.equal(r.files, 1);
  assert.equal(r.failures.length, 1);
  assert.equal(r.failures[0]?.path, R('vanish/a.bin'));
  assert.ok(r.failures[0]?.error.cause instanceof SftpNoSuchFileError);
  assert.deepEqual(readdirSync(join(dst, 'vanish')).sort(), ['b.bin']);
});

test('the local umask is read from /proc, never by setting it (process.umask() would, for a moment)', () => {
  const real = process.umask;
  const old = real(0o027);
  try {
    process.umask = (() => {
      throw new Error('process.umask() called');
    }) as typeof process.umask;
    assert.equal(nodeLocalFs.umask(), 0o027);
  } finally {
    process.umask = real;
    real(old);
  }
});

test("a new file's .part has its final mode from the start; one that replaces a file is 0600 until done", async () => {
  const c = server.client;
  writeFileSync(R('part-mode.bin'), randomBytes(64 * 1024));
  const cases = [
    // remote mode, whether the target is there already, .part mode while writing, final mode
    { mode: 0o644, replace: false, during: 0o644 & ~umask, after: 0o644 & ~umask, chmods: 0 },
    // -p asks for the mode exactly: where the umask would narrow it, private until set at the end
    (0o666 & ~umask) === 0o666
      ? { mode: 0o666, replace: false, during: 0o666, after: 0o666, chmods: 0, preserve: true }
      : { mode: 0o666, replace: false, during: 0o600, after: 0o666, chmods: 1, preserve: true },
    // a mode its owner cannot write (a resume opens the .part again): private, set when complete
    { mode: 0o444, replace: false, during: 0o600, after: 0o444 & ~umask, chmods: 1 },
    { mode: 0o644, replace: true, during: 0o600, after: 0o640, chmods: 1 },
  ];
  for (const [i, k] of cases.entries()) {
    chmodSync(R('part-mode.bin'), k.mode);
    const target = L(`part-mode-${i}.bin`);
    if (k.replace) {
      writeFileSync(target, 'old');
      chmodSync(target, 0o640);
    }
    let during = -1;
    let chmods = 0;
    const local = wrapLocal((fh, path) => ({
      ...forwardingHandle(fh),
      writev: async (buffers, at) => {
        during = statSync(path).mode & 0o777;
        return fh.writev(buffers, at);
      },
      chmod: async (m) => {
        chmods++;
        await fh.chmod(m);
      },
    }));
    await download(c, R('part-mode.bin'), target, { local, preserve: k.preserve === true });
    assert.equal(during, k.during, `case ${i}: .part mode while writing`);
    assert.equal(statSync(target).mode & 0o777, k.after, `case ${i}: final mode`);
    assert.equal(chmods, k.chmods, `case ${i}: chmod calls`);
    assert.equal(shaFile(target), shaFile(R('part-mode.bin')));
  }
});

test('an upload FSTATs the remote file at its end only when it resumed one', async () => {
  let fstats = 0;
  const client = spyClient(server.client, (k, f) =>
    k === 'fstat' ? (...a: never[]) => (fstats++, f(...a)) : undefined,
  );
  const data = randomBytes(100_000);
  writeFileSync(L('fstat-up.bin'), data);
  await upload(client, L('fstat-up.bin'), R('fstat-up.bin'));
  assert.equal(fstats, 0);
  assert.equal(sha(readFileSync(R('fstat-up.bin'))), sha(data));
  writeFileSync(R('fstat-up.bin'), data.subarray(0, 30_000));
  const r = await upload(client, L('fstat-up.bin'), R('fstat-up.bin'), { resume: true });
  assert.equal(r.bytes, 70_000);
  assert.equal(fstats, 1);
  assert.equal(sha(readFileSync(R('fstat-up.bin'))), sha(data));
});

/**
 * `server.client` with its STAT of `path` reporting `delta` more bytes than there are, and a
 * log of the calls that matter to how a file is read: open, readParts (and when its reply
 * came), close.
 */
function watchedClient(path: string, delta: number): { client: SftpClient; log: string[] } {
  const log: string[] = [];
  const client = spyClient(server.client, (k, method) => {
    const f = method as (...a: unknown[]) => Promise<unknown>;
    if (k === 'stat') {
      return async (p: string) => {
        const a = (await f(p)) as FileAttributes;
        return p === path ? { ...a, size: (a.size ?? 0) + delta } : a;
      };
    }
    return logged(k, f, log, 'readParts', 'read', 'reply');
  });
  return { client, log };
}

/**
 * A logger for spyClient: open and close by name, and `traced` as `call` when called and as
 * `reply` when it resolves.
 */
function logged(
  k: string | symbol,
  f: (...a: unknown[]) => Promise<unknown>,
  log: string[],
  traced: string,
  call: string,
  reply: string,
): ClientMethod | undefined {
  if (k === 'open' || k === 'close') return (...a: unknown[]) => (log.push(k), f(...a));
  if (k !== traced) return undefined;
  return (...a: unknown[]) => {
    log.push(call);
    return f(...a).then((r) => (log.push(reply), r));
  };
}

test('a small file is read in one flight: its READ, a READ that meets EOF and the CLOSE together', async () => {
  const data = randomBytes(100_000);
  writeFileSync(R('small.bin'), data);
  const { client, log } = watchedClient(R('small.bin'), 0);
  const r = await download(client, R('small.bin'), L('small.bin'));
  assert.deepEqual(r, { files: 1, bytes: data.length, failures: [] });
  assert.equal(shaFile(L('small.bin')), sha(data));
  assert.deepEqual(log, ['open', 'read', 'read', 'close', 'reply', 'reply']);
});

test('a remote file that grew or shrank after its STAT is downloaded as it is on the server', async () => {
  const data = randomBytes(100_000);
  writeFileSync(R('changes.bin'), data);
  // grew: the READ past the STAT's size finds more, and the rest is read on to EOF; shrank:
  // the READ comes back short, and the server's size is what counts. Either way a file read in
  // one flight is opened again for the rest; one too big for that is pipelined as always.
  const cases: [delta: number, opens: number][] = [
    [-99_000, 2],
    [-1, 2],
    [1, 2],
    [50_000, 2],
    [200_000, 1],
  ];
  for (const [delta, opens] of cases) {
    const { client, log } = watchedClient(R('changes.bin'), delta);
    const target = L(`changes${delta}.bin`);
    const r = await download(client, R('changes.bin'), target);
    assert.deepEqual(r, { files: 1, bytes: data.length, failures: [] }, `STAT off by ${delta}`);
    assert.equal(shaFile(target), sha(data), `STAT off by ${delta}`);
    assert.equal(log.filter((x) => x === 'open').length, opens, `${delta}: ${log.join(' ')}`);
  }
  writeFileSync(R('empty.bin'), '');
  for (const delta of [0, 10]) {
    const { client } = watchedClient(R('empty.bin'), delta);
    const r = await download(client, R('empty.bin'), L(`empty${delta}.bin`));
    assert.deepEqual(r, { files: 1, bytes: 0, failures: [] });
    assert.equal(readFileSync(L(`empty${delta}.bin`)).length, 0);
  }
});

test('a small upload goes in one flight after OPEN: WRITE and CLOSE together; a size that changed is read as it is', async () => {
  const data = randomBytes(100_000);
  writeFileSync(L('small-up.bin'), data);
  const log: string[] = [];
  const client = spyClient(server.client, (k, f) =>
    logged(k, f as (...a: unknown[]) => Promise<unknown>, log, 'writeChunk', 'write', 'ack'),
  );
  assert.deepEqual(await upload(client, L('small-up.bin'), R('small-up.bin')), {
    files: 1,
    bytes: data.length,
    failures: [],
  });
  assert.equal(shaFile(R('small-up.bin')), sha(data));
  assert.deepEqual(log, ['open', 'write', 'close', 'ack']);
  // one local read: it asks for a byte more than the file has, and coming back short is EOF
  const reads: number[] = [];
  const counting = wrapLocal((fh) => ({
    ...forwardingHandle(fh),
    read: async (b, o, n, at) => {
      const r = await fh.read(b, o, n, at);
      reads.push(r.bytesRead);
      return r;
    },
  }));
  await upload(server.client, L('small-up.bin'), R('small-up2.bin'), { local: counting });
  assert.deepEqual(reads, [data.length]);
  assert.equal(shaFile(R('small-up2.bin')), sha(data));
  // the stat is off: the file is sent as it is on disk, through the pipeline
  for (const delta of [-1, 1, -99_999]) {
    const local = sizeLies(L('small-up.bin'), delta);
    const r = await upload(server.client, L('small-up.bin'), R(`small-up${delta}.bin`), { local });
    assert.deepEqual(r, { files: 1, bytes: data.length, failures: [] }, `stat off by ${delta}`);
    assert.equal(shaFile(R(`small-up${delta}.bin`)), sha(data), `stat off by ${delta}`);
  }
});
