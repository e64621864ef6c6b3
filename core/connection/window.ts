/**
 * Channel flow-control windows (RFC 4254 §5.2; CONVENTIONS §7).
 *
 * One `Window` counts bytes of credit in one direction of one channel:
 * - the remote window is the credit the peer gave us: tryReserve()/reserve() take from it before
 *   sending data, add() grows it on WINDOW_ADJUST (never past 2^32−1: a ProtocolError);
 * - the local window is the credit we gave the peer: consume() takes from it as data arrives
 *   (more than the credit is a ProtocolError), add() restores it when we send WINDOW_ADJUST,
 *   which the channel does only once data has been delivered to its consumer.
 *
 * Invariant: 0 ≤ size ≤ MAX_WINDOW. A closed window grants nothing and wakes every waiter
 * with 0, so a writer blocked on it learns the channel is gone instead of hanging.
 */
import { ProtocolError } from '../errors.js';

/** RFC 4254 §5.2: a window may not be increased above 2^32 − 1 bytes. */
export const MAX_WINDOW = 0xffff_ffff;
/** Window we advertise for a channel unless told otherwise (OpenSSH's CHAN_SES_WINDOW_DEFAULT). */
export const DEFAULT_WINDOW = 2 * 1024 * 1024;
/** Largest data payload we accept in one CHANNEL_DATA (OpenSSH's CHAN_SES_PACKET_DEFAULT). */
export const DEFAULT_MAX_PACKET = 32 * 1024;

interface Waiter {
  readonly max: number;
  readonly resolve: (granted: number) => void;
}

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_WINDOW) {
    throw new RangeError(`${what}: ${n} is not a byte count between 0 and 2^32-1`);
  }
}

export class Window {
  private available: number;
  private isClosed = false;
  private waiters: Waiter[] = [];

  constructor(initial: number) {
    checkCount(initial, 'initial window');
    this.available = initial;
  }

  /** Bytes of credit left. */
  get size(): number {
    return this.available;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Grows the window by n (a WINDOW_ADJUST). Past 2^32−1 is the peer's protocol error. */
  add(n: number): void {
    checkCount(n, 'window adjust');
    if (this.available + n > MAX_WINDOW) {
      throw new ProtocolError(
        `window adjust of ${n} bytes overflows a window of ${this.available} bytes`,
        { window: this.available, adjust: n },
      );
    }
    if (this.isClosed) return;
    this.available += n;
    this.wake();
  }

  /** Takes n bytes the peer has sent; more than the credit it was given is a protocol error. */
  consume(n: number): void {
    if (n > this.available) {
      throw new ProtocolError(`peer sent ${n} bytes into a window of ${this.available} bytes`, {
        window: this.available,
        sent: n,
      });
    }
    this.available -= n;
  }

  /** Takes up to max bytes of credit now; 0 when there is none (or the window is closed). */
  tryReserve(max: number): number {
    if (this.isClosed || this.waiters.length > 0) return 0;
    return this.take(max);
  }

  /**
   * Waits for a non-zero window and takes up to max bytes of it. Resolves 0 only when the
   * window is closed. Waiters are served in order, so two writers share a channel fairly.
   */
  reserve(max: number): Promise<number> {
    if (this.isClosed) return Promise.resolve(0);
    if (this.waiters.length === 0 && this.available > 0) {
      return Promise.resolve(this.take(max));
    }
    return new Promise((resolve) => this.waiters.push({ max, resolve }));
  }

  /** No more credit will be granted; waiters resolve with 0. */
  close(): void {
    this.isClosed = true;
    this.available = 0;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.resolve(0);
  }

  private take(max: number): number {
    const n = Math.min(max, this.available);
    this.available -= n;
    return n;
  }

  private wake(): void {
    while (this.available > 0) {
      const w = this.waiters.shift();
      if (!w) return;
      w.resolve(this.take(w.max));
    }
  }
}
