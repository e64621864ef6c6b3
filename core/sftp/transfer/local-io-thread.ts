/**
 * A tree transfer's local work on the process's local thread (local-io-worker.ts), done there
 * with synchronous calls: for an upload the walk's lstat calls and small files read whole
 * (open, read, close); for a download small files written whole (open the .part, write,
 * close, rename). Through node:fs/promises every call is a trip through libuv's thread pool
 * that wakes a pool thread and then the event loop; a tree of 2,000 small files made 8,000 of
 * them, which cost the client a sixth of its CPU and a quarter of the transfer's time
 * (measured on a 2-vCPU VM, where waking a thread is dear). The event loop itself never waits
 * for the disk.
 *
 * A file's bytes pass through a slot: one of a fixed set of buffers, each large enough for
 * one READ or WRITE, that goes to the thread with its call and comes back with the answer
 * (transferred, not copied), so a tree allocates nothing per file. Not a SharedArrayBuffer:
 * V8 copies to and from shared memory with relaxed atomic loads and stores, a word at a time at
 * best and a byte at a time when the two addresses are not aligned alike (2 GB/s here against
 * 40 for a plain copy), and every byte of the tree is copied once on this side, into a packet
 * or out of one. A slot read into is the caller's until it gives it back (release, once the
 * WRITE is answered); after a failure, when its bytes may still be referred to, it is retired
 * instead: the buffer stays the caller's and the slot goes on with a new one. A slot written
 * from is the thread's until it answers.
 *
 * Where the thread cannot take a call — it is not up yet, it has failed, or every slot is
 * taken — the methods answer null and the caller makes the call its usual way; what the
 * thread was still doing when it failed, or when this tree's calls were closed, comes back
 * the same way.
 */
import { partsLength, type ByteParts } from '../../wire/byte-parts.js';
import { FileType } from '../constants.js';
import { TakeMap } from '../take-map.js';
import type { LocalStats } from './local-fs.js';
import {
  sharedLocalIoWorker,
  type LocalIoWorker,
  type StatFields,
  type ThreadError,
  type ThreadReply,
  type ThreadRequest,
  type WholeWrite,
} from './local-io-worker.js';

export type { WholeWrite } from './local-io-worker.js';

/** A file's bytes, read whole, in a slot that is the caller's until release() or retire(). */
export interface WholeRead {
  /**
   * The file's `length` bytes from `position`, or null when they could not be read whole
   * here: the file has more or fewer bytes than that (it changed since its stat), or the
   * thread was closed or failed meanwhile. The caller then reads it its usual way.
   */
  readonly data: Uint8Array | null;
  /** The slot may be read into again: nothing refers to `data` any more. */
  release(): void;
  /** `data` may still be referred to: it stays the caller's, and the slot gets a new buffer. */
  retire(): void;
}

/** A failed call's error as node:fs throws it: message, code, errno, syscall, path. */
export class LocalIoError extends Error {
  readonly code: string | undefined;
  readonly errno: number | undefined;
  readonly syscall: string | undefined;
  readonly path: string | undefined;
  constructor(e: ThreadError) {
    super(e.message);
    this.name = 'Error';
    this.code = e.code;
    this.errno = e.errno;
    this.syscall = e.syscall;
    this.path = e.path;
  }
}

/** LocalStats from the thread's fields. */
function statsOf([size, mode, dev, ino, atimeMs, mtimeMs]: StatFields): LocalStats {
  return {
    size,
    mode,
    dev,
    ino,
    atimeMs,
    mtimeMs,
    isFile: () => (mode & FileType.MASK) === FileType.REGULAR,
    isDirectory: () => (mode & FileType.MASK) === FileType.DIRECTORY,
    isSymbolicLink: () => (mode & FileType.MASK) === FileType.SYMLINK,
  };
}

const NOT_READ: WholeRead = Object.freeze({ data: null, release: () => {}, retire: () => {} });

/** One tree's calls to the local thread, with its slots. */
export class LocalIoThread {
  /** The largest `length` readWhole() takes, and the most bytes writeWhole() takes. */
  readonly maxLength: number;
  private readonly io: LocalIoWorker;
  /** Each slot's buffer while it is here (made on first use); with the thread, none. */
  private readonly buffers: (ArrayBuffer | undefined)[];
  private readonly slotSize: number;
  /** Slots whose buffer is here and referred to by nothing. */
  private readonly free: number[];
  /** Calls not yet answered, by request id: what answers each as not done (on close). */
  private readonly pending = new TakeMap<number, () => void>();
  private closed = false;

