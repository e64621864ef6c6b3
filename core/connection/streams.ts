/**
 * Node streams over one channel direction (RFC 4254 §5.2), with backpressure both ways.
 *
 * ChannelReadable (inbound data or one extended-data type). Arriving bytes wait in the
 * stream's own queue until the consumer asks for them (_read); they count as delivered only
 * once the consumer has taken them out of the Readable (pushed − readableLength), and only then
 * may the channel send WINDOW_ADJUST. The Readable's highWaterMark is 0, so Node buffers at
 * most the chunk last pushed: a paused consumer stops the window instead of growing memory.
 * Invariant: queued + (pushed − counted) ≤ the window we advertised.
 *
 * ChannelWritable (outbound data or stderr). Each write waits for the peer's window and is
 * cut into packets of at most the peer's maximum packet size; writes gathered by cork() are
 * packed into packets together, without being joined first. end() tells the channel this
 * direction is finished (the channel sends EOF when every outbound stream is). Once the
 * channel is closed, writes complete without sending: the bytes have nowhere to go, and the
 * failure is reported by the channel (the session's `exit`), not by an 'error' event that
 * would crash a process with no listener.
 */
import { Readable, Writable } from 'node:stream';
import type { Window } from './window.js';
import { partsLength, sliceParts, type ByteParts } from '../wire/byte-parts.js';

export class ChannelReadable extends Readable {
  private readonly onDelivered: (bytes: number) => void;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  /** The consumer wants data (_read was called and no push has refused since). */
  private wanted = false;
  private pumping = false;
  /** No more data will arrive (EOF or CLOSE). */
  private ending = false;
  private pushedEnd = false;
  /** Bytes handed to push() / already reported to onDelivered. */
  private pushed = 0;
  private counted = 0;
  private discarding = false;

  constructor(onDelivered: (bytes: number) => void) {
    super({ highWaterMark: 0 });
    this.onDelivered = onDelivered;
  }

  /** Bytes received but not yet taken by the consumer. */
  get bufferedBytes(): number {
    return this.queuedBytes + (this.pushed - this.counted);
  }

  /** The channel received data for this stream. */
  enqueue(data: Uint8Array): void {
    if (this.discarding || this.pushedEnd) {
      this.onDelivered(data.length);
      return;
    }
    if (data.length === 0) return;
    this.queue.push(data);
    this.queuedBytes += data.length;
    this.pump();
  }

  /** No more data: the stream ends once the consumer has taken everything queued. */
  finish(): void {
    this.ending = true;
    this.pump();
  }

  override _read(): void {
    this.wanted = true;
    this.pump();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // The consumer gave up: what is queued is dropped and credited, and later data is
    // credited on arrival, so the peer is never left blocked on a window nobody will open.
    this.discarding = true;
    const owed = this.queuedBytes + (this.pushed - this.counted);
    this.queue = [];
    this.queuedBytes = 0;
    this.counted = this.pushed;
    if (owed > 0) this.onDelivered(owed);
    cb(err);
  }

  private pump(): void {
    if (this.pumping || this.discarding) return;
    this.pumping = true;
    try {
      while (this.wanted && this.queue.length > 0) {
        const chunk = this.queue.shift();
        if (!chunk) break;
        this.queuedBytes -= chunk.length;
        this.pushed += chunk.length;
        this.wanted = false; // a re-entrant _read() during push sets it again
        if (this.push(chunk)) this.wanted = true;
      }
      if (this.ending && this.queue.length === 0 && !this.pushedEnd) {
        this.pushedEnd = true;
        this.push(null);
      }
    } finally {
      this.pumping = false;
    }
    this.account();
  }

  /** Reports bytes the consumer has taken out of the Readable since the last report. */
  private account(): void {
    if (this.discarding) return;
    const consumed = this.pushed - this.readableLength;
    if (consumed > this.counted) {
      const n = consumed - this.counted;
      this.counted = consumed;
      this.onDelivered(n);
    }
  }
}

/** What a ChannelWritable needs from its channel. */
export interface OutboundPort {
  /** The peer's window for this channel (shared by data and extended data). */
  readonly window: Window;
  /** Largest data payload per packet. */
  maxChunk(): number;
  /** False once nothing more can be sent on the channel. */
  canSend(): boolean;
  /** Sends one packet's worth of data, as views (≤ maxChunk, window already reserved). */
  send(data: ByteParts): void;
  /** This direction is finished (end() was called and all its data sent). */
  finished(): void;
}

export class ChannelWritable extends Writable {
  private readonly port: OutboundPort;

  constructor(port: OutboundPort) {
    super({ decodeStrings: true });
    this.port = port;
  }

  override _write(
    chunk: Uint8Array,
    _encoding: BufferEncoding,
    cb: (e?: Error | null) => void,
  ): void {
    this.sendFrom([chunk], 0, chunk.length, cb);
  }

  /**
   * Chunks written while the stream was corked (or busy) go out together, packed into as few
   * packets as the peer's maximum allows, each packet's data sent as the views it spans:
   * several small writes cost one packet, and none is copied to be joined.
   */
  override _writev(
    chunks: { chunk: Uint8Array; encoding: BufferEncoding }[],
    cb: (e?: Error | null) => void,
  ): void {
    const parts = chunks.map((c) => c.chunk);
    this.sendFrom(parts, 0, partsLength(parts), cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.port.finished();
    cb();
  }

  /** Sends bytes `offset`..`total` of `parts`, a packet at a time as the window allows. */
  private sendFrom(
    parts: ByteParts,
    offset: number,
    total: number,
    cb: (e?: Error | null) => void,
  ): void {
    const port = this.port;
    let off = offset;
    while (off < total) {
      if (!port.canSend()) return cb();
      const want = Math.min(total - off, port.maxChunk());
      const n = port.window.tryReserve(want);
      if (n === 0) {
        port.window.reserve(want).then((granted) => {
          if (granted === 0 || !port.canSend()) return cb();
          port.send(sliceParts(parts, off, off + granted));
          this.sendFrom(parts, off + granted, total, cb);
        }, cb);
        return;
      }
      port.send(sliceParts(parts, off, off + n));
      off += n;
    }
    cb();
  }
}
