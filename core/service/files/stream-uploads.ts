/**
 * Uploads whose bytes the UI sends (a file the browser host's page holds as a `File`: picked in
 * a file chooser or dropped from the desktop, whose local path a page is never told). The UI
 * calls beginUpload({connectionId, remotePath, name, size}), then writeUpload({transferId,
 * offset, data}) with consecutive chunks of at most UPLOAD_CHUNK_MAX bytes, one at a time (the
 * answer to each write is the flow control: the next chunk is read only after the SFTP WRITE
 * of the last one was acknowledged). The remote file is opened like `sftp put` (create,
 * truncate) on the connection's transfer SFTP channel and closed when `size` bytes are in.
 *
 * Bounds: at most MAX_STREAM_UPLOADS open at once; a chunk past `size`, at another offset than
 * the next one, or while the previous one is still being written is refused with a typed
 * error; an upload no chunk reached for STREAM_IDLE_MS fails (a page that went away does not
 * keep a handle open). A cancelled or failed upload removes its partial remote file, since
 * nothing can resume it. Each one is reported as `transfer` events like the queue's
 * (transfer-queue.ts), with `streamed: true`.
 */
import { randomUUID } from 'node:crypto';
import type { SftpClient, SftpHandle } from '../../sftp/index.js';
import type { TransferInfo } from '../api/contract.js';
import { toWireError } from '../api/errors.js';
import { InvalidArgumentError, NotFoundError, ServiceLimitError } from '../errors.js';
import type { EventSink } from '../events.js';

export const MAX_STREAM_UPLOADS = 8;
export const STREAM_IDLE_MS = 60_000;
/** Finished uploads kept for listTransfers. */
const MAX_FINISHED = 50;
const PROGRESS_INTERVAL_MS = 100;

export interface StreamUploadRequest {
  readonly connectionId: string;
  readonly remotePath: string;
  /** The file's name as the page has it (shown in the transfer list). */
  readonly name: string;
  readonly size: number;
}

interface Upload {
  info: TransferInfo;
  readonly size: number;
  readonly client: SftpClient;
  readonly handle: SftpHandle;
  readonly started: number;
  lastReport: number;
  writing: boolean;
  idle: ReturnType<typeof setTimeout> | null;
}

export class StreamUploads {
  private readonly open = new Map<string, Upload>();
  private finished: TransferInfo[] = [];

  constructor(
    private readonly emit: EventSink,
    private readonly sftp: (connectionId: string) => Promise<SftpClient>,
    private readonly idleMs = STREAM_IDLE_MS,
  ) {}

  has(transferId: string): boolean {
    return this.open.has(transferId) || this.finished.some((t) => t.transferId === transferId);
  }

  list(): TransferInfo[] {
    return [...this.finished, ...[...this.open.values()].map((u) => u.info)];
  }

  async begin(r: StreamUploadRequest): Promise<TransferInfo> {
    if (this.open.size >= MAX_STREAM_UPLOADS)
      throw new ServiceLimitError(`at most ${MAX_STREAM_UPLOADS} uploads can stream at once`, {
        limit: 'streamUploads',
        max: MAX_STREAM_UPLOADS,
      });
    const client = await this.sftp(r.connectionId);
    const handle = await client.open(r.remotePath, 'w');
    const upload: Upload = {
      info: {
        transferId: randomUUID(),
        connectionId: r.connectionId,
        direction: 'upload',
        localPath: r.name,
        remotePath: r.remotePath,
        state: 'running',
        bytes: 0,
        totalBytes: r.size,
        filesDone: 0,
        filesTotal: 1,
        bytesPerSecond: 0,
        currentPath: r.remotePath,
        failures: [],
        streamed: true,
      },
      size: r.size,
      client,
      handle,
      started: Date.now(),
      lastReport: 0,
      writing: false,
      idle: null,
    };
    this.open.set(upload.info.transferId, upload);
    this.emit('transfer', upload.info);
    if (r.size === 0) await this.finish(upload);
    else this.armIdle(upload);
    return upload.info;
  }

