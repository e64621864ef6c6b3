import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatClock,
  formatProgress,
  formatRate,
  formatSize,
  ProgressMeter,
} from '../../../core/cli/sftp-progress.js';
import { formatDf, columns, scaled } from '../../../core/cli/sftp-format.js';

test("sizes, rates and clocks in scp's widths", () => {
  assert.equal(formatSize(0), '   0  ');
  assert.equal(formatSize(9999), '9999  ');
  assert.equal(formatSize(10_000), '  10KB');
  assert.equal(formatSize(5 * 1024 * 1024), '5120KB');
  assert.equal(formatSize(50 * 1024 * 1024), '  50MB');
  assert.equal(formatRate(0), '  0.0KB');
  assert.equal(formatRate(1536), '  1.5KB');
  assert.equal(formatRate(12.5 * 1024 * 1024), ' 12.5MB');
  assert.equal(formatClock(75), '  01:15');
  assert.equal(formatClock(3 * 3600 + 62), '3:01:02');
});

test('a progress line: name padded to width-36, percent, bytes, rate, ETA', () => {
  const line = formatProgress(
    {
      name: 'file.bin',
      bytes: 512 * 1024,
      size: 1024 * 1024,
      bytesPerSecond: 256 * 1024,
      etaSeconds: 2,
      done: false,
      elapsedSeconds: 2,
    },
    81,
  );
  assert.equal(line, `${'file.bin'.padEnd(45)}  50%  512KB 256.0KB/s   00:02 ETA`);
  assert.ok(line.length <= 79);
  const done = formatProgress(
    {
      name: 'file.bin',
      bytes: 1024 * 1024,
      size: 1024 * 1024,
      bytesPerSecond: 1024 * 1024,
      etaSeconds: 0,
      done: true,
      elapsedSeconds: 61,
    },
    81,
  );
  assert.match(done, /100% 1024KB {3}1\.0MB\/s {3}01:01 {4}$/);
  const unknown = formatProgress(
    {
      name: 'x',
      bytes: 10,
      size: 100,
      bytesPerSecond: 0,
      etaSeconds: null,
      done: false,
      elapsedSeconds: 0,
    },
    81,
  );
  assert.match(unknown, / {2}10% {3}10 {5}0\.0KB\/s {3}--:-- ETA$/);
  const stalled = formatProgress(
    {
      name: 'x',
      bytes: 10,
      size: 100,
      bytesPerSecond: 1,
      etaSeconds: 90,
      done: false,
      elapsedSeconds: 9,
      stalledSeconds: 6,
    },
    81,
  );
  assert.match(stalled, /- stalled -$/);
  // a long name is cut so the line fits the terminal
  const narrow = formatProgress(
    {
      name: 'n'.repeat(200),
      bytes: 1,
      size: 2,
      bytesPerSecond: 1,
      etaSeconds: 1,
      done: false,
      elapsedSeconds: 1,
    },
    41,
  );
  assert.ok(narrow.length <= 39);
  assert.match(narrow, /^nnnnn /);
});

test('ProgressMeter redraws in place, throttled, and ends each file with a newline', () => {
  let out = '';
  let now = 0;
  const meter = new ProgressMeter({ columns: 80, write: (t: string) => (out += t) }, () => now);
  const p = (path: string, fileBytes: number) => ({
    path,
    fileBytes,
    fileSize: 1000,
    totalBytes: fileBytes,
    totalSize: null,
    filesDone: 0,
    filesTotal: null,
    bytesPerSecond: 100,
    etaSeconds: null,
  });
  meter.update(p('/r/a.bin', 0));
  now = 100;
  meter.update(p('/r/a.bin', 100)); // within the interval: not drawn
  assert.equal(out.split('\r').length - 1, 1);
  now = 1200;
  meter.update(p('/r/a.bin', 500));
  assert.equal(out.split('\r').length - 1, 2);
  assert.match(out, /\ra\.bin + {2}50%/);
  now = 2000;
  meter.update(p('/r/b.bin', 10)); // the next file: a.bin's line is finished first
  assert.match(out, /\ra\.bin[^\n]*\n\rb\.bin/);
  meter.finish();
  assert.ok(out.endsWith('\n'));
});

test('df lines, columns and scaled sizes', () => {
  const st = {
    bsize: 4096,
    frsize: 4096,
    blocks: 1000,
    bfree: 400,
    bavail: 300,
    files: 100,
    ffree: 25,
    favail: 20,
    fsid: 0,
    flag: 0,
    namemax: 255,
  };
  assert.deepEqual(formatDf(st, { human: false, inodes: false }), [
    '        Size         Used        Avail       (root)    %Capacity',
    '        4000         2400         1200         1600          60%',
  ]);
  assert.deepEqual(
    formatDf(st, { human: false, inodes: true })[1],
    '        100          75          20          25          75%',
  );
  assert.match(
    formatDf(st, { human: true, inodes: false })[1] ?? '',
    /^ +3\.9MB +2\.3MB +1\.2MB +1\.6MB +60%$/,
  );
  assert.equal(
    formatDf({ ...st, blocks: 0, bfree: 0 }, { human: false, inodes: false })[1]
      ?.trim()
      .endsWith('ERR'),
    true,
  );
  assert.equal(scaled(512), '512');
  assert.equal(scaled(1536), '1.5K');
  assert.equal(scaled(200 * 1024 * 1024), '200M');
  assert.deepEqual(columns(['a', 'bb', 'ccc'], 12), ['a     bb    ', 'ccc   ']);
  assert.deepEqual(columns([], 80), []);
});
