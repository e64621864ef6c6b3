/**
 * The progress tracker on a fake clock: events at most ten a second plus one at each file's
 * end, counters that only grow (a resumed prefix counted as done, not as moved), the smoothed
 * rate and the ETA; and the path helpers' refusal of entry names that would leave the tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressTracker } from '../../../core/sftp/transfer/progress.js';
import {
  badEntryName,
  localBasename,
  remoteBasename,
  remoteJoin,
} from '../../../core/sftp/transfer/paths.js';
import type { TransferProgress } from '../../../core/sftp/transfer/index.js';

test('throttled to 10 a second, plus each file end; rate, ETA and resumed bytes', () => {
  let now = 0;
  const events: TransferProgress[] = [];
  const t = new ProgressTracker(
    (p) => events.push(p),
    () => now,
  );
  t.setTotals(3000, 2);
  const a = t.startFile('/a', 1000, 0);
  for (let i = 0; i < 100; i++) {
    now += 1; // 100 advances within 100 ms: only the first is reported
    a.advance(10);
  }
  assert.equal(events.length, 1);
  now = 100;
  a.advance(0); // nothing moved: no event
  assert.equal(events.length, 1);
  a.done();
  assert.equal(events.length, 2);
  assert.deepEqual(
    { ...events[1], bytesPerSecond: 0 },
    {
      path: '/a',
      fileBytes: 1000,
      fileSize: 1000,
      totalBytes: 1000,
      totalSize: 3000,
      filesDone: 1,
      filesTotal: 2,
      bytesPerSecond: 0,
      etaSeconds: events[1]?.etaSeconds,
    },
  );
  assert.equal(events[1]?.bytesPerSecond, 10_000, '1000 bytes in 100 ms');
  assert.equal(events[1]?.etaSeconds, 0.2);

  // the second file resumes with 1500 of its 2000 bytes already there
  now = 1000;
  const b = t.startFile('/b', 2000, 1500);
  b.advance(100);
  const e = events[events.length - 1];
  assert.equal(e?.path, '/b');
  assert.equal(e?.fileBytes, 1600);
  assert.equal(e?.totalBytes, 2600);
  assert.equal(t.moved, 1100);
  now = 1100;
  b.advance(400);
  b.done();
  const last = events[events.length - 1];
  assert.equal(last?.totalBytes, 3000);
  assert.equal(last?.filesDone, 2);
  assert.equal(last?.etaSeconds, 0);
  for (let i = 1; i < events.length; i++) {
    assert.ok((events[i]?.totalBytes ?? 0) >= (events[i - 1]?.totalBytes ?? 0));
  }
});

test('unknown totals give a null ETA; no callback is fine', () => {
  let now = 0;
  const events: TransferProgress[] = [];
  const t = new ProgressTracker(
    (p) => events.push(p),
    () => now,
  );
  const f = t.startFile('/x', null, 0);
  now = 500;
  f.advance(5000);
  assert.equal(events[0]?.totalSize, null);
  assert.equal(events[0]?.etaSeconds, null);
  assert.equal(events[0]?.bytesPerSecond, 10_000);
  const quiet = new ProgressTracker(undefined);
  quiet.startFile('/y', 1, 0).advance(1);
  assert.equal(quiet.moved, 1);
});

test('entry names from a server: one plain component or refused', () => {
  for (const ok of ['a', 'a.b', '..a', 'a..', ' ', 'ü']) assert.equal(badEntryName(ok), null, ok);
  for (const bad of ['', '.', '..', 'a/b', '/abs', '../x', 'a\0b']) {
    assert.match(badEntryName(bad) ?? '', /refusing/, JSON.stringify(bad));
  }
  assert.equal(remoteJoin('/', 'a'), '/a');
  assert.equal(remoteJoin('/d/', 'a'), '/d/a');
  assert.equal(remoteJoin('d', 'a'), 'd/a');
  assert.equal(remoteBasename('/x/y/'), 'y');
  assert.equal(remoteBasename('/'), '');
  assert.equal(remoteBasename('x/..'), '');
  assert.equal(localBasename('/tmp/z'), 'z');
});
