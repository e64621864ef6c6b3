#!/usr/bin/env node
// Runs the test suite with node's built-in runner, TypeScript loaded through tsx.
// Usage: node scripts/run-tests.mjs [unit|interop|e2e|fuzz ...] [--only substring]
// Why node:test: no runner dependency to keep current, per-test reporting, and its summary
// lines are what CI reads. Files are listed here rather than globbed by node.
// The suite runs on the pinned toolchain's Node 24 (scripts/toolchain.sh; Electron's main
// process runs Node 24 too). On an older Node it stops at once and says so: some tests fail
// there for reasons of the runtime, not of Keyway, and the failures would only mislead.
// Each test gets at most KEYWAY_TEST_TIMEOUT_MS (default 10 min), and the whole run at most
// KEYWAY_RUN_TIMEOUT_MS (default 40 min): a hung test then fails CI instead of hanging it, and
// the interop harness's exit hook stops the servers that run left behind. Not
// --test-force-exit: it ends a file before tests registered after an await have run.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const NODE_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < NODE_MAJOR) {
  console.error(
    `run-tests: this is Node ${process.versions.node}; the tests run on Node ${NODE_MAJOR}.\n` +
      `  source scripts/toolchain.sh   (brings the pinned Node ${NODE_MAJOR} and puts it first in PATH)\n` +
      '  then run this command again; bash scripts/test.sh does all of it.',
  );
  process.exit(1);
}
const args = process.argv.slice(2);
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args.splice(onlyIdx, 2)[1] : undefined;
const tiers = args.length > 0 ? args : ['unit', 'interop', 'e2e'];

function walk(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (e.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = tiers
  .flatMap((t) => walk(join(root, 'test', t)))
  .filter((f) => !only || f.includes(only))
  .sort()
  .map((f) => relative(root, f));
if (files.length === 0) {
  console.error(`no test files found for ${tiers.join(', ')}`);
  process.exit(1);
}
const timeoutMs = Number(process.env.KEYWAY_TEST_TIMEOUT_MS ?? 600_000);
const runTimeoutMs = Number(process.env.KEYWAY_RUN_TIMEOUT_MS ?? 2_400_000);
const r = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    `--test-timeout=${timeoutMs}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit', timeout: runTimeoutMs, killSignal: 'SIGTERM' },
);
if (r.error || r.signal) {
  console.error(
    `test run stopped: ${r.error?.message ?? `signal ${r.signal}`} (limit ${runTimeoutMs} ms)`,
  );
  process.exit(1);
}
process.exit(r.status ?? 1);
