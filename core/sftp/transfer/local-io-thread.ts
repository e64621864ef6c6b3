/**
 * A tree upload's local work on one worker thread: the walk's lstat calls, and small files
 * read whole (open, read, close), done there with synchronous calls. The requests of one turn
 * of the event loop go to the thread in one message and come back in one. Through
 * node:fs/promises every call is a trip through libuv's thread pool that wakes a pool thread
 * and then the event loop; a tree of 2,000 small files made 8,000 of them, which cost the
 * client a sixth of its CPU and a quarter of the transfer's time (measured on a 2-vCPU VM,
 * where waking a thread is dear). The event loop itself never waits for the disk.
 *
 * A file's bytes land in a slot of one SharedArrayBuffer, each slot large enough for one
 * WRITE, so a tree allocates nothing per file. A slot is the caller's from the read until it
 * gives it back (release, once the WRITE is answered); a slot whose bytes may still be
 * referred to after a failure is retired instead. Where the thread cannot take a call — it is
 * not up yet, it has failed, or every slot is taken — the methods answer null and the caller
 * makes the call its usual way; what the thread was still doing when it failed or was closed
 * comes back the same way. One batch is with the thread at a time: calls made while it works
 * wait for its answer and then go together, so the busier the tree, the larger the batches.
 */
import type * as NodeFs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { FileType } from '../constants.js';
import type { LocalStats } from './local-fs.js';

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
  /** The slot is never used again (`data` may still be referred to). */
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

/** lstat the path, or read up to `want` bytes of it at `position` into byte `at`. */
type ThreadRequest =
  | { readonly id: number; readonly op: 'lstat'; readonly path: string }
  | {
      readonly id: number;
      readonly op: 'read';
      readonly path: string;
      readonly position: number;
      readonly want: number;
      readonly at: number;
    };

interface ThreadError {
  readonly message: string;
  readonly code?: string;
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;
}

/** size, mode, dev, ino, atimeMs, mtimeMs */
type StatFields = readonly [number, number, number, number, number, number];

type ThreadReply =
  | { readonly id: number; readonly n: number }
  | { readonly id: number; readonly st: StatFields }
  | { readonly id: number; readonly error: ThreadError };

/**
 * The thread's whole program, run from its source text (eval), so that it needs no file of
 * its own beside the compiled code (or inside an app's archive). It may use only `require`
 * and its own bindings.
 */
function ioThread(require: (id: string) => unknown): void {
  const { parentPort, workerData } = require('node:worker_threads') as {
    parentPort: {
      on(e: 'message', f: (batch: ThreadRequest[]) => void): void;
      postMessage(m: unknown): void;
    };
    workerData: { buffer: SharedArrayBuffer };
  };
  const fs = require('node:fs') as typeof NodeFs;
  const bytes = new Uint8Array(workerData.buffer);
  const read = (r: Extract<ThreadRequest, { op: 'read' }>): number => {
    const fd = fs.openSync(r.path, 'r');
    try {
      let n = 0;
      while (n < r.want) {
        const k = fs.readSync(fd, bytes, r.at + n, r.want - n, r.position + n);
        n += k;
        // a regular file reads short only at its end
        if (k === 0 || n < r.want) break;
      }
      return n;
    } finally {
      fs.closeSync(fd);
    }
  };
  parentPort.on('message', (batch) => {
    const out: ThreadReply[] = [];
    for (const r of batch) {
      try {
        if (r.op === 'read') {
          out.push({ id: r.id, n: read(r) });
        } else {
          const s = fs.lstatSync(r.path);
          out.push({ id: r.id, st: [s.size, s.mode, s.dev, s.ino, s.atimeMs, s.mtimeMs] });
        }
      } catch (e) {
        const x = e as NodeJS.ErrnoException;
        const error: { -readonly [K in keyof ThreadError]: ThreadError[K] } = {
          message: String(x.message),
        };
        if (typeof x.code === 'string') error.code = x.code;
        if (typeof x.errno === 'number') error.errno = x.errno;
        if (typeof x.syscall === 'string') error.syscall = x.syscall;
        if (typeof x.path === 'string') error.path = x.path;
        out.push({ id: r.id, error });
      }
    }
    parentPort.postMessage(out);
  });
}

/**
 * esbuild (tsx, in tests) wraps named functions in __name(); the thread has no such helper,
 * so it gets one that does nothing.
 */
const THREAD_SOURCE = `const __name = (f) => f;\n(${ioThread.toString()})(require);`;

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

