/**
 * Typed errors of the application service (CONVENTIONS §5): what the UI did wrong or asked for
 * that does not exist. Each has a stable code and crosses the contract as
 * {name, code, message, details} (api/errors.ts).
 */
import { SshError } from '../errors.js';

/** An argument failed its schema (api/schemas.ts); `details.issues` says where and why. */
export class InvalidArgumentError extends SshError {
  override readonly code: string = 'INVALID_ARGUMENT';
}

/** A call named no method of the contract. */
export class UnknownMethodError extends SshError {
  override readonly code: string = 'UNKNOWN_METHOD';
}

/** An id (connection, terminal, prompt, transfer, profile, ssh_config alias) names nothing. */
export class NotFoundError extends SshError {
  override readonly code: string = 'NOT_FOUND';

  constructor(what: string, id: string) {
    super(`no ${what} ${JSON.stringify(id)}`, { what, id });
  }
}

/** The connection is not (or no longer) connected. */
export class NotConnectedError extends SshError {
  override readonly code: string = 'NOT_CONNECTED';
}

/** An answer that does not fit its prompt (kind, count of answers, a changed key unconfirmed). */
export class PromptAnswerError extends SshError {
  override readonly code: string = 'PROMPT_ANSWER_INVALID';
}

/** profiles.json cannot be written, or a profile it holds is malformed. */
export class ProfilesError extends SshError {
  override readonly code: string = 'PROFILES_ERROR';
}

/** A local file operation failed; `details.errno` is Node's code (ENOENT, EACCES, …). */
export class LocalFileError extends SshError {
  override readonly code: string = 'LOCAL_FILE_ERROR';
}

/** A bound of the service was reached (open streamed uploads, …); `details.limit` says which. */
export class ServiceLimitError extends SshError {
  override readonly code: string = 'SERVICE_LIMIT';
}
