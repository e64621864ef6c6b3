// A dedicated local account for password and keyboard-interactive tests: `keyway-test`, made
// once with a known password (CI runs as root; the account has no other use). Idempotent. Also
// its ~/.ssh/authorized_keys, for servers that read only that file (bookworm's dropbear 2022.83
// has no -D).
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** uid, gid and home of the test user, from the passwd database. */
function testUserEntry(): { uid: number; gid: number; home: string } {
  const line = execFileSync('getent', ['passwd', TEST_USER], { encoding: 'utf8' }).trim();
  const f = line.split(':');
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  const home = f[5] ?? '';
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || !home.startsWith('/')) {
    throw new Error(`unexpected passwd entry for ${TEST_USER}: ${line}`);
  }
  return { uid, gid, home };
}

/**
 * A real directory (not a link) owned by root or the user, as checkpubkeyperms() accepts, and
 * set to `mode`.
 */
function strictDir(path: string, uid: number, gid: number, mode: number): void {
  const st = lstatSync(path);
  if (!st.isDirectory()) throw new Error(`${path} is not a directory`);
  if (st.uid !== 0 && st.uid !== uid) chownSync(path, uid, gid);
  chmodSync(path, mode);
}

/**
 * Makes `lines` the whole of ~keyway-test/.ssh/authorized_keys, replacing what was there (an
 * empty list leaves an empty file: no key accepted). Ownership and modes as dropbear's
 * checkpubkeyperms() wants them: the home, ~/.ssh and the file owned by the user (or root) and
 * none writable by group or others; sshd's StrictModes wants the same. ~/.ssh and the file are
 * made the user's; the file is replaced by a rename, so a server never reads half of it.
 * Creates the user first if needed.
 */
export function setTestUserAuthorizedKeys(lines: readonly string[]): void {
  ensureTestUser();
  const { uid, gid, home } = testUserEntry();
  strictDir(home, uid, gid, lstatSync(home).mode & 0o7777 & ~0o022);
  const dir = join(home, '.ssh');
  mkdirSync(dir, { mode: 0o700, recursive: true });
  strictDir(dir, uid, gid, 0o700);
  chownSync(dir, uid, gid);
  const file = join(dir, 'authorized_keys');
  const tmp = `${file}.keyway-${process.pid}`;
  writeFileSync(tmp, lines.map((l) => `${l}\n`).join(''), { mode: 0o600 });
  chownSync(tmp, uid, gid);
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
