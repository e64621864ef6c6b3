/**
 * The one worker thread that tree transfers hand their local calls to (local-io-thread.ts
 * holds a tree's side: its slots and what the answers mean). It does them with synchronous
 * calls, so each costs no trip through libuv's thread pool. Started on first use and shared
 * by every tree of the process: a thread costs 30-50 ms of CPU to start here (a new isolate
 * and node's bootstrap), which one thread per tree paid every time. It ends after a minute
 * with no tree using it, and keeps no process alive while nothing waits for it.
 *
 * The calls of one turn of the event loop go to the thread in one message and come back in
 * one; one batch is with the thread at a time, and calls made while it works go together when
 * it answers, so the busier the trees, the larger the batches.
 */
import type * as NodeFs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { TakeMap } from '../take-map.js';

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

/**
 * lstat the path; read up to `want` bytes of it at `position` into `buf`; or make a file whole
 * from the first `length` bytes of `buf`. A slot's buffer goes with its call and comes back
 * with the answer.
 */
export type ThreadRequest =
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

export interface ThreadError {
  readonly message: string;
  readonly code?: string;
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;
}

/** size, mode, dev, ino, atimeMs, mtimeMs */
export type StatFields = readonly [number, number, number, number, number, number];

export type ThreadReply = (
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

/** How long the thread stays up with no tree using it. */
const IDLE_MS = 60_000;

/** The thread, and the calls waiting for its answers. */
export class LocalIoWorker {
  private readonly worker: Worker;
  private readonly waiting = new TakeMap<number, (r: ThreadReply | null) => void>();
  private batch: ThreadRequest[] = [];
  /** A batch is with the thread: calls made meanwhile wait and go together when it answers. */
  private busy = false;
  private nextId = 0;
  private online = false;
  private failed = false;
  /** Trees using the thread; with none for `idleMs`, it ends. */
  private users = 0;
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs = IDLE_MS) {
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

  /** Calls can go to the thread now: it is running and has not failed or ended. */
  get ready(): boolean {
    return this.online && !this.failed;
  }

  /** The thread failed or ended: it takes no more calls, and a new one is wanted. */
  get gone(): boolean {
    return this.failed;
  }

  /** An id for the next request. */
  requestId(): number {
    return this.nextId++;
  }

  /**
   * Sends `r` with the next batch (its buffer, if any, transferred); resolves with its answer,
   * or null when the thread went away first.
   */
  call(r: ThreadRequest): Promise<ThreadReply | null> {
    return new Promise((resolve) => {
      if (this.failed) return resolve(null);
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(r.id, resolve);
      if (this.batch.length === 0 && !this.busy) process.nextTick(this.flush);
      this.batch.push(r);
    });
  }

  /** A tree starts using the thread. */
  use(): void {
    this.users++;
    clearTimeout(this.idle);
    this.idle = undefined;
  }

  /** A tree is done with the thread; with none left for a while, it ends. */
  unuse(): void {
    if (--this.users > 0 || this.failed) return;
    this.idle = setTimeout(() => {
      if (this.users === 0) this.end();
    }, this.idleMs);
    this.idle.unref();
  }

  /** Ends the thread; calls still waiting are answered null. */
  end(): void {
    clearTimeout(this.idle);
    this.fail();
    void this.worker.terminate();
  }

  private readonly flush = (): void => {
    if (this.busy || this.batch.length === 0 || this.failed) return;
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
      this.waiting.take(r.id)?.(r);
    }
    if (this.waiting.size === 0) this.worker.unref();
  }

  /** The thread failed or exited: what it had not answered is answered null. */
  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    const waiting = this.waiting.takeAll();
    this.batch = [];
    this.worker.unref();
    if (shared === this) shared = undefined;
    for (const resolve of waiting) resolve(null);
  }
}

let shared: LocalIoWorker | undefined;

/** The process's local thread, started when there is none (or the last one failed). */
export function sharedLocalIoWorker(): LocalIoWorker {
  if (shared === undefined || shared.gone) shared = new LocalIoWorker();
  return shared;
}
