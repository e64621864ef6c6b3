/**
 * Freezing a server's per-connection processes (SIGSTOP, SIGCONT later) to play a peer that
 * stops answering without closing anything: keepalive tests. Only descendants of a PID the
 * test started are signalled.
 */
import { execFileSync } from 'node:child_process';

/** Every descendant of `pid` (sshd forks a process per connection, and privsep children). */
export function descendants(pid: number): number[] {
  let listed: string;
  try {
    listed = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // pgrep exits 1 when there are none
  }
  const kids = listed
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

/** SIGSTOPs every descendant of `pid`; returns them, for thaw(). */
export function freezeChildren(pid: number): number[] {
  const frozen = descendants(pid);
  for (const p of frozen) process.kill(p, 'SIGSTOP');
  return frozen;
}

/** SIGCONTs processes frozen by freezeChildren (those already gone are skipped). */
export function thaw(pids: readonly number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGCONT');
    } catch {
      // already gone
    }
  }
}
