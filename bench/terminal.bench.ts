/**
 * Terminal benchmark (issue 6, Benchmark), against keyway sshd and Debian's OpenSSH sshd side
 * by side in one run, on loopback:
 *   - throughput: `cat` of a file of text lines (BENCH_TERMINAL_MB, default 100 MB) through
 *     the whole app path (sshd → service → WebSocket → xterm.js in Chromium), timed from Enter
 *     until the end marker printed after it is rendered; beside it the same cat through
 *     OpenSSH `ssh -tt` and `keyway ssh -tt` into a pty, their output counted and discarded by
 *     a fast reader (timed from the first byte), so the ratio shows what the browser costs;
 *   - Ctrl-C: `yes` floods the terminal for BENCH_TERMINAL_FLOOD_MS (3 s), then Ctrl-C, and
 *     the time until the prompt is rendered again; median of BENCH_TERMINAL_ROUNDS (5);
 *   - the renderer bundle in dist/ui, raw and gzip.
 * Needs the build (npm run build). A benchmark, not a test: nothing fails on speed; a row
 * that fails (a deadline, a client error) says so in the table and the run goes on.
 */
import { cpus, totalmem } from 'node:os';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { batchSshOptions } from '../test/support/batch-ssh.js';
import { bundleSizes, type BundleFile } from './terminal/bundle.js';
import { startFixture, type BenchServer, type Fixture } from './terminal/fixture.js';
import { openTerminal, timeCtrlC, timeUntilRendered, waitForPrompt } from './terminal/page.js';
import { readToMarker } from './terminal/processes.js';
import { formatResult } from './terminal/report.js';

const keywayBin = fileURLToPath(new URL('../bin/keyway.js', import.meta.url));
const uiDir = fileURLToPath(new URL('../dist/ui', import.meta.url));
/** Deadline for each step in the page (connect, a prompt, one Ctrl-C round). */
const PAGE_TIMEOUT_MS = 30_000;

export interface TerminalBenchOptions {
  /** Payload size in MB (10^6 bytes). */
  readonly mb: number;
  /** Ctrl-C rounds per server (the median is reported). */
  readonly rounds: number;
  /** How long `yes` floods before Ctrl-C, ms. */
  readonly floodMs: number;
}

export interface ThroughputRow {
  readonly server: string;
  readonly path: 'ssh -tt' | 'keyway ssh -tt' | 'Chromium';
  /** MB/s (10^6 bytes of payload per second); NaN when the row failed. */
  readonly mbps: number;
  readonly error?: string;
}

export interface CtrlCRow {
  readonly server: string;
  readonly samplesMs: readonly number[];
  /** NaN when the row failed. */
  readonly medianMs: number;
  readonly error?: string;
}

