/**
 * A tree transfer's local work on one worker thread, done there with synchronous calls: for
 * an upload the walk's lstat calls and small files read whole (open, read, close); for a
 * download small files written whole (open the .part, write, close, rename). The requests of
 * one turn of the event loop go to the thread in one message and come back in one. Through
 * node:fs/promises every call is a trip through libuv's thread pool that wakes a pool thread
 * and then the event loop; a tree of 2,000 small files made 8,000 of them, which cost the
 * client a sixth of its CPU and a quarter of the transfer's time (measured on a 2-vCPU VM,
 * where waking a thread is dear). The event loop itself never waits for the disk.
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
 * taken — the methods answer null and the caller makes the call its usual way; what
 * the thread was still doing when it failed or was closed comes back the same way. One batch
 * is with the thread at a time: calls made while it works wait for its answer and then go
 * together, so the busier the tree, the larger the batches.
 */
import type * as NodeFs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ByteParts } from '../../wire/byte-parts.js';
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
  /** `data` may still be referred to: it stays the caller's, and the slot gets a new buffer. */
  retire(): void;
}

/**
 * A new file made whole by writeWhole(): created as `part` (O_EXCL, so a link planted under
 * that name is never followed; a stale one is removed and the create tried once more), given
 * its bytes, mode and times, closed, then renamed over `target`. A failure after the create
 * leaves the part as far as it got, for a resume.
 */
