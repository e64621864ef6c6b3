// The committed WebAssembly modules (core/crypto/wasm/*-wasm.ts) are what scripts/build-wasm.sh
// compiles from their C sources with clang and lld (installed by scripts/system-deps.sh), so a
// change to a C file cannot land without its module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('core/crypto/wasm modules match their C sources', async () => {
  const run = promisify(execFile);
  const r = await run('bash', ['scripts/build-wasm.sh', '--check'], { cwd: root }).catch(
    (e: { stderr?: string; message: string }) => assert.fail(e.stderr || e.message),
  );
  assert.equal(r.stderr, '');
});