interface Waiting {
  /** The read's slot, or -1 for an lstat. */
  readonly slot: number;
  readonly length: number;
  readonly resolve: (r: WholeRead | LocalStats | null) => void;
  readonly reject: (e: Error) => void;
}

const NOT_READ: WholeRead = Object.freeze({ data: null, release: () => {}, retire: () => {} });

export class LocalIoThread {
  /** The largest `length` readWhole() takes. */
  readonly maxLength: number;
  private readonly worker: Worker;
  private readonly bytes: Uint8Array;
  private readonly slotSize: number;
  private readonly free: number[];
  private readonly waiting = new Map<number, Waiting>();
  private batch: ThreadRequest[] = [];
  /** A batch is with the thread: calls made meanwhile wait and go together when it answers. */
  private busy = false;
  private nextId = 0;
  private online = false;
  private failed = false;
  private closed = false;

  /** Up to `slots` files of at most `maxLength` bytes each may be held at once. */
  constructor(maxLength: number, slots: number) {
    if (!Number.isInteger(maxLength) || maxLength < 0) {
      throw new RangeError(`maxLength must be a byte count, not ${maxLength}`);
    }
    if (!Number.isInteger(slots) || slots < 1) {
      throw new RangeError(`slots must be a positive integer, not ${slots}`);
    }
    this.maxLength = maxLength;
    // a byte more than the longest file: coming back short is how a read sees the file's end
    this.slotSize = maxLength + 1;
    const buffer = new SharedArrayBuffer(this.slotSize * slots);
    this.bytes = new Uint8Array(buffer);
    this.free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { buffer },
      // the parent's --import hooks (tsx, in tests) have nothing to do in this plain script
      execArgv: [],
    });
    this.worker.unref();
    this.worker.on('online', () => (this.online = true));
    this.worker.on('message', (replies: ThreadReply[]) => this.answer(replies));
    this.worker.on('error', () => this.fail());
    this.worker.on('exit', () => this.fail());
  }

  /** Calls can go to the thread now (it is running, and has not failed or been closed). */
  get ready(): boolean {
    return this.online && !this.failed && !this.closed;
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
    const at = slot * this.slotSize;
    return this.call(
      { id: this.nextId++, op: 'read', path, position, want: length + 1, at },
      slot,
      length,
    ) as Promise<WholeRead>;
  }

  /**
   * lstat(2) of `path`; null when the thread cannot take it now. Resolves null too when the
   * thread went away meanwhile; rejects with LocalIoError as node:fs would.
   */
  lstat(path: string): Promise<LocalStats | null> | null {
    if (!this.ready) return null;
    return this.call({ id: this.nextId++, op: 'lstat', path }, -1, 0) as Promise<LocalStats | null>;
  }

  /** Ends the thread; calls still waiting come back unread (null). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.giveUp();
    void this.worker.terminate();
  }

  private call(r: ThreadRequest, slot: number, length: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.set(r.id, { slot, length, resolve, reject });
      if (this.batch.length === 0 && !this.busy) process.nextTick(this.flush);
      this.batch.push(r);
    });
  }

  private readonly flush = (): void => {
    if (this.busy || this.batch.length === 0 || !this.ready) return;
    const batch = this.batch;
    this.batch = [];
    this.busy = true;
    this.worker.postMessage(batch);
  };

  private answer(replies: ThreadReply[]): void {
    this.busy = false;
    // what was asked while the thread worked goes once this turn's answers have been taken
    if (this.batch.length > 0) process.nextTick(this.flush);
    for (const r of replies) {
      const w = this.waiting.get(r.id);
      if (w === undefined) continue;
      this.waiting.delete(r.id);
      if ('error' in r) {
        if (w.slot >= 0) this.free.push(w.slot);
        w.reject(new LocalIoError(r.error));
      } else if ('st' in r) {
        w.resolve(statsOf(r.st));
      } else {
        w.resolve(this.wholeRead(w.slot, w.length, r.n));
      }
    }
  }

  private wholeRead(slot: number, length: number, n: number): WholeRead {
    const at = slot * this.slotSize;
    let settled = false;
    const settle = (reuse: boolean): void => {
      if (settled) return;
      settled = true;
      if (reuse) this.free.push(slot);
    };
    return {
      data: n === length ? this.bytes.subarray(at, at + n) : null,
      release: () => settle(true),
      retire: () => settle(false),
    };
  }

  /** The thread failed or exited: what it had not answered comes back unread. */
  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    this.giveUp();
  }

  private giveUp(): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    this.batch = [];
    // the thread may still be reading into their slots: those are never used again
    for (const w of waiting) w.resolve(w.slot >= 0 ? NOT_READ : null);
  }
}
