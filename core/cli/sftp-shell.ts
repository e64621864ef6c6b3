/**
 * Runs one parsed `keyway sftp` command against a session (OpenSSH sftp.c
 * parse_dispatch_command): paths are made absolute against the remote working directory,
 * rm and chmod glob, and every failure prints one line in sftp's wording and makes the
 * command's result false. Returns 'quit' for bye/exit/quit.
 */
import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { isDirectory } from '../sftp/attrs.js';
import { SftpOpUnsupportedError } from '../sftp/errors.js';
import type { Command } from './sftp-command.js';
import { fail, type ShellContext } from './sftp-context.js';
import { formatDf, HELP, reason, serverReason } from './sftp-format.js';
import { get, put } from './sftp-getput.js';
import { escapeGlob, GlobError, makeAbsolute, remoteGlob } from './sftp-glob.js';
import { ls } from './sftp-ls.js';

export type CommandResult = 'ok' | 'failed' | 'quit';

const unsupported = (ctx: ShellContext, name: string): false =>
  fail(ctx, `Server does not support ${name} extension`);

/** The paths a remote glob names; the pattern itself (unescaped) when nothing matches. */
async function globNoCheck(ctx: ShellContext, glob: string, text: string): Promise<string[]> {
  const matches = await remoteGlob(ctx.client, makeAbsolute(glob, escapeGlob(ctx.cwd)));
  return matches.length > 0 ? matches.map((m) => m.path) : [makeAbsolute(text, ctx.cwd)];
}

async function cd(ctx: ShellContext, path: string | undefined): Promise<boolean> {
  const abs = makeAbsolute(path === undefined || path === '' ? ctx.startDir : path, ctx.cwd);
  let real: string;
  try {
    real = await ctx.client.realpath(abs);
  } catch (e) {
    return fail(ctx, `realpath ${abs}: ${serverReason(e)}`);
  }
  try {
    const a = await ctx.client.stat(real);
    if (a.permissions === undefined) {
      return fail(ctx, "Can't change directory: Can't check target");
    }
    if (!isDirectory(a)) {
      return fail(ctx, `Can't change directory: "${real}" is not a directory`);
    }
  } catch (e) {
    return fail(ctx, `stat remote: ${reason(e)}`);
  }
  ctx.cwd = real;
  return true;
}

function lcd(ctx: ShellContext, path: string | undefined): boolean {
  const p = path === undefined || path === '' ? '~' : path;
  const expanded = p === '~' ? homedir() : p.startsWith('~/') ? homedir() + p.slice(1) : p;
  const abs = resolve(ctx.localCwd, expanded);
  try {
    if (!statSync(abs).isDirectory()) {
      return fail(ctx, `Couldn't change local directory to "${expanded}": Not a directory`);
    }
  } catch (e) {
    return fail(ctx, `Couldn't change local directory to "${expanded}": ${reason(e)}`);
  }
  ctx.localCwd = abs;
  return true;
}

async function eachPath(
  ctx: ShellContext,
  paths: readonly string[],
  abortOnError: boolean,
  op: (p: string) => Promise<boolean>,
): Promise<boolean> {
  let ok = true;
  for (const p of paths) {
    if (!(await op(p))) {
      ok = false;
      if (abortOnError) break;
    }
  }
  return ok;
}

async function attempt(ctx: ShellContext, f: () => Promise<unknown>, line: (e: unknown) => string) {
  try {
    await f();
    return true;
  } catch (e) {
    return fail(ctx, line(e));
  }
}

/**
 * Runs `cmd`. `abortOnError`: rm and chmod stop at their first failing path (batch mode);
 * `signal` cancels a get or put (Ctrl-C).
 */
export async function runCommand(
  ctx: ShellContext,
  cmd: Command,
  o: { abortOnError: boolean; signal?: AbortSignal },
): Promise<CommandResult> {
  try {
    const r = await dispatch(ctx, cmd, o);
    return r === 'quit' ? 'quit' : r ? 'ok' : 'failed';
  } catch (e) {
    if (e instanceof GlobError) return (fail(ctx, e.message), 'failed');
    throw e;
  }
}

