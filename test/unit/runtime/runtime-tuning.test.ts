// applyRuntimeTuning() turns V8's incremental marking off (core/runtime-tuning.ts says why).
// Checked by behaviour in a child process: enough allocation for full collections, with
// node:perf_hooks reporting the kind of each. By default some of them are incremental; after
// applyRuntimeTuning() none is, while full collections still happen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const tuning = fileURLToPath(new URL('../../../core/runtime-tuning.ts', import.meta.url));

const child = (tune: boolean) => `
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { applyRuntimeTuning } from ${JSON.stringify(tuning)};
if (${tune}) applyRuntimeTuning();
const kinds = { major: 0, incremental: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) kinds.major++;
    if (e.detail.kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) kinds.incremental++;
  }
}).observe({ entryTypes: ['gc'] });
let keep = [];
for (let i = 0; i < 3_000_000; i++) {
  keep.push({ a: i, b: [i, i + 1], c: 'x' + i });
  if (keep.length > 1_000_000) keep = keep.slice(500_000);
  if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
}
setTimeout(() => console.log(JSON.stringify(kinds)), 50);
`;

async function gcKinds(tune: boolean): Promise<{ major: number; incremental: number }> {
  const run = promisify(execFile);
  const r = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', child(tune)],
    {
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(r.stdout.trim()) as { major: number; incremental: number };
}

test('applyRuntimeTuning: full collections without incremental marking', async () => {
  const [plain, tuned] = await Promise.all([gcKinds(false), gcKinds(true)]);
  assert.ok(
    plain.incremental > 0,
    `V8's default marks incrementally here: ${JSON.stringify(plain)}`,
  );
  assert.ok(tuned.major > 0, `the workload still needs full collections: ${JSON.stringify(tuned)}`);
  assert.equal(tuned.incremental, 0, `no incremental marking once tuned: ${JSON.stringify(tuned)}`);
});
