// A dedicated local account for password and keyboard-interactive tests: `keyway-test`, made
// once with a known password (CI runs as root; the account has no other use). Idempotent.
import { execFileSync } from 'node:child_process';

export const TEST_USER = 'keyway-test';
export const TEST_PASSWORD = 'Keyway-interop-0';

let made = false;

export function ensureTestUser(): { user: string; password: string } {
  if (!made) {
    if (process.getuid?.() !== 0) {
      throw new Error(`password tests create the local user ${TEST_USER} and need root`);
    }
    try {
      execFileSync('id', [TEST_USER], { stdio: 'ignore' });
    } catch {
      execFileSync('useradd', ['-m', '-s', '/bin/sh', TEST_USER], { stdio: 'pipe' });
    }
    execFileSync('chpasswd', [], {
      input: `${TEST_USER}:${TEST_PASSWORD}\n`,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    made = true;
  }
  return { user: TEST_USER, password: TEST_PASSWORD };
}