export interface WholeWrite {
  readonly part: string;
  readonly target: string;
  /** The create's mode (the umask applies). */
  readonly mode: number;
  /** Set on the file before the rename (fchmod, no umask), or null to leave it. */
  readonly chmod: number | null;
  /** atime and mtime in seconds since the epoch, set before the rename, or null. */
  readonly times: readonly [number, number] | null;
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

/**
 * lstat the path; read up to `want` bytes of it at `position` into `buf`; or make a file whole
 * from the first `length` bytes of `buf`. A slot's buffer goes with its call and comes back
 * with the answer.
 */
type ThreadRequest =
  | { readonly id: number; readonly op: 'lstat'; readonly path: string }
  | {
      readonly id: number;
      readonly op: 'read';
      readonly path: string;
      readonly position: number;
      readonly want: number;
      readonly buf: ArrayBuffer;
    }
  | (WholeWrite & {
      readonly id: number;
      readonly op: 'write';
      readonly length: number;
      readonly buf: ArrayBuffer;
    });

interface ThreadError {
  readonly message: string;
  readonly code?: string;
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;
}

/** size, mode, dev, ino, atimeMs, mtimeMs */
type StatFields = readonly [number, number, number, number, number, number];

type ThreadReply = (
  | { readonly id: number; readonly n: number }
  | { readonly id: number; readonly st: StatFields }
  | { readonly id: number; readonly error: ThreadError }
) & { readonly buf?: ArrayBuffer };

/**
 * The thread's whole program, run from its source text (eval), so that it needs no file of
 * its own beside the compiled code (or inside an app's archive). It may use only `require`
 * and its own bindings.
 */
function ioThread(require: (id: string) => unknown): void {
  const { parentPort } = require('node:worker_threads') as {
    parentPort: {
      on(e: 'message', f: (batch: ThreadRequest[]) => void): void;
      postMessage(m: unknown, transfer: ArrayBuffer[]): void;
    };
  };
  const fs = require('node:fs') as typeof NodeFs;
  const read = (r: Extract<ThreadRequest, { op: 'read' }>): number => {
    const bytes = new Uint8Array(r.buf);
    const fd = fs.openSync(r.path, 'r');
    try {
      let n = 0;
      while (n < r.want) {
        const k = fs.readSync(fd, bytes, n, r.want - n, r.position + n);
        n += k;
        // a regular file reads short only at its end
        if (k === 0 || n < r.want) break;
      }
      return n;
    } finally {
      fs.closeSync(fd);
    }
  };
  const write = (r: Extract<ThreadRequest, { op: 'write' }>): number => {
    const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
    const create = (): number => fs.openSync(r.part, O_WRONLY | O_CREAT | O_EXCL, r.mode);
    let fd: number;
    try {
      fd = create();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      fs.unlinkSync(r.part);
      fd = create();
    }
    try {
      const bytes = new Uint8Array(r.buf);
      let n = 0;
      while (n < r.length) {
        const k = fs.writeSync(fd, bytes, n, r.length - n, n);
        if (k <= 0) throw new Error(`write ${r.part}: no bytes written`);
        n += k;
      }
      if (r.chmod !== null) fs.fchmodSync(fd, r.chmod);
      if (r.times !== null) fs.futimesSync(fd, r.times[0], r.times[1]);
    } catch (e) {
      try {
        fs.closeSync(fd);
      } catch {
        // the first error is the one to tell
      }
      throw e;
    }
    fs.closeSync(fd);
    fs.renameSync(r.part, r.target);
    return r.length;
  };
  parentPort.on('message', (batch) => {
    const out: ThreadReply[] = [];
    const back: ArrayBuffer[] = [];
    for (const r of batch) {
      if (r.op !== 'lstat') back.push(r.buf);
      try {
        if (r.op === 'read') {
          out.push({ id: r.id, n: read(r), buf: r.buf });
        } else if (r.op === 'write') {
          out.push({ id: r.id, n: write(r), buf: r.buf });
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
        out.push(r.op === 'lstat' ? { id: r.id, error } : { id: r.id, error, buf: r.buf });
      }
    }
    parentPort.postMessage(out, back);
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
  readonly op: ThreadRequest['op'];
  /** The read's or write's slot, or -1 for an lstat. */
  readonly slot: number;
  readonly length: number;
  readonly resolve: (r: WholeRead | LocalStats | boolean | null) => void;
  readonly reject: (e: Error) => void;
}

const NOT_READ: WholeRead = Object.freeze({ data: null, release: () => {}, retire: () => {} });

export class LocalIoThread {
  /** The largest `length` readWhole() takes, and the most bytes writeWhole() takes. */
  readonly maxLength: number;
  private readonly worker: Worker;
  /** Each slot's buffer while it is here (made on first use); with the thread, none. */
  private readonly buffers: (ArrayBuffer | undefined)[];
  private readonly slotSize: number;
  /** Slots whose buffer is here and referred to by nothing. */
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
    this.buffers = new Array<ArrayBuffer | undefined>(slots);
    this.free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      // the parent's --import hooks (tsx, in tests) have nothing to do in this plain script
      execArgv: [],
    });
    this.worker.on('online', () => (this.online = true));
    this.worker.on('message', (replies: ThreadReply[]) => this.answer(replies));
    this.worker.on('error', () => this.fail());
    this.worker.on('exit', () => this.fail());
    // only calls waiting for it keep the process alive (after the listeners: adding a
    // 'message' listener refs the worker again)
    this.worker.unref();
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
    const buf = this.take(slot);
    return this.call(
      { id: this.nextId++, op: 'read', path, position, want: length + 1, buf },
      slot,
      length,
    ) as Promise<WholeRead>;
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
    let length = 0;
    for (const p of data) length += p.length;
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
    const { part, target, mode, chmod, times } = w;
    const r = { id: this.nextId++, op: 'write', buf, length, part, target, mode, chmod, times };
    return this.call(r as ThreadRequest, slot, length) as Promise<boolean>;
  }

  /**
   * lstat(2) of `path`; null when the thread cannot take it now. Resolves null too when the
   * thread went away meanwhile; rejects with LocalIoError as node:fs would.
   */
  lstat(path: string): Promise<LocalStats | null> | null {
    if (!this.ready) return null;
    const r = { id: this.nextId++, op: 'lstat', path } as const;
    return this.call(r, -1, 0) as Promise<LocalStats | null>;
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
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(r.id, { op: r.op, slot, length, resolve, reject });
      if (this.batch.length === 0 && !this.busy) process.nextTick(this.flush);
      this.batch.push(r);
    });
  }

  /** A free slot's buffer, which goes to the thread with the call. */
  private take(slot: number): ArrayBuffer {
    const buf = this.buffers[slot] ?? new ArrayBuffer(this.slotSize);
    this.buffers[slot] = undefined;
    return buf;
  }

  private readonly flush = (): void => {
    if (this.busy || this.batch.length === 0 || !this.ready) return;
    const batch = this.batch;
    this.batch = [];
    this.busy = true;
    const transfer: ArrayBuffer[] = [];
    for (const r of batch) if (r.op !== 'lstat') transfer.push(r.buf);
    this.worker.postMessage(batch, transfer);
  };

  private answer(replies: ThreadReply[]): void {
    this.busy = false;
    // what was asked while the thread worked goes once this turn's answers have been taken
    if (this.batch.length > 0) process.nextTick(this.flush);
    for (const r of replies) {
      const w = this.waiting.get(r.id);
      if (w === undefined) continue;
      this.waiting.delete(r.id);
      // the slot's buffer is back
      if (r.buf !== undefined && w.slot >= 0) this.buffers[w.slot] = r.buf;
      if ('error' in r) {
        if (w.slot >= 0) this.free.push(w.slot);
        w.reject(new LocalIoError(r.error));
      } else if ('st' in r) {
        w.resolve(statsOf(r.st));
      } else if (w.op === 'write') {
        this.free.push(w.slot);
        w.resolve(true);
      } else {
        w.resolve(this.wholeRead(w.slot, w.length, r.n));
      }
    }
    if (this.waiting.size === 0) this.worker.unref();
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

  /** The thread failed or exited: what it had not answered comes back unread. */
  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    this.giveUp();
  }

  private giveUp(): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    this.worker.unref();
    this.batch = [];
    // the thread may still be using their slots: those are never used again
    for (const w of waiting)
      w.resolve(w.op === 'read' ? NOT_READ : w.op === 'write' ? false : null);
  }
}