  /**
   * Up to `slots` files of at most `maxLength` bytes each may be held at once. `io` is the
   * thread (the process's shared one unless given).
   */
  constructor(maxLength: number, slots: number, io: LocalIoWorker = sharedLocalIoWorker()) {
    if (!Number.isInteger(maxLength) || maxLength < 0) {
      throw new RangeError(`maxLength must be a byte count, not ${maxLength}`);
    }
    if (!Number.isInteger(slots) || slots < 1) {
      throw new RangeError(`slots must be a positive integer, not ${slots}`);
    }
    this.maxLength = maxLength;
    // a byte more than the longest file: coming back short is how a read sees the file's end
    this.slotSize = maxLength + 1;
    this.buffers = new Array<ArrayBuffer | undefined>(slots);
    this.free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
    this.io = io;
    io.use();
  }

  /** Calls can go to the thread now (it is running, and neither it nor this has ended). */
  get ready(): boolean {
    return !this.closed && this.io.ready;
  }

  /**
   * `length` bytes of `path` from `position`, read whole into a slot; null when the thread
   * cannot take it now (not ready, no free slot, longer than maxLength). Rejects with the
   * file's error (LocalIoError, node:fs's code) when it cannot be opened or read.
   */
  readWhole(path: string, position: number, length: number): Promise<WholeRead> | null {
    if (!this.ready || length > this.maxLength) return null;
    const slot = this.free.pop();
    if (slot === undefined) return null;
    const buf = this.take(slot);
    const want = length + 1;
    const r: ThreadRequest = { id: this.io.requestId(), op: 'read', path, position, want, buf };
    return this.settle(r, slot, NOT_READ, (n) => this.wholeRead(slot, length, n));
  }

  /**
   * Makes `w.target` a new file of these bytes (WholeWrite says how); null when the thread
   * cannot take it now (not ready, no free slot, more than maxLength bytes). Resolves true once
   * the file is in place, false when the thread went away first (the caller then does it its
   * usual way, from the start); rejects with LocalIoError, node:fs's error, when a step fails.
   * The bytes are copied before this returns: the caller may reuse its buffers at once.
   */
  writeWhole(w: WholeWrite, data: ByteParts): Promise<boolean> | null {
    if (!this.ready) return null;
    const length = partsLength(data);
    if (length > this.maxLength) return null;
    const slot = this.free.pop();
    if (slot === undefined) return null;
    const buf = this.take(slot);
    const bytes = new Uint8Array(buf);
    let at = 0;
    for (const p of data) {
      bytes.set(p, at);
      at += p.length;
    }
    const r: ThreadRequest = { ...w, id: this.io.requestId(), op: 'write', buf, length };
    return this.settle(r, slot, false, () => {
      this.free.push(slot);
      return true;
    });
  }

  /**
   * lstat(2) of `path`; null when the thread cannot take it now. Resolves null too when the
   * thread went away meanwhile; rejects with LocalIoError as node:fs would.
   */
  lstat(path: string): Promise<LocalStats | null> | null {
    if (!this.ready) return null;
    const r = { id: this.io.requestId(), op: 'lstat', path } as const;
    return this.settle(r, -1, null, (_, st) => (st === undefined ? null : statsOf(st)));
  }

  /**
   * This tree is done with the thread: calls still waiting come back as not done (unread,
   * null, false) and no more are taken.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.io.unuse();
    for (const notDone of this.pending.takeAll()) notDone();
  }

  /** A free slot's buffer, which goes to the thread with the call. */
  private take(slot: number): ArrayBuffer {
    const buf = this.buffers[slot] ?? new ArrayBuffer(this.slotSize);
    this.buffers[slot] = undefined;
    return buf;
  }

  /**
   * The call's outcome: `done` of its answer, its error as LocalIoError (the slot back), or
   * `notDone` when the thread went away or this was closed first (the thread may still be
   * using the slot's buffer: the slot is never used again).
   */
  private settle<T>(
    r: ThreadRequest,
    slot: number,
    notDone: T,
    done: (n: number, st?: StatFields) => T,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(r.id, () => resolve(notDone));
      void this.io.call(r).then((reply: ThreadReply | null) => {
        if (this.pending.take(r.id) === undefined) return; // closed: answered already
        if (reply === null) return resolve(notDone);
        // the slot's buffer is back
        if (reply.buf !== undefined && slot >= 0) this.buffers[slot] = reply.buf;
        if ('error' in reply) {
          if (slot >= 0) this.free.push(slot);
          reject(new LocalIoError(reply.error));
        } else if ('st' in reply) {
          resolve(done(0, reply.st));
        } else {
          resolve(done(reply.n));
        }
      });
    });
  }

  private wholeRead(slot: number, length: number, n: number): WholeRead {
    const buf = this.buffers[slot];
    let settled = false;
    const settle = (reuse: boolean): void => {
      if (settled) return;
      settled = true;
      // a retired slot's buffer stays the caller's: the slot goes on with a new one
      if (!reuse) this.buffers[slot] = undefined;
      this.free.push(slot);
    };
    return {
      data: n === length && buf !== undefined ? new Uint8Array(buf, 0, n) : null,
      release: () => settle(true),
      retire: () => settle(false),
    };
  }
}
