/**
 * `keyway sftp`: sftp(1) on Keyway's engine. Connects as `keyway ssh` does (ssh-connect.ts),
 * starts the sftp subsystem and reads commands: interactively at an `sftp> ` prompt on a
 * terminal, from -b batchfile (`-` is stdin) where each command is echoed as `sftp> cmd` and
 * the first failure ends the batch with exit 1 unless the line starts with `-`, or from piped
 * stdin (echoed, failures do not end it). A destination with a path starts there when it is a
 * directory, else fetches that file and exits. Ctrl-C at the prompt or during a transfer
 * cancels the transfer, not the program. Exit: 0, 1 for a failed batch, 255 when the
 * connection fails.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isDirectory } from '../sftp/attrs.js';
import { openSftp, type SftpClient } from '../sftp/client.js';
import { SftpConnectionLostError } from '../sftp/errors.js';
import { CommandError, parseLine } from './sftp-command.js';
import { parseSftpArgs } from './sftp-args.js';
import type { ShellContext } from './sftp-context.js';
import { get } from './sftp-getput.js';
import { escapeGlob, makeAbsolute } from './sftp-glob.js';
import { runCommand } from './sftp-shell.js';
import { connectTarget, describeFailure, resolveTarget, type CliIo } from './ssh-connect.js';

type LineSource = AsyncIterable<string>;

async function* linesOf(text: string): LineSource {
  for (const line of text.split('\n')) yield line;
}

/** Runs commands from `lines`; returns the exit status. */
async function runLines(
  ctx: ShellContext,
  lines: LineSource,
  o: { echo: boolean; abortOnError: boolean },
): Promise<number> {
  for await (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    let parsed;
    try {
      parsed = parseLine(line);
    } catch (e) {
      if (o.echo) ctx.io.out(`sftp> ${line}`);
      if (!(e instanceof CommandError)) throw e;
      ctx.io.err(e.message);
      if (o.abortOnError && !/^\s*[-@]*-/.test(line)) return 1;
      continue;
    }
    if (o.echo && !parsed.noEcho) ctx.io.out(`sftp> ${line}`);
    if (parsed.command === null) continue;
    const abort = o.abortOnError && !parsed.ignoreErrors;
    const r = await runCommand(ctx, parsed.command, { abortOnError: abort });
    if (r === 'quit') return 0;
    if (r === 'failed' && abort) return 1;
  }
  return 0;
}

/** The interactive prompt: readline on the terminal, Ctrl-C cancels the running command. */
async function interactive(ctx: ShellContext): Promise<number> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'sftp> ' });
  let running: AbortController | null = null;
  rl.on('SIGINT', () => {
    if (running !== null) {
      running.abort();
      process.stderr.write('\rInterrupt  \n');
    } else {
      rl.write(null, { ctrl: true, name: 'u' }); // drop what was typed, as a shell does
      process.stdout.write('\n');
      rl.prompt();
    }
  });
  const onSignal = (): void => running?.abort();
  process.on('SIGINT', onSignal);
  try {
    rl.prompt();
    for await (const line of rl) {
      let parsed;
      try {
        parsed = parseLine(line);
      } catch (e) {
        if (!(e instanceof CommandError)) throw e;
        ctx.io.err(e.message);
        rl.prompt();
        continue;
      }
      if (parsed.command !== null) {
        running = new AbortController();
        const r = await runCommand(ctx, parsed.command, {
          abortOnError: false,
          signal: running.signal,
        });
        running = null;
        if (r === 'quit') break;
      }
      rl.prompt();
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    rl.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function sftpMain(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseSftpArgs(argv);
  // read the batch file first: a missing one is a usage problem, found before connecting
  const batch =
    args.batchFile === undefined || args.batchFile === '-'
      ? undefined
      : readFileSync(args.batchFile, 'utf8');
  const target = await resolveTarget(args.options, args.destination, args.configFile);
  const { host, port, user } = target;
  let client: SftpClient;
  const ssh = await connectTarget(target, io).catch((e: unknown) => e as Error);
  if (ssh instanceof Error) {
    io.err(describeFailure(ssh, user, host, port));
    return 255;
  }
  try {
    client = await openSftp(ssh);
  } catch (e) {
    ssh.close();
    io.err(`Couldn't start the sftp subsystem on ${host}: ${(e as Error).message}`);
    io.err('Connection closed');
    return 255;
  }
  try {
    if (!args.quiet) io.err(`Connected to ${host}.`);
    const cwd = await client.realpath('.');
    const tty = process.stdin.isTTY === true && args.batchFile === undefined;
    const ctx: ShellContext = {
      client,
      cwd,
      localCwd: process.cwd(),
      startDir: cwd,
      quiet: args.quiet,
      showProgress: args.batchFile === undefined && process.stdout.isTTY === true,
      defaults: { recursive: args.recursive, preserve: args.preserve, resume: args.resume },
      io: {
        out: io.out,
        err: io.err,
        progress: process.stdout.isTTY ? process.stdout : null,
        columns: process.stdout.isTTY ? process.stdout.columns : 80,
      },
    };
    const start = args.destination.path;
    if (start !== undefined) {
      const dir = makeAbsolute(start, cwd);
      const isDir = await client.stat(dir).then(isDirectory, () => false);
      if (!isDir) {
        const word = { text: dir, glob: escapeGlob(dir) };
        const flags = { recursive: false, preserve: false, resume: false };
        return (await get(ctx, flags, word, undefined)) ? 0 : 1;
      }
      if (!args.quiet) io.err(`Changing to: ${dir}`);
      const r = await runCommand(ctx, { kind: 'cd', path: dir }, { abortOnError: true });
      if (r === 'failed') return 1;
    }
    if (args.batchFile !== undefined) {
      const text = batch ?? (await readStdin());
      return await runLines(ctx, linesOf(text), { echo: true, abortOnError: true });
    }
    if (tty) return await interactive(ctx);
    const piped = createInterface({ input: process.stdin, terminal: false });
    return await runLines(ctx, piped, { echo: true, abortOnError: false });
  } catch (e) {
    if (e instanceof SftpConnectionLostError) {
      io.err('Connection closed');
      return 255;
    }
    throw e;
  } finally {
    client.end();
    ssh.close();
  }
}