  async write(transferId: string, offset: number, data: Uint8Array): Promise<void> {
    const u = this.open.get(transferId);
    if (!u) throw new NotFoundError('streamed upload', transferId);
    if (u.writing)
      throw new InvalidArgumentError('the previous chunk of this upload is still being written', {
        transferId,
      });
    if (offset !== u.info.bytes)
      throw new InvalidArgumentError(`chunk at ${offset}, but the upload is at ${u.info.bytes}`, {
        transferId,
        offset,
        expected: u.info.bytes,
      });
    if (data.length === 0 || offset + data.length > u.size)
      throw new InvalidArgumentError(
        `a chunk of ${data.length} bytes at ${offset} does not fit a file of ${u.size}`,
        { transferId, offset, length: data.length, size: u.size },
      );
    u.writing = true;
    this.armIdle(u);
    try {
      await u.client.write(u.handle, offset, data);
    } catch (e) {
      await this.fail(u, e);
      throw e;
    } finally {
      u.writing = false;
    }
    if (!this.open.has(transferId)) return; // cancelled meanwhile
    const bytes = offset + data.length;
    if (bytes === u.size) {
      u.info = { ...u.info, bytes };
      await this.finish(u);
      return;
    }
    const now = Date.now();
    const report = now - u.lastReport >= PROGRESS_INTERVAL_MS;
    this.update(u, { bytes, bytesPerSecond: rate(bytes, u.started, now) }, report);
    if (report) u.lastReport = now;
  }

  cancel(transferId: string): void {
    const u = this.open.get(transferId);
    if (!u) {
      if (this.has(transferId)) return; // already finished: nothing to stop
      throw new NotFoundError('transfer', transferId);
    }
    void this.end(u, { state: 'cancelled' }, true);
  }

  cancelAll(): void {
    for (const id of [...this.open.keys()]) this.cancel(id);
  }

  private armIdle(u: Upload): void {
    if (u.idle !== null) clearTimeout(u.idle);
    u.idle = setTimeout(() => {
      void this.fail(u, new Error(`no data for ${Math.round(this.idleMs / 1000)} s`));
    }, this.idleMs);
    u.idle.unref?.();
  }

  private async finish(u: Upload): Promise<void> {
    try {
      await this.end(u, { state: 'done', filesDone: 1, currentPath: null }, false);
    } catch (e) {
      await this.fail(u, e);
      throw e;
    }
  }

  private fail(u: Upload, e: unknown): Promise<void> {
    return this.end(u, { state: 'failed', error: toWireError(e) }, true).catch(() => {});
  }

  /** Closes the handle (removing the partial file when `discard`) and reports the end once. */
  private async end(u: Upload, change: Partial<TransferInfo>, discard: boolean): Promise<void> {
    if (!this.open.delete(u.info.transferId)) return;
    if (u.idle !== null) clearTimeout(u.idle);
    const elapsed = { bytesPerSecond: rate(u.info.bytes, u.started, Date.now()) };
    try {
      await u.client.close(u.handle);
    } catch (e) {
      if (!discard) {
        this.record(u, { state: 'failed', error: toWireError(e), ...elapsed });
        throw e;
      }
    }
    if (discard) await u.client.remove(u.info.remotePath).catch(() => {});
    this.record(u, { ...change, ...elapsed });
  }

  private record(u: Upload, change: Partial<TransferInfo>): void {
    this.update(u, change, true);
    this.finished = [...this.finished, u.info].slice(-MAX_FINISHED);
  }

  private update(u: Upload, change: Partial<TransferInfo>, report: boolean): void {
    u.info = { ...u.info, ...change };
    if (report) this.emit('transfer', u.info);
  }
}

function rate(bytes: number, started: number, now: number): number {
  return Math.round((bytes * 1000) / Math.max(1, now - started));
}
