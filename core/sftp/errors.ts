/**
 * Typed SFTP errors: one class per SSH_FX_* status code (draft-ietf-secsh-filexfer-02 §7), so
 * callers can catch `SftpNoSuchFileError` rather than compare numbers, and each carries the
 * server's own message and the request that failed. Malformed SFTP packets are
 * `SftpProtocolError`s; a channel that ends under pending requests rejects them with
 * `SftpConnectionLostError`.
 */
import { SshError } from '../errors.js';
import { StatusCode } from './constants.js';

export interface SftpErrorDetails {
  /** The request that failed ('open', 'read', 'posix-rename@openssh.com', …). */
  readonly request?: string;
  /** The path or paths it named, when it named any. */
  readonly path?: string;
  readonly [key: string]: unknown;
}

/** The base of every SFTP error; `status` is the SSH_FX_* code (or -1 where none applies). */
export class SftpError extends SshError {
  override readonly code: string = 'SFTP_ERROR';
  readonly status: number;
  /** The text the server put in its STATUS reply ('' when none). */
  readonly serverMessage: string;

  constructor(
    status: number,
    message: string,
    serverMessage = '',
    details: SftpErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, { status, serverMessage, ...details }, options);
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

/** SSH_FX_EOF: a read at or past the end, or a directory read to its end. */
export class SftpEofError extends SftpError {
  override readonly code: string = 'SFTP_EOF';
}
export class SftpNoSuchFileError extends SftpError {
  override readonly code: string = 'SFTP_NO_SUCH_FILE';
}
export class SftpPermissionDeniedError extends SftpError {
  override readonly code: string = 'SFTP_PERMISSION_DENIED';
}
/** SSH_FX_FAILURE: the server's catch-all (a directory not empty, a file that exists, …). */
export class SftpFailureError extends SftpError {
  override readonly code: string = 'SFTP_FAILURE';
}
export class SftpBadMessageError extends SftpError {
  override readonly code: string = 'SFTP_BAD_MESSAGE';
}
export class SftpNoConnectionError extends SftpError {
  override readonly code: string = 'SFTP_NO_CONNECTION';
}
/** SSH_FX_CONNECTION_LOST, or the channel under the SFTP session ended with requests pending. */
export class SftpConnectionLostError extends SftpError {
  override readonly code: string = 'SFTP_CONNECTION_LOST';
}
/** SSH_FX_OP_UNSUPPORTED, or an extension the server does not advertise. */
export class SftpOpUnsupportedError extends SftpError {
  override readonly code: string = 'SFTP_OP_UNSUPPORTED';
}
/** The peer sent a malformed, oversized or unexpected SFTP packet. */
export class SftpProtocolError extends SftpError {
  override readonly code: string = 'SFTP_PROTOCOL_ERROR';
  constructor(message: string, details: SftpErrorDetails = {}, options?: ErrorOptions) {
    super(-1, message, '', details, options);
  }
}

const STATUS_NAMES: Readonly<Record<number, string>> = {
  [StatusCode.OK]: 'OK',
  [StatusCode.EOF]: 'end of file',
  [StatusCode.NO_SUCH_FILE]: 'no such file',
  [StatusCode.PERMISSION_DENIED]: 'permission denied',
  [StatusCode.FAILURE]: 'failure',
  [StatusCode.BAD_MESSAGE]: 'bad message',
  [StatusCode.NO_CONNECTION]: 'no connection',
  [StatusCode.CONNECTION_LOST]: 'connection lost',
  [StatusCode.OP_UNSUPPORTED]: 'operation unsupported',
};

/** The text OpenSSH's sftp prints for a status code ('no such file', …). */
export function statusText(status: number): string {
  return STATUS_NAMES[status] ?? `status ${status}`;
}

type SftpErrorClass = new (
  status: number,
  message: string,
  serverMessage?: string,
  details?: SftpErrorDetails,
) => SftpError;

const CLASSES: Readonly<Record<number, SftpErrorClass>> = {
  [StatusCode.EOF]: SftpEofError,
  [StatusCode.NO_SUCH_FILE]: SftpNoSuchFileError,
  [StatusCode.PERMISSION_DENIED]: SftpPermissionDeniedError,
  [StatusCode.FAILURE]: SftpFailureError,
  [StatusCode.BAD_MESSAGE]: SftpBadMessageError,
  [StatusCode.NO_CONNECTION]: SftpNoConnectionError,
  [StatusCode.CONNECTION_LOST]: SftpConnectionLostError,
  [StatusCode.OP_UNSUPPORTED]: SftpOpUnsupportedError,
};

/**
 * The error for a non-OK STATUS reply: "<request> <path>: <server message or status text>".
 * Unknown codes (a later protocol version's) become a plain SftpError with the number.
 */
export function sftpErrorFromStatus(
  status: number,
  serverMessage: string,
  details: SftpErrorDetails = {},
): SftpError {
  const what = [details.request, details.path].filter((s) => s !== undefined).join(' ');
  const text = serverMessage !== '' ? serverMessage : statusText(status);
  const message = what === '' ? text : `${what}: ${text}`;
  const Class = CLASSES[status] ?? SftpError;
  return new Class(status, message, serverMessage, details);
}
