/**
 * Bytes from a stream, kept as the chunks they arrived in, for the framers that cut a stream
 * into length-prefixed packets (the transport's binary packets, SFTP's). Taking n bytes that
 * one chunk holds returns a view of it; only bytes that straddle chunks are copied, so bulk
 * data reaches its consumer without being merged into a growing buffer first; takeParts hands
 * a span over as the views it arrived in, copying nothing.
 */
export class ChunkQueue {
  private chunks: Uint8Array[] = [];
  private total = 0;

  /** Bytes buffered and not yet taken. */
  get length(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Replaces the bytes held by one copy of them, so the chunks they came in may be reused. */
  own(): void {
    if (this.total === 0) return;
    const copy = new Uint8Array(this.total);
    let at = 0;
    for (const c of this.chunks) {
      copy.set(c, at);
      at += c.length;
    }
    this.chunks = [copy];
  }

  /** The first n bytes without consuming them (n ≤ length). */
  peek(n: number): Uint8Array {
    const first = this.chunks[0] as Uint8Array;
    if (first.length >= n) return first.subarray(0, n);
    return this.gather(n, false);
  }

  /**
   * Consumes the first n bytes (n ≤ length): a view when one chunk holds them, else a copy —
   * into `scratch` when it is given and large enough (then the result is only good until the
   * caller reuses scratch), else into a new buffer.
   */
  take(n: number, scratch?: Uint8Array): Uint8Array {
    const first = this.chunks[0] as Uint8Array;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.total -= n;
      return first.subarray(0, n);
    }
    return this.gather(n, true, scratch);
  }

  /**
   * Consumes the first n bytes (n ≤ length) without copying any of them: the views of the
   * chunks they arrived in, in order (none for n = 0). The views alias those chunks.
   */
  takeParts(n: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let left = n;
    while (left > 0) {
      const c = this.chunks[0] as Uint8Array;
      if (c.length <= left) {
        this.chunks.shift();
        out.push(c);
        left -= c.length;
      } else {
        out.push(c.subarray(0, left));
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
    this.total -= n;
    return out;
  }

  private gather(n: number, consume: boolean, scratch?: Uint8Array): Uint8Array {
    const out =
      scratch !== undefined && scratch.length >= n ? scratch.subarray(0, n) : new Uint8Array(n);
    let at = 0;
    let i = 0;
    while (at < n) {
      const c = this.chunks[consume ? 0 : i] as Uint8Array;
      const k = Math.min(n - at, c.length);
      out.set(c.subarray(0, k), at);
      at += k;
      if (!consume) i++;
      else if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    if (consume) this.total -= n;
    return out;
  }
}
