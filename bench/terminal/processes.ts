/**
 * Processes the terminal benchmark starts, each stopped by its own PID: the browser host
 * (`npm run start:web`'s dist/core/service/web/main.js, on a port the OS picks) and the
 * command-line references, an ssh client (OpenSSH `ssh -tt` or `keyway ssh -tt`) whose output
 * a fast reader counts and throws away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const webMain = fileURLToPath(new URL('../../dist/core/service/web/main.js', import.meta.url));
const KILL_AFTER_MS = 5_000;

export interface Started {
  readonly pid: number;
  /** SIGTERM by PID, SIGKILL if it is still there after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = exitOf(child);
  return async () => {
    const pid = child.pid;
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    }, KILL_AFTER_MS);
    await exited;
    clearTimeout(timer);
  };
}

/** Starts the browser host with `env` (HOME, XDG_CONFIG_HOME); resolves with its URL. */
export async function startBrowserHost(
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<Started & { readonly url: string }> {
  const child = spawn(process.execPath, [webMain, '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = stopper(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-10_000)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the browser host printed no URL in ${timeoutMs} ms: ${err}`)),
        timeoutMs,
      );
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /running at (\S+)\n/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the browser host exited (${code ?? signal}): ${err}`));
      });
    });
    return { pid: child.pid ?? 0, url, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface ReaderResult {
  /** Bytes the client wrote to its stdout. */
  readonly bytes: number;
  /** Milliseconds from the first output byte until the marker arrived. */
  readonly ms: number;
}

/**
 * Runs `argv` (an ssh client whose remote command ends by printing `marker`), counting and
 * discarding its stdout. Times from the first byte (so the handshake is not counted) to the
 * marker. Rejects if the client fails, exits without the marker, or exceeds `timeoutMs`.
 */
export function readToMarker(
  argv: readonly string[],
  marker: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = {},
): Promise<ReaderResult> {
  const [cmd = '', ...args] = argv;
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: 'pipe' });
  const stop = stopper(child);
  const want = Buffer.from(marker);
  let bytes = 0;
  let first = 0;
  let tail = Buffer.alloc(0);
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4_000)));
  return new Promise<ReaderResult>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${cmd}: ${why}${err ? `: ${err.trim()}` : ''}`)));
    };
    const timer = setTimeout(() => fail(`no marker in ${timeoutMs} ms`), timeoutMs);
    child.once('error', (e) => fail(e.message));
    // 'close', not 'exit': output may still be in the pipe when the process has exited
    child.once('close', (code, signal) =>
      fail(`exited (${code ?? signal}) after ${bytes} bytes, none the marker`),
    );
    child.stdout.on('data', (d: Buffer) => {
      if (bytes === 0) first = performance.now();
      bytes += d.length;
      // the marker may straddle two reads: search the end of the last one with this one
      tail = Buffer.concat([tail.subarray(-want.length), d]);
      if (!settled && tail.includes(want)) {
        const ms = performance.now() - first;
        settled = true;
        clearTimeout(timer);
        void stop().then(() => resolve({ bytes, ms }));
      }
    });
  });
}
