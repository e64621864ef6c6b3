// Server processes: a free port, spawning, waiting until the server sends its SSH banner, and
// stopping by PID. Only processes this harness started are signalled: the server's own PID and
// the per-connection children it forked (found through /proc and checked by start time, so a
// reused PID is never hit). Exit and signal hooks kill whatever a test left running.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from './roots.js';

const LOG_CAP = 1 << 20;
const READY_TIMEOUT_MS = 10_000;
const KILL_AFTER_MS = 3_000;

/** A port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/** `n` ports on 127.0.0.1, all different: each stays bound until the OS picked the others. */
export async function freePorts(n: number): Promise<number[]> {
  const held = Array.from({ length: n }, () => createServer());
  try {
    return await Promise.all(
      held.map(
        (srv) =>
          new Promise<number>((resolve, reject) => {
            srv.once('error', reject);
            srv.listen(0, '127.0.0.1', () => {
              const addr = srv.address();
              if (typeof addr === 'object' && addr !== null) resolve(addr.port);
              else reject(new Error('no port assigned'));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(held.map((srv) => new Promise((r) => srv.close(r))));
  }
}

/** The server could not bind its port: someone took it between freePort() and the start. */
export class PortInUseError extends Error {}

/** Calls `attempt` with a free port, again with another port if that one was taken. */
export async function withFreePort<T>(attempt: (port: number) => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt(await freePort());
    } catch (e) {
      if (!(e instanceof PortInUseError) || i >= 3) throw e;
    }
  }
}

export interface Launched {
  pid: number;
  /** The banner's software version, e.g. 'OpenSSH_10.0p2'. */
  version: string;
  log(): string;
  stop(): Promise<void>;
}

interface ProcId {
  pid: number;
  start: string;
}

/** State, parent and start time (clock ticks since boot) of a PID, from /proc/<pid>/stat. */
function procStat(pid: number): { state: string; ppid: number; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: f[0] ?? '', ppid: Number(f[1]), start: f[19] ?? '' };
  } catch {
    return undefined;
  }
}

function descendants(root: number): ProcId[] {
  const children = new Map<number, ProcId[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const st = procStat(pid);
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push({ pid, start: st.start });
    children.set(st.ppid, list);
  }
  const out: ProcId[] = [];
  const queue = [root];
  for (let p = queue.pop(); p !== undefined; p = queue.pop()) {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/** A zombie counts as gone: it has exited, and whoever inherited it reaps it. */
function alive(p: ProcId): boolean {
  const st = procStat(p.pid);
  return st !== undefined && st.start === p.start && st.state !== 'Z' && st.state !== 'X';
}

function signal(p: ProcId, sig: NodeJS.Signals): void {
  if (!alive(p)) return;
  try {
    process.kill(p.pid, sig);
  } catch {
    // Gone between the check and the kill.
  }
}

/** Live servers (PID → temp dir), for the hooks below. */
const live = new Map<number, string>();
let hooked = false;

/** Kills every live server and its children and removes their dirs; synchronous. */
function killAllNow(): void {
  for (const [pid, dir] of live) {
    for (const k of descendants(pid)) signal(k, 'SIGKILL');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

/**
 * On exit, and on SIGINT/SIGTERM/SIGHUP (which end Node without an 'exit' event; the test
 * runner sends SIGTERM to a file it cancels), nothing we started may outlive the test process.
 * A signal is re-raised after cleanup, so the process still ends the way it would have.
 */
function installHooks(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllNow();
      process.kill(process.pid, sig);
    });
  }
}

/** Connects once and reads up to the first 'SSH-' line; undefined if not (yet) possible. */
function readBanner(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    const sock = connect({ host: '127.0.0.1', port });
    const done = (v: string | undefined): void => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(2_000, () => done(undefined));
    sock.on('error', () => done(undefined));
    sock.on('close', () => done(undefined));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const line = buf.split('\n').find((l, i, all) => l.startsWith('SSH-') && i < all.length - 1);
      if (line !== undefined) done(line.replace(/\r$/, ''));
      else if (buf.length > 8192) done(undefined);
    });
  });
}

/**
 * Spawns the server and resolves once it answers with an SSH-2.0 banner. On failure the process
 * is stopped and the error carries the server's log. `dir` is the server's temp dir: the caller
 * removes it after stop(); the exit hook removes it if nobody called stop().
 */
export async function launch(
  cmd: Command,
  port: number,
  label: string,
  dir: string,
): Promise<Launched> {
  let log = '';
  const child = spawn(cmd.file, cmd.args, { env: cmd.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const append = (d: Buffer): void => {
    log += d.toString('utf8');
    if (log.length > LOG_CAP) log = log.slice(log.length - LOG_CAP);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let exitedWith: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (e) => {
      exitedWith = `could not start: ${e.message}`;
      resolve();
    });
    child.once('exit', (code, sig) => {
      exitedWith = sig ? `killed by ${sig}` : `exited with code ${code}`;
      resolve();
    });
  });
  const pid = child.pid ?? -1;
  if (pid > 0) {
    installHooks();
    live.set(pid, dir);
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const kids = exitedWith === undefined ? descendants(pid) : [];
      if (exitedWith === undefined) child.kill('SIGTERM');
      for (const k of kids) signal(k, 'SIGTERM');
      // Unref'd: a pending timer must not keep the test process alive.
      const timer = sleep(KILL_AFTER_MS, undefined, { ref: false }).then(() => 'timeout' as const);
      if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
      for (let waited = 0; kids.some(alive) && waited < 2 * KILL_AFTER_MS; waited += 50) {
        if (waited >= KILL_AFTER_MS) for (const k of kids) signal(k, 'SIGKILL');
        await sleep(50);
      }
      live.delete(pid);
    })());

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let banner: string | undefined;
  while (banner === undefined) {
    if (exitedWith !== undefined || Date.now() > deadline) {
      const why = exitedWith ?? `did not answer within ${READY_TIMEOUT_MS / 1000} s`;
      await stop();
      const text = `${label} on 127.0.0.1:${port} ${why}\n--- command: ${[cmd.file, ...cmd.args].join(' ')}\n--- log:\n${log}`;
      throw /Address already in use/.test(log) ? new PortInUseError(text) : new Error(text);
    }
    banner = await readBanner(port);
    if (banner !== undefined && !banner.startsWith('SSH-2.0-')) {
      await stop();
      throw new Error(`${label} on 127.0.0.1:${port} sent an unexpected banner: ${banner}\n${log}`);
    }
    if (banner === undefined) await sleep(50);
  }
  const version = banner.slice('SSH-2.0-'.length).split(' ')[0] ?? '';
  return { pid, version, log: () => log, stop };
}
