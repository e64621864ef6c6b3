/**
 * Keeps bench/terminal.bench.ts working (issue 6, Benchmark): the whole benchmark on a tiny
 * input (1 MB, one Ctrl-C round after a short flood) against keyway sshd and Debian's sshd,
 * with Chromium and the browser host from the build (npm run build first). Every row must
 * have a figure, none a failure; nothing is asserted about speed. Also: the payload file has
 * the asked size in whole text lines, the options come from the environment with bad values
 * refused, and the tables print every row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { measure, median, optionsFromEnv } from '../../bench/terminal.bench.js';
import { formatResult } from '../../bench/terminal/report.js';
import { LINE_BYTES, makeTextFile } from '../../bench/terminal/text-file.js';
import { tempDir } from '../support/temp-dir.js';

test('the payload is printable text lines of the asked size', () => {
  const tmp = tempDir('bench-text');
  try {
    makeTextFile(tmp.path('t.txt'), 12_345 * LINE_BYTES);
    const text = readFileSync(tmp.path('t.txt'), 'latin1');
    assert.equal(text.length, 12_345 * LINE_BYTES);
    const lines = text.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 12_345);
    assert.ok(lines.every((l, i) => l.startsWith(String(i).padStart(9, '0') + ' ')));
    assert.match(text, /^[\x20-\x7e\n]*$/);
    assert.throws(() => makeTextFile(tmp.path('z.txt'), 0), RangeError);
  } finally {
    tmp.cleanup();
  }
});

test('options from the environment: defaults, values, bad values refused', () => {
  assert.deepEqual(optionsFromEnv({}), { mb: 100, rounds: 5, floodMs: 3000 });
  assert.deepEqual(
    optionsFromEnv({
      BENCH_TERMINAL_MB: '2',
      BENCH_TERMINAL_ROUNDS: '1',
      BENCH_TERMINAL_FLOOD_MS: '500',
    }),
    { mb: 2, rounds: 1, floodMs: 500 },
  );
  assert.throws(() => optionsFromEnv({ BENCH_TERMINAL_MB: '0' }), /BENCH_TERMINAL_MB=0/);
  assert.throws(() => optionsFromEnv({ BENCH_TERMINAL_ROUNDS: 'x' }), /BENCH_TERMINAL_ROUNDS/);
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('the benchmark runs end to end on 1 MB and reports every row', async () => {
  const r = await measure({ mb: 1, rounds: 1, floodMs: 500 });
  const servers = ['keyway sshd', 'OpenSSH_9.2p1'];
  assert.deepEqual(
    r.throughput.map((row) => `${row.server} / ${row.path}`),
    servers.flatMap((s) => [`${s} / ssh -tt`, `${s} / keyway ssh -tt`, `${s} / Chromium`]),
  );
  for (const row of r.throughput) {
    assert.equal(row.error, undefined, `${row.server} / ${row.path}: ${row.error}`);
    assert.ok(row.mbps > 0 && Number.isFinite(row.mbps), `${row.path}: ${row.mbps}`);
  }
  assert.deepEqual(
    r.ctrlC.map((row) => row.server),
    servers,
  );
  for (const row of r.ctrlC) {
    assert.equal(row.error, undefined, `${row.server}: ${row.error}`);
    assert.equal(row.samplesMs.length, 1);
    assert.ok(row.medianMs > 0 && Number.isFinite(row.medianMs));
  }
  assert.ok(r.bundle.some((f) => /^assets\/.+\.js$/.test(f.file)));
  assert.ok(r.bundle.every((f) => f.gzip > 0 && !f.file.endsWith('.map')));

  const table = formatResult(r);
  assert.match(table, /\| keyway sshd \| Chromium \| \d+\.\d \| \d+\.\d\d \|/);
  assert.match(table, /\| OpenSSH_9\.2p1 \| \d+ \| \d+ \|/);
  assert.match(table, /\| total \| \d+\.\d \| \d+\.\d \|/);
  assert.doesNotMatch(table, /FAILED/);
});
