// A real OpenSSH ssh-agent for tests: `ssh-agent -D -a <dir>/agent.sock` in the foreground,
// stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunningAgent {
  readonly sock: string;
  stop(): Promise<void>;
}

/** Whether something accepts a connection on the Unix socket `path` now. */
function accepting(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * ssh-agent -D -a <dir>/agent.sock; resolves once the socket accepts connections. The file
 * appears at bind(), before listen(): a connection then is refused (ECONNREFUSED).
 */
export async function startAgent(dir: string): Promise<RunningAgent> {
  const sock = join(dir, 'agent.sock');
  const child: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let waited = 0; !(existsSync(sock) && (await accepting(sock))); waited += 20) {
    if (child.exitCode !== null || waited > 10_000) {
      await stop();
      throw new Error(`ssh-agent did not start:\n${log}`);
    }
    await sleep(20);
  }
  return { sock, stop };
}
