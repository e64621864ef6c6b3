/**
 * The tree upload's local thread: whole reads land in their own slots with the right bytes,
 * a file of another size than asked comes back unread, errors carry node:fs's code, lstat
 * does not follow links, slots are bounded and retired ones never come back, and a call the
 * thread cannot take (not up yet, closed) answers null so the caller reads its usual way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalIoError, LocalIoThread } from '../../../core/sftp/transfer/local-io-thread.js';
import { waitFor } from '../../support/wait.js';

function scratch(t: { after(f: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kw-iothread-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function started(maxLength: number, slots: number): Promise<LocalIoThread> {
  const io = new LocalIoThread(maxLength, slots);
  assert.equal(
    io.readWhole('/nonexistent', 0, 1),
    null,
    'nothing is taken before the thread is up',
  );
  assert.equal(io.lstat('/nonexistent'), null);
  await waitFor(() => io.ready, 'the thread to start');
  return io;
}

const bytesOf = (seed: number, n: number): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => (seed * 31 + i * 7) & 0xff));

test('whole reads of one turn go together; each file lands in its own slot', async (t) => {
  const dir = scratch(t);
  const io = await started(4096, 8);
  t.after(() => io.close());
  const sizes = [0, 1, 100, 4095, 4096, 17, 2048, 3];
  sizes.forEach((n, i) => writeFileSync(join(dir, `f${i}`), bytesOf(i, n)));
  const reads = sizes.map((n, i) => io.readWhole(join(dir, `f${i}`), 0, n));
  const got = await Promise.all(reads.map((r) => (assert.ok(r !== null), r)));
  got.forEach((r, i) => assert.deepEqual(Buffer.from(r.data ?? []), bytesOf(i, sizes[i] ?? 0)));
  assert.equal(io.readWhole(join(dir, 'f0'), 0, 0), null, 'all eight slots are held');
  for (const r of got) r.release();
  // from a position: the rest of the file
  const rest = await io.readWhole(join(dir, 'f3'), 1000, 3095);
  assert.deepEqual(Buffer.from(rest?.data ?? []), bytesOf(3, 4095).subarray(1000));
  rest?.release();
});

test('a file of another size than asked comes back unread; longer than maxLength is not taken', async (t) => {
  const dir = scratch(t);
  const io = await started(1000, 2);
  t.after(() => io.close());
  writeFileSync(join(dir, 'f'), bytesOf(1, 500));
  const grown = await io.readWhole(join(dir, 'f'), 0, 499);
  assert.equal(grown?.data, null, 'the file has a byte more than asked');
  grown?.release();
  const shrunk = await io.readWhole(join(dir, 'f'), 0, 501);
  assert.equal(shrunk?.data, null, 'the file has a byte fewer than asked');
  shrunk?.release();
  assert.equal(io.readWhole(join(dir, 'f'), 0, 1001), null);
  const exact = await io.readWhole(join(dir, 'f'), 0, 500);
  assert.equal(exact?.data?.length, 500);
  exact?.release();
});

test('errors carry node:fs’s code, syscall and path; the slot comes back', async (t) => {
  const dir = scratch(t);
  const io = await started(100, 1);
  t.after(() => io.close());
  const missing = join(dir, 'missing');
  await assert.rejects(io.readWhole(missing, 0, 10) ?? Promise.resolve(), (e: unknown) => {
    assert.ok(e instanceof LocalIoError);
    assert.equal(e.code, 'ENOENT');
    assert.equal(e.syscall, 'open');
    assert.equal(e.path, missing);
    assert.match(e.message, /^ENOENT: no such file or directory, open /);
    return true;
  });
  await assert.rejects(io.readWhole(dir, 0, 10) ?? Promise.resolve(), { code: 'EISDIR' });
  await assert.rejects(io.lstat(missing) ?? Promise.resolve(), { code: 'ENOENT' });
  assert.notEqual(io.readWhole(dir, 0, 1), null, 'the one slot is free again');
});

test('lstat: size, mode, times and identity as node gives them, links not followed', async (t) => {
  const dir = scratch(t);
  const io = await started(100, 1);
  t.after(() => io.close());
  writeFileSync(join(dir, 'file'), bytesOf(2, 1234), { mode: 0o640 });
  mkdirSync(join(dir, 'sub'));
  symlinkSync('file', join(dir, 'link'));
  for (const name of ['file', 'sub', 'link']) {
    const p = join(dir, name);
    const st = await io.lstat(p);
    const want = lstatSync(p);
    assert.ok(st !== null && st !== undefined);
    assert.deepEqual(
      [st.size, st.mode, st.dev, st.ino, st.atimeMs, st.mtimeMs],
      [want.size, want.mode, want.dev, want.ino, want.atimeMs, want.mtimeMs],
      name,
    );
    assert.deepEqual(
      [st.isFile(), st.isDirectory(), st.isSymbolicLink()],
      [want.isFile(), want.isDirectory(), want.isSymbolicLink()],
      name,
    );
  }
});

test('a retired slot never comes back; close() answers what waits as unread', async (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'f'), bytesOf(3, 10));
  const io = await started(10, 2);
  const a = await io.readWhole(join(dir, 'f'), 0, 10);
  const b = await io.readWhole(join(dir, 'f'), 0, 10);
  a?.retire();
  b?.release();
  b?.release(); // twice is once
  const c = io.readWhole(join(dir, 'f'), 0, 10);
  assert.notEqual(c, null);
  assert.equal(io.readWhole(join(dir, 'f'), 0, 10), null, 'one slot retired, one held');
  (await c)?.release();

  const waiting = io.readWhole(join(dir, 'f'), 0, 10);
  const stat = io.lstat(join(dir, 'f'));
  io.close();
  assert.equal((await waiting)?.data, null);
  assert.equal(await stat, null);
  assert.equal(io.ready, false);
  assert.equal(io.readWhole(join(dir, 'f'), 0, 10), null);
  assert.equal(io.lstat(join(dir, 'f')), null);
  rmSync(dir, { recursive: true, force: true });
});
