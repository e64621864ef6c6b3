/**
 * Runs the built `keyway` command (bin/keyway.js, so `npx tsc -b` first) as a user would, with
 * no agent, and collects its exit code, stdout and stderr.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export interface BinRun {
  /** Exit status; null when it ended by a signal. */
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

export function runKeyway(
  args: readonly string[],
  o: { readonly input?: string; readonly cwd?: string } = {},
): Promise<BinRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [join(repo, 'bin/keyway.js'), ...args],
      {
        env: { ...process.env, SSH_AUTH_SOCK: '' },
        maxBuffer: 64 * 1024 * 1024,
        ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
      },
      (error, out, err) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, out, err });
      },
    );
    child.stdin?.end(o.input ?? '');
  });
}
