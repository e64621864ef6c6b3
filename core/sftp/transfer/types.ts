/**
 * The public shapes of transfers (download / upload of files and trees over SFTP, as OpenSSH's
 * sftp get/put and scp): options, progress events, results.
 */
import type { LocalFs } from './local-fs.js';

/** What to do with a symlink met inside a tree (a symlink named as the source is followed). */
export type SymlinkPolicy = 'preserve' | 'follow' | 'skip';

export interface TransferProgress {
  /** The file being moved now (its source path). */
  readonly path: string;
  readonly fileBytes: number;
  readonly fileSize: number | null;
  /** Bytes of all files so far (a resumed file counts its existing part). */
  readonly totalBytes: number;
  /** Known after the tree walk, else null. */
  readonly totalSize: number | null;
  readonly filesDone: number;
  readonly filesTotal: number | null;
  /** Smoothed rate of bytes actually moved. */
  readonly bytesPerSecond: number;
  readonly etaSeconds: number | null;
}

export interface TransferOptions {
  /** Directories (sftp -r / scp -r); without it a directory source is an error. */
  readonly recursive?: boolean;
  /** -p: permissions and atime/mtime. */
  readonly preserve?: boolean;
  /** reget / reput. */
  readonly resume?: boolean;
  /** Inside trees; default 'preserve'. A symlink given as the source itself is followed. */
  readonly symlinks?: SymlinkPolicy;
  /**
   * Files talking to the server at once in trees (default 4; each big file is still
   * pipelined). As many more read ahead (upload) or write behind (download) meanwhile.
   */
  readonly concurrency?: number;
  /** Cancel: stops, leaves .part files for resume, rejects with TransferCancelledError. */
  readonly signal?: AbortSignal;
  /** Throttled (at most 10 a second) plus once at each file's end. */
  readonly onProgress?: (p: TransferProgress) => void;
  readonly onFileDone?: (path: string, bytes: number) => void;
  /** Injectable local filesystem (default node:fs). */
  readonly local?: LocalFs;
}

export interface TransferFailure {
  readonly path: string;
  readonly error: Error;
}

export interface TransferResult {
  /** Regular files completed (including resumed files that were already whole). */
  readonly files: number;
  /** Bytes moved by this call (not counting what a resume found already there). */
  readonly bytes: number;
  readonly failures: readonly TransferFailure[];
}

export const DEFAULT_CONCURRENCY = 4;

/** OpenSSH's MAX_DIR_DEPTH: deeper trees (or remote symlink loops under 'follow') stop here. */
export const MAX_DIR_DEPTH = 64;
