/**
 * `npm start`: runs the Electron app (`electron .`, whose main is the built
 * dist/electron/main.js) from the repository root, passing on its exit status and forwarding
 * SIGINT / SIGTERM to it. Where the Electron binary is missing it says so and how to get it
 * (binary.ts) and exits 1, rather than letting the electron package try a download.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findElectronBinary, NO_ELECTRON_HELP } from './binary.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Starts Electron on the app; resolves with its exit code. */
export function runElectron(binary: string, args: readonly string[] = []): Promise<number> {
  const child = spawn(binary, ['.', ...args], { cwd: REPO_ROOT, stdio: 'inherit' });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    const done = (code: number) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code);
    };
    child.once('error', (e) => {
      process.stderr.write(`keyway: cannot start Electron (${binary}): ${e.message}\n`);
      done(1);
    });
    child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  const found = findElectronBinary();
  if (!found.ok) {
    process.stderr.write(`keyway: ${NO_ELECTRON_HELP}\n  (${found.why})\n`);
    process.exit(1);
  }
  process.exit(await runElectron(found.path, process.argv.slice(2)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) void main();
