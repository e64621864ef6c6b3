// applyRuntimeTuning() turns V8's incremental marking off (core/runtime-tuning.ts says why).
// Checked by behaviour in a child process, with node:perf_hooks reporting the kind of each
// collection: with enough allocation on the heap for full collections, by default some of them
// are incremental; once tuned none is, while full collections still happen. What bounds a
// long download's memory is checked by test/interop/sftp-client-memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const tuning = fileURLToPath(new URL('../../../core/runtime-tuning.ts', import.meta.url));

/** Objects on the heap, half of them kept for a while. */
const HEAP_WORKLOAD = `
let keep = [];
for (let i = 0; i < 3_000_000; i++) {
  keep.push({ a: i, b: [i, i + 1], c: 'x' + i });
  if (keep.length > 1_000_000) keep = keep.slice(500_000);
  if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
}`;

const child = (tune: boolean, workload: string) => `
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { applyRuntimeTuning } from ${JSON.stringify(tuning)};
if (${JSON.stringify(tune)}) applyRuntimeTuning();
const kinds = { major: 0, incremental: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) kinds.major++;
    if (e.detail.kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) kinds.incremental++;
  }
}).observe({ entryTypes: ['gc'] });
${workload}
setTimeout(() => console.log(JSON.stringify(kinds)), 50);
`;

async function gcKinds(
  tune: boolean,
  workload: string,
): Promise<{ major: number; incremental: number }> {
  const run = promisify(execFile);
  const r = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', child(tune, workload)],
    {
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(r.stdout.trim()) as { major: number; incremental: number };
}

test('applyRuntimeTuning: full collections without incremental marking', async () => {
  const [plain, tuned] = await Promise.all([
    gcKinds(false, HEAP_WORKLOAD),
    gcKinds(true, HEAP_WORKLOAD),
  ]);
  assert.ok(
    plain.incremental > 0,
    `V8's default marks incrementally here: ${JSON.stringify(plain)}`,
  );
  assert.ok(tuned.major > 0, `the workload still needs full collections: ${JSON.stringify(tuned)}`);
  assert.equal(tuned.incremental, 0, `no incremental marking once tuned: ${JSON.stringify(tuned)}`);
});