export interface TerminalBenchResult {
  readonly machine: string;
  readonly options: TerminalBenchOptions;
  readonly throughput: readonly ThroughputRow[];
  readonly ctrlC: readonly CtrlCRow[];
  readonly bundle: readonly BundleFile[];
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name}=${raw}: not a positive integer`);
  return n;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): TerminalBenchOptions {
  return {
    mb: positive(env, 'BENCH_TERMINAL_MB', 100),
    rounds: positive(env, 'BENCH_TERMINAL_ROUNDS', 5),
    floodMs: positive(env, 'BENCH_TERMINAL_FLOOD_MS', 3000),
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

const message = (e: unknown) => (e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e));

/** The remote command: cat, then a marker whose own echo (`%s`) does not contain it. */
function catCommand(payload: string): { command: string; marker: string } {
  const tag = randomBytes(6).toString('hex');
  return { command: `cat ${payload}; printf 'END-%s\\n' ${tag}`, marker: `END-${tag}` };
}

function clientArgv(f: Fixture, s: BenchServer, path: 'ssh -tt' | 'keyway ssh -tt') {
  const common = [
    '-tt',
    ...batchSshOptions(s.port, '/dev/null'),
    '-i',
    f.key,
    '-o',
    'LogLevel=ERROR',
    `${f.user}@127.0.0.1`,
  ];
  return path === 'ssh -tt' ? ['ssh', ...common] : [process.execPath, keywayBin, 'ssh', ...common];
}

/** The command-line references: the cat through `ssh -tt` and `keyway ssh -tt`. */
async function cliRows(f: Fixture, s: BenchServer, o: TerminalBenchOptions) {
  const bytes = o.mb * 1e6;
  const rows: ThroughputRow[] = [];
  for (const path of ['ssh -tt', 'keyway ssh -tt'] as const) {
    const { command, marker } = catCommand(f.payload);
    try {
      const argv = [...clientArgv(f, s, path), command];
      const r = await readToMarker(argv, marker, 30_000 + o.mb * 1_000, { SSH_AUTH_SOCK: '' });
      if (r.bytes < bytes) throw new Error(`only ${r.bytes} of ${bytes} bytes arrived`);
      rows.push({ server: s.name, path, mbps: bytes / r.ms / 1e3 });
    } catch (e) {
      rows.push({ server: s.name, path, mbps: NaN, error: message(e) });
    }
  }
  return rows;
}

/**
 * One page, one terminal tab to `s` (the service shares a connection per host, so a second
 * page would find it open): the cat, then the Ctrl-C rounds. A cat that misses its deadline
 * is interrupted, and the rounds run once the prompt is back.
 */
async function browserRows(
  f: Fixture,
  s: BenchServer,
  o: TerminalBenchOptions,
): Promise<{ throughput: ThroughputRow; ctrlC: CtrlCRow }> {
  const server = s.name;
  const samplesMs: number[] = [];
  let throughput: ThroughputRow = { server, path: 'Chromium', mbps: NaN, error: 'not run' };
  const page = await f.browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    const prompt = await openTerminal(page, f.url, f.user, s.port, PAGE_TIMEOUT_MS);
    const { command, marker } = catCommand(f.payload);
    try {
      const ms = await timeUntilRendered(page, command, marker, 60_000 + o.mb * 5_000);
      throughput = { server, path: 'Chromium', mbps: (o.mb * 1e6) / ms / 1e3 };
    } catch (e) {
      throughput = { server, path: 'Chromium', mbps: NaN, error: message(e) };
      await page.keyboard.press('Control+C');
      await waitForPrompt(page, prompt, PAGE_TIMEOUT_MS);
    }
    for (let i = 0; i < o.rounds; i++)
      samplesMs.push(await timeCtrlC(page, prompt, o.floodMs, PAGE_TIMEOUT_MS));
    return { throughput, ctrlC: { server, samplesMs, medianMs: median(samplesMs) } };
  } catch (e) {
    if (throughput.error === 'not run') throughput = { ...throughput, error: message(e) };
    return { throughput, ctrlC: { server, samplesMs, medianMs: NaN, error: message(e) } };
  } finally {
    await page.close();
  }
}

/** Runs the whole benchmark with `o` and returns the figures (nothing printed). */
export async function measure(o: TerminalBenchOptions): Promise<TerminalBenchResult> {
  const bundle = bundleSizes(uiDir);
  const f = await startFixture(o.mb * 1e6);
  try {
    const throughputRows: ThroughputRow[] = [];
    const ctrlCRows: CtrlCRow[] = [];
    for (const s of f.servers) {
      throughputRows.push(...(await cliRows(f, s, o)));
      const b = await browserRows(f, s, o);
      throughputRows.push(b.throughput);
      ctrlCRows.push(b.ctrlC);
    }
    const machine =
      `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; ` +
      `node ${process.version}; Chromium ${f.browser.version()}; ` +
      `servers: ${f.servers.map((s) => s.name).join(', ')}`;
    return { machine, options: o, throughput: throughputRows, ctrlC: ctrlCRows, bundle };
  } finally {
    await f.close();
  }
}

export async function run(): Promise<void> {
  console.log(formatResult(await measure(optionsFromEnv())));
}
