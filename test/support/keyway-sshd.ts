/**
 * `keyway sshd` as a person starts it: the built bin in a child process, on a port the OS
 * picks (-p 0), with a data directory and authorized_keys in a temp dir. Stopped with SIGTERM
 * by PID; its exit code and everything it printed are kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export interface KeywaySshd {
  readonly port: number;
  readonly dir: string;
  readonly dataDir: string;
  readonly authorizedKeys: string;
  readonly pid: number;
  /** stdout so far. */
  out(): string;
  /** stderr so far (-v logs). */
  err(): string;
  /** SIGTERM, then the exit code (and signal, if it died of one). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface KeywaySshdOptions {
  readonly authorizedKeys?: readonly string[];
  readonly args?: readonly string[];
  /** Reuse a data directory (host keys from an earlier start). */
  readonly dataDir?: string;
  /** Listen on this port (a restart on the same port); default: one the OS picks. */
  readonly port?: number;
  /**
   * Run it as another local account (tests running as root): the server then serves that
   * user. The data directory must be theirs; the helper's own authorized_keys file is not
   * readable to them, so give files with --authorized-keys in `args`.
   */
  readonly runAs?: { readonly uid: number; readonly gid: number; readonly home: string };
}

export async function startKeywaySshd(o: KeywaySshdOptions = {}): Promise<KeywaySshd> {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-sshd-'));
  const dataDir = o.dataDir ?? join(dir, 'data');
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, (o.authorizedKeys ?? []).map((l) => `${l}\n`).join(''));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(repo, 'bin/keyway.js'),
      'sshd',
      '-p',
      String(o.port ?? 0),
      '-D',
      dataDir,
      '--authorized-keys',
      authorizedKeys,
      '-v',
      ...(o.args ?? []),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(o.runAs
        ? {
            uid: o.runAs.uid,
            gid: o.runAs.gid,
            env: { ...process.env, HOME: o.runAs.home },
            cwd: o.runAs.home,
          }
        : {}),
    },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-1_000_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    await waitFor(() => /^connect with: /m.test(out) || gone, 'keyway sshd to start', 60_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const m = /listening on \S+ port (\d+)/.exec(out);
  if (!m || gone) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`keyway sshd did not start:\n${out}\n${err}`);
  }
  const pid = child.pid ?? 0;
  return {
    port: Number(m[1]),
    dir,
    dataDir,
    authorizedKeys,
    pid,
    out: () => out,
    err: () => err,
    stop: async () => {
      if (!gone) process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => !gone && process.kill(pid, 'SIGKILL'), 10_000);
      const r = await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      return r;
    },
  };
}
