/**
 * The state one `keyway sftp` session's commands share: the SFTP client, the remote and local
 * working directories, the -q/-r/-p/-a defaults, where output goes, and whether a progress
 * meter is drawn. Commands report failures through `fail`, which prints the line to stderr
 * and returns false, so a command's result is simply whether it worked.
 */
import type { SftpClient } from '../sftp/client.js';
import type { ProgressSink } from './sftp-progress.js';

export interface ShellIo {
  /** A line of normal output (stdout). */
  readonly out: (line: string) => void;
  /** A line of error output (stderr). */
  readonly err: (line: string) => void;
  /** The terminal progress lines go to; null without one. */
  readonly progress: ProgressSink | null;
  /** Columns for short listings (80 when not a terminal). */
  readonly columns: number;
}

export interface ShellDefaults {
  readonly recursive: boolean;
  readonly preserve: boolean;
  readonly resume: boolean;
}

export interface ShellContext {
  readonly client: SftpClient;
  /** The remote working directory, always absolute. */
  cwd: string;
  /** The local working directory, absolute (process.cwd() is left alone). */
  localCwd: string;
  /** Where `cd` without a path goes: the directory the session started in. */
  readonly startDir: string;
  readonly io: ShellIo;
  /** No informational lines (Fetching…, Removing…): -q and batch mode. */
  readonly quiet: boolean;
  showProgress: boolean;
  readonly defaults: ShellDefaults;
}

/** Prints an error line and returns false. */
export function fail(ctx: ShellContext, line: string): false {
  ctx.io.err(line);
  return false;
}
