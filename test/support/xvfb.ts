/**
 * Xvfb, a real X server without a screen, for the X11 forwarding tests: a display number
 * nothing else uses, a MIT-MAGIC-COOKIE-1 cookie in an Xauthority file of the test's own
 * (the server accepts only it), stopped by PID.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunningXvfb {
  /** ":N" */
  readonly display: string;
  /** The Xauthority file holding the display's cookie. */
  readonly xauthority: string;
  stop(): Promise<void>;
}

export async function startXvfb(dir: string): Promise<RunningXvfb> {
  const xauthority = join(dir, 'Xauthority');
  for (let attempt = 0; attempt < 20; attempt++) {
    const n = 100 + Math.floor(Math.random() * 800);
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const display = `:${n}`;
    const cookie = randomBytes(16).toString('hex');
    execFileSync('xauth', ['-f', xauthority, 'add', display, 'MIT-MAGIC-COOKIE-1', cookie]);
    // -noreset: the X server would otherwise reset when its last client leaves, and forget
    // the untrusted cookies `xauth generate` made (a desktop always has a client connected)
    const child = spawn('Xvfb', [display, '-auth', xauthority, '-nolisten', 'tcp', '-noreset'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    };
    for (let waited = 0; waited < 10_000 && child.exitCode === null; waited += 20) {
      if (existsSync(`/tmp/.X11-unix/X${n}`)) return { display, xauthority, stop };
      await sleep(20);
    }
    await stop();
    if (!/already active|server is already/i.test(log))
      throw new Error(`Xvfb did not start:\n${log}`);
  }
  throw new Error('Xvfb: no free display number');
}
