/**
 * A tree's local thread: whole reads land in their own slots with the right bytes, a file of
 * another size than asked comes back unread, errors carry node:fs's code, lstat does not follow
 * links, slots are bounded and retired ones never come back, and a call the thread cannot take
 * (not up yet, closed) answers null so the caller reads its usual way. Whole writes make the
 * file through its .part (O_EXCL, a stale one or a planted link replaced, never followed) with
 * its mode and times, rename it over the target, and leave the .part for a resume when a step
 * after the create fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { LocalIoError, LocalIoThread } from '../../../core/sftp/transfer/local-io-thread.js';
import { LocalIoWorker, sharedLocalIoWorker } from '../../../core/sftp/transfer/local-io-worker.js';
import { waitFor } from '../../support/wait.js';

function scratch(t: { after(f: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kw-iothread-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tree's calls on a thread of the test's own (ended after it), once the thread is up. */
async function started(
  t: { after(f: () => void): void },
  maxLength: number,
  slots: number,
): Promise<LocalIoThread> {
  const worker = new LocalIoWorker();
  t.after(() => worker.end());
  const io = new LocalIoThread(maxLength, slots, worker);
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
  const io = await started(t, 4096, 8);
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
  const io = await started(t, 1000, 2);
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
  const io = await started(t, 100, 1);
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
  const io = await started(t, 100, 1);
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

test('a retired slot’s bytes stay the caller’s; close() answers what waits as unread', async (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'f'), bytesOf(3, 10));
  writeFileSync(join(dir, 'g'), bytesOf(4, 10));
  const io = await started(t, 10, 2);
  const a = await io.readWhole(join(dir, 'f'), 0, 10);
  const b = await io.readWhole(join(dir, 'f'), 0, 10);
  assert.equal(io.readWhole(join(dir, 'f'), 0, 10), null, 'both slots held');
  a?.retire();
  b?.release();
  b?.release(); // twice is once
  const c = io.readWhole(join(dir, 'g'), 0, 10);
  const d = io.readWhole(join(dir, 'g'), 0, 10);
  assert.ok(c !== null && d !== null, 'the retired slot goes on, with a new buffer');
  assert.equal(io.readWhole(join(dir, 'f'), 0, 10), null);
  const [gc, gd] = await Promise.all([c, d]);
  assert.deepEqual(Buffer.from(gc.data ?? []), bytesOf(4, 10));
  assert.deepEqual(Buffer.from(gd.data ?? []), bytesOf(4, 10));
  assert.deepEqual(Buffer.from(a?.data ?? []), bytesOf(3, 10), 'the retired bytes are unchanged');
  gc.release();
  gd.release();

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

/** A WholeWrite to `target` through its .part, mode 0644, nothing set after. */
const plain = (target: string) => ({
  part: `${target}.part`,
  target,
  mode: 0o644,
  chmod: null,
  times: null,
});

test('whole writes of one turn go together: each file made from its parts and renamed', async (t) => {
  const dir = scratch(t);
  const io = await started(t, 4096, 4);
  t.after(() => io.close());
  const sizes = [0, 1, 4096, 1500];
  writeFileSync(join(dir, 'f3'), 'the old file, replaced');
  const data = sizes.map((n, i) => bytesOf(i, n));
  // a file's data as the views it arrived in: three parts, the caller's to reuse at once
  const writes = data.map((_, i) => {
    const d = bytesOf(i, sizes[i] ?? 0);
    const parts = [d.subarray(0, 1), d.subarray(1, 1000), d.subarray(1000)];
    const w = io.writeWhole(plain(join(dir, `f${i}`)), parts);
    parts.forEach((p) => p.fill(0xee));
    return w;
  });
  assert.equal(io.writeWhole(plain(join(dir, 'f9')), [bytesOf(9, 1)]), null, 'four slots held');
  assert.equal(io.writeWhole(plain(join(dir, 'f9')), [bytesOf(9, 4097)]), null, 'too long');
  assert.deepEqual(await Promise.all(writes), [true, true, true, true]);
  sizes.forEach((_, i) => {
    const f = join(dir, `f${i}`);
    assert.deepEqual(readFileSync(f), data[i], `f${i}`);
    assert.equal(statSync(f).mode & 0o777, 0o644 & ~process.umask(), `f${i} mode`);
    assert.equal(existsSync(`${f}.part`), false, `f${i}.part renamed`);
  });
  assert.notEqual(io.writeWhole(plain(join(dir, 'f9')), []), null, 'slots came back');
});

test('a whole write sets mode and times, and replaces a stale .part or a planted link', async (t) => {
  const dir = scratch(t);
  const io = await started(t, 100, 2);
  t.after(() => io.close());
  const target = join(dir, 'f');
  writeFileSync(`${target}.part`, 'stale bytes from an earlier try, longer than the file');
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'not to be touched');
  symlinkSync(victim, join(dir, 'g.part'));
  const made = await io.writeWhole(
    { part: `${target}.part`, target, mode: 0o600, chmod: 0o751, times: [1_000_000, 2_000_000] },
    [bytesOf(4, 50)],
  );
  assert.equal(made, true);
  const st = statSync(target); // (before reading it moves the atime)
  assert.equal(st.mode & 0o7777, 0o751, 'fchmod after the create, the umask not applied');
  assert.deepEqual([st.atimeMs, st.mtimeMs], [1e9, 2e9]);
  assert.deepEqual(readFileSync(target), bytesOf(4, 50));
  assert.equal(await io.writeWhole(plain(join(dir, 'g')), [bytesOf(5, 7)]), true);
  assert.deepEqual(readFileSync(join(dir, 'g')), bytesOf(5, 7));
  assert.equal(readFileSync(victim, 'utf8'), 'not to be touched', 'the link was not followed');
  assert.equal(lstatSync(join(dir, 'g')).isFile(), true);
});

