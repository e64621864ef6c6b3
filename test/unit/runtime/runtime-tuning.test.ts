// applyRuntimeTuning() turns V8's incremental marking off and counts external memory toward
// the heap's global limit (core/runtime-tuning.ts says why). Checked by behaviour in child
// processes, with node:perf_hooks reporting the kind of each collection:
// - enough allocation on the heap for full collections: by default some of them are
//   incremental; once tuned none is, while full collections still happen;
// - a transfer's pattern, 1 GiB of short-lived buffers outside the heap: by default every
//   64 MiB of them forces a full collection; tuned for a client the scavenges free them, with
//   none; tuned for a server (which keeps V8's limit) they still do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RuntimeRole } from '../../../core/runtime-tuning.js';

const tuning = fileURLToPath(new URL('../../../core/runtime-tuning.ts', import.meta.url));

/** Objects on the heap, half of them kept for a while. */
const HEAP_WORKLOAD = `
let keep = [];
for (let i = 0; i < 3_000_000; i++) {
  keep.push({ a: i, b: [i, i + 1], c: 'x' + i });
  if (keep.length > 1_000_000) keep = keep.slice(500_000);
  if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
}`;

/** 1 GiB of 32 KiB buffers outside the heap, each dropped at once, as packets are. */
const EXTERNAL_WORKLOAD = `
let sum = 0;
for (let i = 0; i < 32768; i++) {
  const b = Buffer.allocUnsafeSlow(32768);
  b[0] = i;
  sum += b[0];
  if (i % 64 === 0) await new Promise((r) => setImmediate(r));
}`;

/** Untuned (null), or tuned for that role. */
type Tuning = RuntimeRole | null;

const child = (tune: Tuning, workload: string) => `
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { applyRuntimeTuning } from ${JSON.stringify(tuning)};
const role = ${JSON.stringify(tune)};
if (role !== null) applyRuntimeTuning(role);
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
  tune: Tuning,
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
    gcKinds(null, HEAP_WORKLOAD),
    gcKinds('client', HEAP_WORKLOAD),
  ]);
  assert.ok(
    plain.incremental > 0,
    `V8's default marks incrementally here: ${JSON.stringify(plain)}`,
  );
  assert.ok(tuned.major > 0, `the workload still needs full collections: ${JSON.stringify(tuned)}`);
  assert.equal(tuned.incremental, 0, `no incremental marking once tuned: ${JSON.stringify(tuned)}`);
});

test('applyRuntimeTuning: short-lived external buffers force no full collections in a client, as before in a server', async () => {
  const [plain, tuned, server] = await Promise.all([
    gcKinds(null, EXTERNAL_WORKLOAD),
    gcKinds('client', EXTERNAL_WORKLOAD),
    gcKinds('server', EXTERNAL_WORKLOAD),
  ]);
  assert.ok(
    plain.major + plain.incremental >= 4,
    `by default external memory forces full collections: ${JSON.stringify(plain)}`,
  );
  assert.ok(
    tuned.major + tuned.incremental <= 1,
    `once tuned, scavenges: ${JSON.stringify(tuned)}`,
  );
  // a server keeps V8's step (without incremental marking, as full collections)
  assert.ok(server.major >= 4, `a server collects as V8 would: ${JSON.stringify(server)}`);
  assert.equal(server.incremental, 0, `a server marks atomically: ${JSON.stringify(server)}`);
});
