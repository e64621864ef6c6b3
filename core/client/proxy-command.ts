/**
 * ProxyCommand (ssh_config(5)): the command's stdin and stdout carry the connection instead of
 * a TCP socket. Its tokens are expanded first (%h host, %p port, %r remote user, %n the host as
 * given before HostName applied, %% a percent sign; any other %-sequence is an error, as ssh
 * says "unknown key"). It runs as OpenSSH runs it, `/bin/sh -c 'exec <command>'`, so the shell
 * is replaced by the command and signals reach it. Its stderr goes to ours unless the caller
 * takes it. When the connection ends the command's stdin is closed and it gets SIGHUP (as ssh
 * sends it), then SIGKILL if it is still there after KILL_AFTER_MS.
 */
import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { ConfigError } from '../errors.js';
import { ProxyCommandError } from './route-errors.js';

const KILL_AFTER_MS = 5_000;

export interface ProxyTokens {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The name as the user gave it (%n); defaults to host. */
  readonly alias?: string;
}

/** Expands %h %p %r %n %% in a ProxyCommand. */
export function expandProxyCommand(template: string, t: ProxyTokens): string {
  return template.replace(/%(.?)/gs, (_m, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'h':
        return t.host;
      case 'p':
        return String(t.port);
      case 'r':
        return t.user;
      case 'n':
        return t.alias ?? t.host;
      default:
        throw new ConfigError(
          c === ''
            ? `ProxyCommand "${template}" ends with a lone %`
            : `ProxyCommand "${template}": unknown token %${c} (known: %h %p %r %n %%)`,
        );
    }
  });
}

export interface ProxyProcess {
  /** The command's stdout (what we read) and stdin (what we write) as one stream. */
  readonly stream: Duplex;
  readonly pid: number | undefined;
  /** Settles when the command has exited; a ProxyCommandError says how. */
  readonly exited: Promise<ProxyCommandError>;
  /** True once it has exited. */
  hasExited(): boolean;
  /** Closes its stdio and ends it (SIGHUP, SIGKILL later). */
  stop(): void;
}

export interface ProxyCommandOptions {
  /** The command's stderr; unset: passed through to this process's stderr. */
  readonly onStderr?: (chunk: Buffer) => void;
}

/** Starts an already expanded ProxyCommand. */
export function startProxyCommand(command: string, o: ProxyCommandOptions = {}): ProxyProcess {
  const child = spawn('/bin/sh', ['-c', `exec ${command}`], {
    stdio: ['pipe', 'pipe', o.onStderr ? 'pipe' : 'inherit'],
  });
  if (o.onStderr) child.stderr?.on('data', o.onStderr);
  let done = false;
  const exited = new Promise<ProxyCommandError>((resolve) => {
    child.once('error', (e) => {
      done = true;
      resolve(new ProxyCommandError('spawn', command, { status: null, signal: null }, e));
    });
    child.once('exit', (status, signal) => {
      done = true;
      resolve(new ProxyCommandError('exited', command, { status, signal }));
    });
  });
  const stdin = child.stdin;
  const stdout = child.stdout;
  if (!stdin || !stdout)
    throw new ProxyCommandError('spawn', command, { status: null, signal: null });
  // A command that exits makes its stdin fail with EPIPE: the stream reports it as an error.
  const stream = Duplex.from({ readable: stdout, writable: stdin });
  let stopping = false;
  return {
    stream,
    pid: child.pid,
    exited,
    hasExited: () => done,
    stop: () => {
      if (stopping || done) return;
      stopping = true;
      stream.on('error', () => {}); // destroying a Duplex.from pair reports an AbortError
      stream.destroy();
      child.kill('SIGHUP');
      const timer = setTimeout(() => {
        if (!done) child.kill('SIGKILL');
      }, KILL_AFTER_MS);
      timer.unref();
      void exited.then(() => clearTimeout(timer));
    },
  };
}
