/**
 * The errors a transfer ends with. A single-file transfer that fails rejects with
 * TransferError wrapping the cause (an SftpError from the server, a local errno error, a size
 * that did not verify); inside a tree each failed file becomes one TransferFailure holding the
 * same error, and the batch goes on. An AbortSignal ends any transfer with
 * TransferCancelledError, leaving `.part` files for a resume.
 */
import { SftpError, type SftpErrorDetails } from '../errors.js';

/** One file (or the walk) could not be moved; `cause` is what went wrong underneath. */
export class TransferError extends SftpError {
  override readonly code: string = 'TRANSFER_FAILED';
  constructor(message: string, cause?: unknown, details: SftpErrorDetails = {}) {
    super(
      cause instanceof SftpError ? cause.status : -1,
      message,
      cause instanceof SftpError ? cause.serverMessage : '',
      details,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** The caller's AbortSignal fired; partial downloads are kept as `<target>.part`. */
export class TransferCancelledError extends SftpError {
  override readonly code: string = 'TRANSFER_CANCELLED';
  constructor(message = 'transfer cancelled', cause?: unknown, details: SftpErrorDetails = {}) {
    super(-1, message, '', details, cause === undefined ? undefined : { cause });
  }
}

/** The text of any thrown value, for messages that name a cause. */
export function causeText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
