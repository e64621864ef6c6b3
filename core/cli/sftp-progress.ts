/**
 * The progress line `keyway sftp` and `keyway scp` draw on a terminal during a transfer, laid
 * out as OpenSSH's progressmeter.c lays it out: the file name padded to the width less 36
 * columns, then percent, bytes so far, rate and ETA (or the elapsed time once done), redrawn
 * in place with '\r' at most once a second and finished with a newline.
 */
import type { TransferProgress } from '../sftp/transfer/index.js';

const UNITS = ' KMGT';

/** Bytes in at most four digits and a unit: `1234 `, `  12MB`, as scp shows sizes. */
export function formatSize(bytes: number): string {
  let i = 0;
  let b = Math.max(0, Math.floor(bytes));
  while (b >= 10000 && i < UNITS.length - 1) {
    b = Math.floor((b + 512) / 1024);
    i++;
  }
  return `${String(b).padStart(4)}${UNITS[i] ?? ''}${i > 0 ? 'B' : ' '}`;
}

/** A rate with one decimal, at least in KB: `  1.2MB`. */
export function formatRate(bytesPerSecond: number): string {
  let b = Math.max(0, Math.floor(bytesPerSecond)) * 100;
  let i = 0;
  while (b >= 100 * 1000 && i < UNITS.length - 1) {
    b = Math.floor((b + 512) / 1024);
    i++;
  }
  if (i === 0) {
    i = 1;
    b = Math.floor((b + 512) / 1024);
  }
  const whole = Math.floor((b + 5) / 100);
  const tenth = Math.floor((b + 5) / 10) % 10;
  return `${String(whole).padStart(3)}.${tenth}${UNITS[i] ?? ''}B`;
}

/** `  mm:ss` or `h:mm:ss`. */
export function formatClock(totalSeconds: number): string {
  const t = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `  ${mm}:${ss}`;
}

export interface ProgressState {
  readonly name: string;
  readonly bytes: number;
  /** null when the size is not known. */
  readonly size: number | null;
  readonly bytesPerSecond: number;
  /** Seconds left, null when unknown. */
  readonly etaSeconds: number | null;
  /** Whether the file is complete (then the elapsed time is shown instead of the ETA). */
  readonly done: boolean;
  readonly elapsedSeconds: number;
  /** Seconds without progress. */
  readonly stalledSeconds?: number;
}

/** One progress line for a terminal `width` columns wide (without the leading '\r'). */
export function formatProgress(p: ProgressState, width: number): string {
  const nameWidth = width - 36;
  let line = '';
  if (nameWidth > 0) {
    const name = [...p.name];
    line = name.length > nameWidth ? name.slice(0, nameWidth).join('') : p.name.padEnd(nameWidth);
  }
  const size = p.size ?? 0;
  const percent = size === 0 || p.bytes >= size ? 100 : Math.floor((p.bytes / size) * 100);
  line += ` ${String(percent).padStart(3)}% ${formatSize(p.bytes)} ${formatRate(p.bytesPerSecond)}/s `;
  if ((p.stalledSeconds ?? 0) >= 5 && !p.done) line += '- stalled -';
  else if (p.done) line += `${formatClock(p.elapsedSeconds)}    `;
  else if (p.etaSeconds === null) line += '  --:-- ETA';
  else line += `${formatClock(p.etaSeconds)} ETA`;
  return [...line].slice(0, Math.max(0, width - 2)).join('');
}

export interface ProgressSink {
  readonly columns?: number | undefined;
  write(text: string): unknown;
}

/**
 * Draws TransferProgress reports on a terminal: a new line per file, redrawn at most every
 * `intervalMs`, the last state of each file drawn in full before the next begins.
 */
export class ProgressMeter {
  private file: string | null = null;
  private started = 0;
  /** When the current file's line was last drawn; null before its first draw. */
  private lastDraw: number | null = null;
  private lastBytes = 0;
  private lastChange = 0;
  private last: TransferProgress | null = null;

  constructor(
    private readonly out: ProgressSink,
    private readonly now: () => number = () => Date.now(),
    private readonly intervalMs = 1000,
  ) {}

  update(p: TransferProgress): void {
    const t = this.now();
    if (p.path !== this.file) {
      this.finish();
      this.file = p.path;
      this.started = t;
      this.lastDraw = null;
      this.lastChange = t;
      this.lastBytes = p.fileBytes;
    }
    if (p.fileBytes !== this.lastBytes) {
      this.lastBytes = p.fileBytes;
      this.lastChange = t;
    }
    this.last = p;
    const complete = p.fileSize !== null && p.fileBytes >= p.fileSize;
    if (this.lastDraw === null || complete || t - this.lastDraw >= this.intervalMs) {
      this.draw(false);
    }
  }

  /** Ends the current file's line (drawing its final state). */
  finish(): void {
    if (this.file === null || this.last === null) return;
    this.draw(true);
    this.out.write('\n');
    this.file = null;
    this.last = null;
  }

  private draw(done: boolean): void {
    const p = this.last;
    if (p === null) return;
    const t = this.now();
    this.lastDraw = t;
    const elapsed = (t - this.started) / 1000;
    const complete = done || (p.fileSize !== null && p.fileBytes >= p.fileSize);
    const rate = complete && elapsed > 0 ? p.fileBytes / elapsed : p.bytesPerSecond;
    const line = formatProgress(
      {
        name: baseOf(p.path),
        bytes: p.fileBytes,
        size: p.fileSize,
        bytesPerSecond: rate,
        // this file's ETA (the report's own may be the whole transfer's)
        etaSeconds:
          p.fileSize !== null && rate > 0 ? Math.max(0, p.fileSize - p.fileBytes) / rate : null,
        done: complete,
        elapsedSeconds: elapsed,
        stalledSeconds: (t - this.lastChange) / 1000,
      },
      Math.min(this.out.columns ?? 80, 512) + 1,
    );
    this.out.write(`\r${line}`);
  }
}

function baseOf(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t.slice(t.lastIndexOf('/') + 1) || p;
}
