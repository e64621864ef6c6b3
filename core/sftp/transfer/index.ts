/**
 * Transfers over SFTP (draft-ietf-secsh-filexfer-02 with OpenSSH's extensions): download and
 * upload of single files and trees with OpenSSH sftp/scp semantics (-r, -p, reget/reput),
 * pipelined requests, progress, cancel, and atomic downloads through `<target>.part`.
 */
export { download } from './download.js';
export { upload } from './upload.js';
export { TransferCancelledError, TransferError } from './errors.js';
export { nodeLocalFs } from './local-fs.js';
export type { LocalFileHandle, LocalFs, LocalStats } from './local-fs.js';
export { PART_SUFFIX } from './download-file.js';
export { DEFAULT_CONCURRENCY, MAX_DIR_DEPTH, SMALL_FILE_FACTOR } from './types.js';
export type {
  SymlinkPolicy,
  TransferFailure,
  TransferOptions,
  TransferProgress,
  TransferResult,
} from './types.js';