async function dispatch(
  ctx: ShellContext,
  cmd: Command,
  o: { abortOnError: boolean; signal?: AbortSignal },
): Promise<boolean | 'quit'> {
  const { client } = ctx;
  const abs = (p: string): string => makeAbsolute(p, ctx.cwd);
  switch (cmd.kind) {
    case 'quit':
      return 'quit';
    case 'help':
      for (const line of HELP.split('\n')) ctx.io.out(line);
      return true;
    case 'version':
      ctx.io.out(`SFTP protocol version ${client.version}`);
      return true;
    case 'progress':
      ctx.showProgress = !ctx.showProgress;
      ctx.io.out(`Progress meter ${ctx.showProgress ? 'enabled' : 'disabled'}`);
      return true;
    case 'pwd':
      ctx.io.out(`Remote working directory: ${ctx.cwd}`);
      return true;
    case 'lpwd':
      ctx.io.out(`Local working directory: ${ctx.localCwd}`);
      return true;
    case 'cd':
      return cd(ctx, cmd.path);
    case 'lcd':
      return lcd(ctx, cmd.path);
    case 'ls':
      return ls(ctx, cmd.flags, cmd.path);
    case 'get':
      return get(ctx, cmd.flags, cmd.source, cmd.target, o.signal);
    case 'put':
      return put(ctx, cmd.flags, cmd.source, cmd.target, o.signal);
    case 'lmkdir': {
      const p = resolve(ctx.localCwd, cmd.path);
      try {
        mkdirSync(p, { mode: 0o777 });
        return true;
      } catch (e) {
        return fail(ctx, `Couldn't create local directory "${cmd.path}": ${reason(e)}`);
      }
    }
    case 'mkdir': {
      const p = abs(cmd.path);
      return attempt(
        ctx,
        () => client.mkdir(p, { permissions: 0o777 }),
        (e) => `remote mkdir "${p}": ${reason(e)}`,
      );
    }
    case 'rmdir': {
      const p = abs(cmd.path);
      return attempt(
        ctx,
        () => client.rmdir(p),
        (e) => `remote rmdir "${p}": ${reason(e)}`,
      );
    }
    case 'rm': {
      const paths = await globNoCheck(ctx, cmd.path.glob, cmd.path.text);
      return eachPath(ctx, paths, o.abortOnError, (p) => {
        if (!ctx.quiet) ctx.io.out(`Removing ${p}`);
        return attempt(
          ctx,
          () => client.remove(p),
          (e) => `remote delete ${p}: ${reason(e)}`,
        );
      });
    }
    case 'chmod': {
      const paths = await globNoCheck(ctx, cmd.path.glob, cmd.path.text);
      return eachPath(ctx, paths, o.abortOnError, (p) => {
        if (!ctx.quiet) ctx.io.out(`Changing mode on ${p}`);
        return attempt(
          ctx,
          () => client.setstat(p, { permissions: cmd.mode }),
          (e) => `remote setstat "${p}": ${reason(e)}`,
        );
      });
    }
    case 'rename': {
      const [from, to] = [abs(cmd.from), abs(cmd.to)];
      return attempt(
        ctx,
        () => client.rename(from, to),
        (e) => `remote rename "${from}" to "${to}": ${reason(e)}`,
      );
    }
    case 'ln': {
      // a symlink's target is stored as written; a hard link names an existing file
      const from = cmd.symbolic ? cmd.from : abs(cmd.from);
      const to = abs(cmd.to);
      if (cmd.symbolic) {
        return attempt(
          ctx,
          () => client.symlink(from, to),
          (e) => `remote symlink file "${from}" to "${to}": ${reason(e)}`,
        );
      }
      try {
        await client.hardlink(from, to);
        return true;
      } catch (e) {
        if (e instanceof SftpOpUnsupportedError && e.serverMessage === '') {
          return unsupported(ctx, 'hardlink@openssh.com');
        }
        return fail(ctx, `remote link "${from}" to "${to}": ${reason(e)}`);
      }
    }
    case 'df': {
      const p = abs(cmd.path ?? ctx.cwd);
      try {
        const st = await client.statvfs(p);
        for (const line of formatDf(st, cmd)) ctx.io.out(line);
        return true;
      } catch (e) {
        if (e instanceof SftpOpUnsupportedError && e.serverMessage === '') {
          return unsupported(ctx, 'statvfs@openssh.com');
        }
        return fail(ctx, `remote statvfs: ${reason(e)}`);
      }
    }
  }
}
