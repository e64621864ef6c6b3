/**
 * Handshake latency, side by side with OpenSSH in one run: a whole key exchange (TCP
 * connect, version exchange, KEXINIT, curve25519-sha256, host-key signature check, NEWKEYS)
 * against the same local sshd, by
 *   - OpenSSH's ssh-keyscan (one process per scan),
 *   - `keyway keyscan` (one process per scan: includes Node's start-up),
 *   - Keyway's transport in-process (what the app pays per connection).
 * Reported as medians and as ratios to ssh-keyscan. Ratios, not thresholds: nothing here fails.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startOpenSsh } from '../test/interop/harness/index.js';
import { scanKey } from '../core/cli/keyscan.js';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 30);

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export async function run(): Promise<void> {
  const server = await startOpenSsh({ kex: ['curve25519-sha256'], hostKeyTypes: ['ed25519'] });
  try {
    const port = String(server.port);
    const cases: Record<string, () => Promise<unknown>> = {
      'ssh-keyscan (OpenSSH, process)': () =>
        exec('ssh-keyscan', ['-t', 'ed25519', '-p', port, '127.0.0.1']),
      'keyway keyscan (process)': () =>
        exec(process.execPath, [
          `${repo}/bin/keyway.js`,
          'keyscan',
          '-t',
          'ed25519',
          '-p',
          port,
          '127.0.0.1',
        ]),
      'keyway transport (in-process)': () =>
        scanKey('127.0.0.1', server.port, ['ssh-ed25519'], 10_000),
    };
    const times: Record<string, number[]> = {};
    for (const name of Object.keys(cases)) times[name] = [];
    // interleave the contenders so machine noise hits them alike
    for (let i = 0; i < ROUNDS + 3; i++) {
      for (const [name, fn] of Object.entries(cases)) {
        const t = await timeIt(fn);
        if (i >= 3) times[name]?.push(t); // warm-up rounds dropped
      }
    }
    const base = median(times['ssh-keyscan (OpenSSH, process)'] ?? []);
    console.log(`${server.version}, curve25519-sha256 + ssh-ed25519, ${ROUNDS} rounds, median ms:`);
    for (const [name, xs] of Object.entries(times)) {
      const m = median(xs);
      console.log(
        `  ${name.padEnd(34)} ${m.toFixed(2).padStart(8)} ms   ×${(m / base).toFixed(2)} of ssh-keyscan`,
      );
    }
  } finally {
    await server.stop();
  }
}
