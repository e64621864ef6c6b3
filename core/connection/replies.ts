/**
 * Request/reply matching for global requests (RFC 4254 §4) and channel requests (§5.4).
 * Neither message carries an id: replies match requests by order alone. So
 * - `Outstanding` holds our requests that wait for a reply, first in first out; a reply with
 *   nothing outstanding is the peer's protocol error;
 * - `ReplyQueue` holds the peer's requests we have not answered yet; an answer given out of
 *   order waits until every earlier one is given, so the wire order is the request order.
 * Both are bounded: a peer cannot make either grow without limit.
 */
import { ProtocolError, SshError } from '../errors.js';

/** Most requests of one kind waiting for a reply, in either direction. */
export const MAX_OUTSTANDING_REQUESTS = 256;

interface Waiting<T> {
  readonly resolve: (v: T) => void;
  readonly reject: (e: Error) => void;
}

export class Outstanding<T> {
  private queue: Waiting<T>[] = [];
  private readonly what: string;

  constructor(what: string) {
    this.what = what;
  }

  get length(): number {
    return this.queue.length;
  }

  /**
   * Registers a request about to be sent; the promise settles with its reply. Throws (before
   * anything is sent) when too many already wait.
   */
  add(): Promise<T> {
    if (this.queue.length >= MAX_OUTSTANDING_REQUESTS) {
      throw new SshError(`more than ${MAX_OUTSTANDING_REQUESTS} ${this.what}s await a reply`);
    }
    return new Promise<T>((resolve, reject) => this.queue.push({ resolve, reject }));
  }

  /** The peer's next reply. */
  settle(value: T): void {
    const w = this.queue.shift();
    if (!w) throw new ProtocolError(`a ${this.what} reply with no ${this.what} outstanding`);
    w.resolve(value);
  }

  failAll(e: Error): void {
    const q = this.queue;
    this.queue = [];
    for (const w of q) w.reject(e);
  }
}

/** Answers a request: success (with response data for global requests) or failure. */
export type Answer = (ok: boolean, data?: Uint8Array) => void;

interface Slot {
  answered: boolean;
  ok: boolean;
  data: Uint8Array | undefined;
}

export class ReplyQueue {
  private slots: Slot[] = [];
  private readonly send: (ok: boolean, data: Uint8Array | undefined) => void;
  private readonly what: string;
  private dropped = false;

  constructor(what: string, send: (ok: boolean, data: Uint8Array | undefined) => void) {
    this.what = what;
    this.send = send;
  }

  /**
   * A slot for a request that wants a reply. The returned function answers it; the first
   * call counts, later ones are ignored.
   */
  take(): Answer {
    if (this.slots.length >= MAX_OUTSTANDING_REQUESTS) {
      throw new ProtocolError(
        `peer has more than ${MAX_OUTSTANDING_REQUESTS} ${this.what}s waiting for a reply`,
      );
    }
    const slot: Slot = { answered: false, ok: false, data: undefined };
    this.slots.push(slot);
    return (ok, data) => {
      if (slot.answered) return;
      slot.answered = true;
      slot.ok = ok;
      slot.data = data;
      this.flush();
    };
  }

  /** The channel or connection is gone: nothing more is sent. */
  drop(): void {
    this.dropped = true;
    this.slots = [];
  }

  private flush(): void {
    while (!this.dropped) {
      const head = this.slots[0];
      if (!head || !head.answered) return;
      this.slots.shift();
      this.send(head.ok, head.data);
    }
  }
}
