/**
 * `get`/`reget` and `put`/`reput` in `keyway sftp`, as OpenSSH's sftp.c process_get /
 * process_put: the source is globbed (remotely for get, locally for put); several matches need
 * a directory target; each match goes to the target, or into it when it is a directory, or to
 * its own name in the working directory; `Fetching a to b` / `Uploading a to b` is said first
 * (unless quiet). Directories need -r. The copying itself is core/sftp/transfer's, with the
 * progress meter on a terminal and an AbortSignal for Ctrl-C.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isDirectory, type FileAttributes } from '../sftp/attrs.js';
import {
  download,
  upload,
  TransferCancelledError,
  type TransferOptions,
  type TransferResult,
} from '../sftp/transfer/index.js';
import type { TransferFlags, Word } from './sftp-command.js';
import { fail, type ShellContext } from './sftp-context.js';
import { reason } from './sftp-format.js';
import {
  baseName,
  escapeGlob,
  hasGlob,
  localGlob,
  makeAbsolute,
  pathAppend,
  remoteGlob,
} from './sftp-glob.js';
import { ProgressMeter } from './sftp-progress.js';

function localIsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function flagsWithDefaults(ctx: ShellContext, f: TransferFlags): TransferFlags {
  return {
    recursive: f.recursive || ctx.defaults.recursive,
    preserve: f.preserve || ctx.defaults.preserve,
    resume: f.resume || ctx.defaults.resume,
  };
}

/** Runs one transfer with the meter; reports failures; true when every file made it. */
async function run(
  ctx: ShellContext,
  what: (o: TransferOptions) => Promise<TransferResult>,
  flags: TransferFlags,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const meter =
    ctx.showProgress && ctx.io.progress !== null ? new ProgressMeter(ctx.io.progress) : null;
  try {
    const result = await what({
      recursive: flags.recursive,
      preserve: flags.preserve,
      resume: flags.resume,
      ...(signal !== undefined ? { signal } : {}),
      ...(meter !== null ? { onProgress: (p) => meter.update(p) } : {}),
    });
    meter?.finish();
    for (const f of result.failures) ctx.io.err(`${f.path}: ${reason(f.error)}`);
    return result.failures.length === 0;
  } catch (e) {
    meter?.finish();
    if (e instanceof TransferCancelledError) return fail(ctx, 'Interrupted: transfer cancelled');
    return fail(ctx, describeTransferError(e));
  }
}

/** The innermost cause of an error (TransferError wraps what went wrong underneath). */
function innermost(e: unknown): unknown {
  let cur = e;
  for (let i = 0; i < 8 && cur instanceof Error && cur.cause !== undefined; i++) cur = cur.cause;
  return cur;
}

/** An error from a transfer, worded as sftp-client.c words the common ones. */
export function describeTransferError(e: unknown): string {
  const inner = innermost(e);
  const d = (inner as { details?: { request?: unknown; path?: unknown } } | null)?.details;
  const request = typeof d?.request === 'string' ? d.request : undefined;
  const path = typeof d?.path === 'string' ? d.path : undefined;
  if (request === 'open' && path !== undefined) return `remote open("${path}"): ${reason(inner)}`;
  if (request === 'stat' && path !== undefined) return `stat remote: ${reason(inner)}`;
  if (request !== undefined && path !== undefined) {
    return `remote ${request} "${path}": ${reason(inner)}`;
  }
  const local = (inner as { path?: unknown } | null)?.path;
  if (typeof local === 'string') return `local "${local}": ${reason(inner)}`;
  return e instanceof Error ? e.message : String(e);
}

