/**
 * Benchmarks, side by side with OpenSSH in one run and reported as ratios (DESIGN.md
 * "Performance"). Each benchmark is a module in bench/ exporting `run()`; this runner calls
 * them in turn. Usage: npm run bench [-- name...]
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
if (files.length === 0) {
  console.error('no benchmarks matched');
  process.exit(1);
}
for (const f of files) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { run: () => Promise<void> };
  console.log(`\n## ${f}`);
  await mod.run();
}
