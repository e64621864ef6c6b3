/**
 * An SFTP server's open handles (draft-ietf-secsh-filexfer-02 §6.2): a bounded table of
 * files and directories, and for each one the order its requests run and are answered in.
 *
 * Handle strings are 4 bytes, a counter that is not reused while the session lasts, so a
 * late request for a closed handle never reaches a newer file. Requests on one handle run in
 * arrival order, except that reads (`shared`) may overlap one another; replies on a handle
 * leave in arrival order whatever finished first, so pipelined reads and writes behave as if
 * served one by one.
 */
import type { Dir } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { BytePath } from './server-paths.js';

export type OpenThing =
  | { readonly kind: 'file'; readonly fh: FileHandle; readonly append: boolean }
  | { readonly kind: 'dir'; readonly dir: Dir; readonly virgin: { value: boolean } };

export class OpenHandle {
  readonly id: number;
  readonly handle: Uint8Array;
  /** The real path it was opened at. */
  readonly path: BytePath;
  readonly thing: OpenThing;
  closed = false;
  /** Every request so far has finished. */
  allDone: Promise<void> = Promise.resolve();
  /** Every request up to the last non-shared one has finished. */
  barrier: Promise<void> = Promise.resolve();
  /** The reply of the last request has been sent. */
  lastReply: Promise<void> = Promise.resolve();

  constructor(id: number, path: BytePath, thing: OpenThing) {
    this.id = id;
    this.path = path;
    this.thing = thing;
    this.handle = new Uint8Array(4);
    new DataView(this.handle.buffer).setUint32(0, id, false);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.thing.kind === 'file') await this.thing.fh.close();
    else await this.thing.dir.close();
  }
}

const noop = (): void => {};

/**
 * Runs `work` in the order of the handles' requests and sends its reply in order; `failed`
 * turns an exception from `work` into a reply, so every request is answered.
 */
export function schedule<T>(
  handles: readonly OpenHandle[],
  shared: boolean,
  work: () => Promise<T>,
  failed: (e: unknown) => T,
  send: (reply: T) => void,
): Promise<void> {
  const start = Promise.all(handles.map((h) => (shared ? h.barrier : h.allDone)));
  const done = start.then(work).catch(failed);
  // Settled markers hold no values, so a long session keeps no chain of old replies alive.
  const finished = done.then(noop, noop);
  for (const h of handles) {
    h.allDone = Promise.all([h.allDone, finished]).then(noop);
    if (!shared) h.barrier = h.allDone;
  }
  const sent = Promise.all([done, ...handles.map((h) => h.lastReply)]).then(([reply]) =>
    send(reply),
  );
  const settled = sent.then(noop, noop);
  for (const h of handles) h.lastReply = settled;
  return settled;
}

export class HandleTable {
  private readonly open = new Map<number, OpenHandle>();
  private next = 1;
  /** Slots taken by opens that have not finished. */
  private reserved = 0;

  constructor(readonly max: number) {}

  get size(): number {
    return this.open.size;
  }

  /** Takes a slot for an open about to start; false when the table is full. */
  reserve(): boolean {
    if (this.open.size + this.reserved >= this.max) return false;
    this.reserved++;
    return true;
  }

  release(): void {
    this.reserved--;
  }

  /** Fills a reserved slot. */
  add(path: BytePath, thing: OpenThing): OpenHandle {
    this.reserved--;
    const id = this.next;
    this.next = this.next >= 0xffff_ffff ? 1 : this.next + 1;
    const h = new OpenHandle(id, path, thing);
    this.open.set(id, h);
    return h;
  }

  /** The handle a client's handle string names, or undefined. */
  find(handle: Uint8Array): OpenHandle | undefined {
    if (handle.length !== 4) return undefined;
    const id = new DataView(handle.buffer, handle.byteOffset, 4).getUint32(0, false);
    const h = this.open.get(id);
    return h && !h.closed ? h : undefined;
  }

  /** Forgets a handle (its CLOSE request has been accepted). */
  remove(h: OpenHandle): void {
    this.open.delete(h.id);
  }

  /** Closes everything still open (the session is over); errors are ignored. */
  async closeAll(): Promise<number> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((h) => h.close().catch(() => {})));
    return all.length;
  }
}