export async function get(
  ctx: ShellContext,
  f: TransferFlags,
  source: Word,
  target: string | undefined,
  signal?: AbortSignal,
): Promise<boolean> {
  const flags = flagsWithDefaults(ctx, f);
  const pattern = makeAbsolute(source.glob, escapeGlob(ctx.cwd));
  const shown = makeAbsolute(source.text, ctx.cwd);
  const matches = await remoteGlob(ctx.client, pattern);
  if (matches.length === 0) return fail(ctx, `File "${shown}" not found.`);
  const attrs: FileAttributes[] = [];
  for (const m of matches) {
    try {
      attrs.push(await ctx.client.stat(m.path));
    } catch {
      return fail(ctx, `File "${hasGlob(pattern) ? m.path : shown}" not found.`);
    }
  }
  const targetIsDir = target !== undefined && localIsDir(resolve(ctx.localCwd, target));
  if (matches.length > 1 && target !== undefined && !targetIsDir) {
    return fail(ctx, `Multiple source paths, but destination "${target}" is not a directory`);
  }
  let ok = true;
  for (const [i, m] of matches.entries()) {
    if (signal?.aborted) return false;
    let name = baseName(m.path);
    if (name === '..' || name === '/') name = '.';
    const dst =
      target === undefined
        ? name
        : matches.length === 1 && !targetIsDir
          ? target
          : pathAppend(target, name);
    if (!ctx.quiet) ctx.io.out(`${flags.resume ? 'Resuming' : 'Fetching'} ${m.path} to ${dst}`);
    const a = attrs[i] ?? {};
    if (isDirectory(a) && !flags.recursive) {
      ok = fail(ctx, `download ${m.path}: not a regular file`);
      continue;
    }
    // into a directory, download() itself puts the file under its name (and merges a tree
    // into an existing copy rather than nesting it)
    const local = resolve(
      ctx.localCwd,
      matches.length === 1 && !targetIsDir ? dst : (target ?? '.'),
    );
    if (!(await run(ctx, (o) => download(ctx.client, m.path, local, o), flags, signal))) ok = false;
  }
  return ok;
}

export async function put(
  ctx: ShellContext,
  f: TransferFlags,
  source: Word,
  target: string | undefined,
  signal?: AbortSignal,
): Promise<boolean> {
  const flags = flagsWithDefaults(ctx, f);
  const matches = await localGlob(source.glob, ctx.localCwd);
  if (matches.length === 0) return fail(ctx, `File "${source.text}" not found.`);
  const remoteTarget = target === undefined ? undefined : makeAbsolute(target, ctx.cwd);
  let targetIsDir = true;
  if (remoteTarget !== undefined) {
    try {
      targetIsDir = isDirectory(await ctx.client.stat(remoteTarget));
    } catch {
      targetIsDir = false;
    }
  }
  if (matches.length > 1 && remoteTarget !== undefined && !targetIsDir) {
    return fail(ctx, `Multiple paths match, but destination "${remoteTarget}" is not a directory`);
  }
  let ok = true;
  for (const m of matches) {
    if (signal?.aborted) return false;
    const local = resolve(ctx.localCwd, m.path);
    let isDir: boolean;
    try {
      isDir = statSync(local).isDirectory();
    } catch (e) {
      ok = fail(ctx, `stat ${m.path}: ${reason(e)}`);
      continue;
    }
    let name = baseName(m.path);
    if (name === '..' || name === '/') name = '.';
    const dst =
      remoteTarget === undefined
        ? makeAbsolute(name, ctx.cwd)
        : matches.length === 1 && !targetIsDir
          ? remoteTarget
          : pathAppend(remoteTarget, name);
    if (!ctx.quiet) {
      ctx.io.out(`${flags.resume ? 'Resuming upload of' : 'Uploading'} ${m.path} to ${dst}`);
    }
    if (isDir && !flags.recursive) {
      ok = fail(ctx, `local "${m.path}" is not a regular file`);
      continue;
    }
    const into =
      remoteTarget !== undefined && matches.length === 1 && !targetIsDir
        ? dst
        : (remoteTarget ?? ctx.cwd);
    if (!(await run(ctx, (o) => upload(ctx.client, local, into, o), flags, signal))) ok = false;
  }
  return ok;
}