test('a failed whole write rejects with node:fs’s error; past the create the .part stays', async (t) => {
  const dir = scratch(t);
  const io = await started(t, 100, 1);
  t.after(() => io.close());
  const missing = join(dir, 'no-such-dir', 'f');
  await assert.rejects(io.writeWhole(plain(missing), [bytesOf(1, 5)]) ?? Promise.resolve(), {
    code: 'ENOENT',
    syscall: 'open',
    path: `${missing}.part`,
  });
  // the rename fails: a non-empty directory is in the target's place
  const target = join(dir, 'busy');
  mkdirSync(target);
  writeFileSync(join(target, 'inside'), 'x');
  await assert.rejects(io.writeWhole(plain(target), [bytesOf(2, 9)]) ?? Promise.resolve(), {
    syscall: 'rename',
  });
  assert.deepEqual(readFileSync(`${target}.part`), bytesOf(2, 9), 'the .part, whole, for a resume');
  assert.equal(readFileSync(join(target, 'inside'), 'utf8'), 'x');
  assert.notEqual(io.writeWhole(plain(join(dir, 'h')), []), null, 'the one slot is free again');
});

test('close() answers a waiting whole write false', async (t) => {
  const dir = scratch(t);
  const io = await started(t, 10, 1);
  const write = io.writeWhole(plain(join(dir, 'g')), [bytesOf(1, 3)]);
  assert.notEqual(write, null);
  io.close();
  assert.equal(await write, false, 'not done: the caller makes the file its usual way');
  assert.equal(io.writeWhole(plain(join(dir, 'g')), [bytesOf(1, 3)]), null);
});

test('a thread with calls waiting keeps the process alive; an idle one does not', () => {
  // the shared thread, its tree never closed: the process ends once its last call is answered
  const module = pathToFileURL(
    join(import.meta.dirname, '../../../core/sftp/transfer/local-io-thread.ts'),
  );
  const script = `
    const { LocalIoThread } = await import(${JSON.stringify(module.href)});
    const io = new LocalIoThread(10, 1);
    while (!io.ready) await new Promise((r) => setTimeout(r, 10));
    const st = await io.lstat(${JSON.stringify(tmpdir())});
    console.log(st.isDirectory() ? 'answered' : 'wrong');`;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.equal(out.trim(), 'answered');
});

test('trees share one thread; one tree closing leaves the others their calls', async (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'f'), bytesOf(6, 20));
  const worker = new LocalIoWorker();
  t.after(() => worker.end());
  const a = new LocalIoThread(20, 1, worker);
  const b = new LocalIoThread(20, 1, worker);
  await waitFor(() => a.ready && b.ready, 'the thread to start');
  const ra = a.readWhole(join(dir, 'f'), 0, 20);
  const rb = b.readWhole(join(dir, 'f'), 0, 20);
  a.close();
  assert.equal((await ra)?.data, null, 'the closed tree’s call comes back unread');
  const got = await rb;
  assert.deepEqual(Buffer.from(got?.data ?? []), bytesOf(6, 20));
  got?.release();
  assert.equal(a.ready, false);
  assert.equal(b.ready, true, 'the thread goes on for the other tree');
  b.close();
});

test('the thread ends once no tree has used it for its idle time; a new one then starts', async (t) => {
  const worker = new LocalIoWorker(50);
  t.after(() => worker.end());
  const io = new LocalIoThread(10, 1, worker);
  await waitFor(() => io.ready, 'the thread to start');
  io.close();
  const again = new LocalIoThread(10, 1, worker); // in use again before the idle time is up
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(worker.gone, false, 'a tree uses it');
  again.close();
  await waitFor(() => worker.gone, 'the idle thread to end');
  assert.equal(again.ready, false);

  const shared = sharedLocalIoWorker();
  assert.equal(sharedLocalIoWorker(), shared, 'one thread for the process');
  shared.end();
  const next = sharedLocalIoWorker();
  assert.notEqual(next, shared, 'an ended thread is replaced');
  next.end();
});
