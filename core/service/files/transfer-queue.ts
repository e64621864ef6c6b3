/**
 * The transfer queue: uploads and downloads (files and trees, with resume) run one at a time
 * per connection on that connection's own transfer SFTP channel (core/sftp/transfer, OpenSSH
 * sftp get/put semantics, downloads through `.part` and renamed when whole). Each transfer
 * goes queued → running → done | failed | cancelled, and every change and every progress
 * report (at most ten a second) is a `transfer` event. Cancel works queued or running; a
 * cancelled download keeps its `.part` for a later resume.
 */
import { randomUUID } from 'node:crypto';
import {
  download,
  TransferCancelledError,
  upload,
  type SftpClient,
  type TransferProgress,
} from '../../sftp/index.js';
import type { TransferInfo } from '../api/contract.js';
import { toWireError } from '../api/errors.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import type { EventSink } from '../events.js';

export interface TransferRequest {
  readonly connectionId: string;
  readonly direction: 'upload' | 'download';
  readonly localPath: string;
  readonly remotePath: string;
  readonly recursive?: boolean | undefined;
  readonly resume?: boolean | undefined;
}

/** Finished transfers kept for listTransfers. */
const MAX_FINISHED = 200;

interface Job {
  info: TransferInfo;
  readonly abort: AbortController;
}

export class TransferQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly lanes = new Map<string, Promise<void>>();

  constructor(
    private readonly emit: EventSink,
    private readonly sftp: (connectionId: string) => Promise<SftpClient>,
  ) {}

  start(r: TransferRequest): TransferInfo {
    if (!r.localPath.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(r.localPath)) {
      throw new InvalidArgumentError(`local path ${JSON.stringify(r.localPath)} is not absolute`, {
        path: r.localPath,
      });
    }
    const job: Job = {
      info: {
        transferId: randomUUID(),
        connectionId: r.connectionId,
        direction: r.direction,
        localPath: r.localPath,
        remotePath: r.remotePath,
        state: 'queued',
        bytes: 0,
        totalBytes: null,
        filesDone: 0,
        filesTotal: null,
        bytesPerSecond: 0,
        currentPath: null,
        failures: [],
      },
      abort: new AbortController(),
    };
    this.jobs.set(job.info.transferId, job);
    this.prune();
    this.emit('transfer', job.info);
    const lane = (this.lanes.get(r.connectionId) ?? Promise.resolve()).then(() => this.run(job, r));
    this.lanes.set(r.connectionId, lane);
    void lane.then(() => {
      if (this.lanes.get(r.connectionId) === lane) this.lanes.delete(r.connectionId);
    });
    return job.info;
  }

  cancel(id: string): void {
    const job = this.jobs.get(id);
    if (!job) throw new NotFoundError('transfer', id);
    if (job.info.state === 'queued') this.update(job, { state: 'cancelled' });
    job.abort.abort();
  }

  list(): TransferInfo[] {
    return [...this.jobs.values()].map((j) => j.info);
  }

  /** Cancels everything (service shutdown). */
  cancelAll(): void {
    for (const j of this.jobs.values())
      if (j.info.state === 'queued' || j.info.state === 'running') this.cancel(j.info.transferId);
  }

  private async run(job: Job, r: TransferRequest): Promise<void> {
    if (job.info.state !== 'queued') return;
    this.update(job, { state: 'running' });
    const options = {
      recursive: r.recursive ?? false,
      resume: r.resume ?? false,
      signal: job.abort.signal,
      onProgress: (p: TransferProgress) => this.progress(job, p),
    };
    try {
      const client = await this.sftp(r.connectionId);
      job.abort.signal.throwIfAborted();
      const result =
        r.direction === 'download'
          ? await download(client, r.remotePath, r.localPath, options)
          : await upload(client, r.localPath, r.remotePath, options);
      const failures = result.failures.map((f) => ({ path: f.path, message: f.error.message }));
      this.update(job, {
        state: failures.length > 0 ? 'failed' : 'done',
        filesDone: result.files,
        failures,
      });
    } catch (e) {
      const cancelled = job.abort.signal.aborted || e instanceof TransferCancelledError;
      this.update(
        job,
        cancelled ? { state: 'cancelled' } : { state: 'failed', error: toWireError(e) },
      );
    }
  }

  private progress(job: Job, p: TransferProgress): void {
    this.update(job, {
      bytes: p.totalBytes,
      totalBytes: p.totalSize,
      filesDone: p.filesDone,
      filesTotal: p.filesTotal,
      bytesPerSecond: Math.round(p.bytesPerSecond),
      currentPath: p.path,
    });
  }

  private update(job: Job, change: Partial<TransferInfo>): void {
    job.info = { ...job.info, ...change };
    this.emit('transfer', job.info);
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter(
      (j) => !['queued', 'running'].includes(j.info.state),
    );
    for (const j of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED)))
      this.jobs.delete(j.info.transferId);
  }
}
