/**
 * Batching of terminal output (CONVENTIONS §13; Hyper's DataBatcher): bytes from the channel
 * are gathered and handed on at most every `intervalMs` (16 ms, a frame), or at once when
 * `maxBytes` (64 KiB) are waiting, so a flood becomes a few large events instead of thousands
 * of small ones while a keystroke's echo still goes out within a frame.
 */
export const BATCH_INTERVAL_MS = 16;
export const BATCH_MAX_BYTES = 64 * 1024;

export class DataBatcher {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly flushTo: (data: Uint8Array) => void,
    private readonly intervalMs = BATCH_INTERVAL_MS,
    private readonly maxBytes = BATCH_MAX_BYTES,
  ) {}

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.size += data.length;
    if (this.size >= this.maxBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Hands on what is waiting now (also at the end of the stream). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.size === 0) return;
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.chunks = [];
    this.size = 0;
    this.flushTo(out);
  }

  /** Drops what is waiting and the timer. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.chunks = [];
    this.size = 0;
  }
}
