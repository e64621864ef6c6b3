/**
 * Progress of one transfer call: byte and file counters across every file in flight, a
 * smoothed rate, and the ETA, reported to the caller's onProgress at most ten times a second
 * plus once at the end of each file. Counters only grow, so the events are monotonic.
 */
import type { TransferProgress } from './types.js';

/** Least time between throttled events (10 a second). */
const EMIT_INTERVAL_MS = 100;
/** The rate is re-estimated over windows at least this long. */
const SAMPLE_INTERVAL_MS = 250;
/** Weight of the newest window in the smoothed rate. */
const SMOOTHING = 0.3;

export class ProgressTracker {
  /** Bytes moved by this call. */
  moved = 0;
  private totalBytes = 0;
  private filesDone = 0;
  private totalSize: number | null = null;
  private filesTotal: number | null = null;
  private rate = 0;
  private readonly startedAt: number;
  private sampleAt: number;
  private sampleMoved = 0;
  private lastEmit = -Infinity;

  constructor(
    private readonly onProgress: ((p: TransferProgress) => void) | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
    this.sampleAt = this.startedAt;
  }

  /** Totals known once the source has been walked. */
  setTotals(totalSize: number | null, filesTotal: number | null): void {
    this.totalSize = totalSize;
    this.filesTotal = filesTotal;
  }

  /** A file starts; `already` bytes of it exist (a resume) and count as done. */
  startFile(path: string, size: number | null, already: number): FileProgress {
    this.totalBytes += already;
    return new FileProgress(this, path, size, already);
  }

  /** @internal bytes of `file` arrived. */
  advance(file: FileProgress, n: number): void {
    this.moved += n;
    this.totalBytes += n;
    this.resample();
    if (this.now() - this.lastEmit >= EMIT_INTERVAL_MS) this.emit(file);
  }

  /** @internal `file` finished: counted, and reported whatever the throttle says. */
  finish(file: FileProgress): void {
    this.filesDone++;
    this.resample();
    this.emit(file);
  }

  private resample(): void {
    const t = this.now();
    const dt = t - this.sampleAt;
    if (dt < SAMPLE_INTERVAL_MS) {
      // before the first full window, the average so far
      if (this.sampleAt === this.startedAt && t > this.startedAt) {
        this.rate = (this.moved * 1000) / (t - this.startedAt);
      }
      return;
    }
    const instant = ((this.moved - this.sampleMoved) * 1000) / dt;
    this.rate =
      this.sampleAt === this.startedAt
        ? instant
        : SMOOTHING * instant + (1 - SMOOTHING) * this.rate;
    this.sampleAt = t;
    this.sampleMoved = this.moved;
  }

  private emit(file: FileProgress): void {
    if (this.onProgress === undefined) return;
    this.lastEmit = this.now();
    const left = this.totalSize === null ? null : Math.max(0, this.totalSize - this.totalBytes);
    this.onProgress({
      path: file.path,
      fileBytes: file.bytes,
      fileSize: file.size,
      totalBytes: this.totalBytes,
      totalSize: this.totalSize,
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesPerSecond: this.rate,
      etaSeconds: left === null ? null : left === 0 ? 0 : this.rate > 0 ? left / this.rate : null,
    });
  }
}

/** One file's share of the progress; `bytes` includes a resumed prefix. */
export class FileProgress {
  constructor(
    private readonly tracker: ProgressTracker,
    readonly path: string,
    readonly size: number | null,
    public bytes: number,
  ) {}

  advance(n: number): void {
    if (n <= 0) return;
    this.bytes += n;
    this.tracker.advance(this, n);
  }

  done(): void {
    this.tracker.finish(this);
  }
}
