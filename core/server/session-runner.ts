/**
 * Running what a session channel asks for, as sshd(8) does for its own user: a pty through
 * node-pty with the client's TERM, size and terminal modes; the login shell for `shell`;
 * `$SHELL -c command` for `exec` (or the forced command of an authorized_keys `command=`, with
 * the client's in SSH_ORIGINAL_COMMAND); env limited to the AcceptEnv patterns; window-change;
 * signal requests to the process group; and at the end every byte of output, EOF,
 * exit-status or exit-signal, CLOSE.
 *
 * One program per channel: a second shell/exec/subsystem is refused. A client that closes
 * the channel while the program runs hangs it up (SIGHUP to its process group), as the end
 * of a pty does.
 */
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type { Readable } from 'node:stream';
import * as pty from 'node-pty';
import type {
  ExitStatus,
  PtyRequest,
  RequestAnswer,
  ServerSession,
  SessionRequest,
} from '../connection/index.js';
import { matchPattern } from '../hosts/index.js';
import { shellQuote, sttyArgs } from './stty-modes.js';

/** The account sessions run as: the one running this server. */
export interface LocalUser {
  readonly name: string;
  readonly home: string;
  readonly shell: string;
}

export interface SessionPolicy {
  readonly user: LocalUser;
  /** authorized_keys command=: run instead of whatever the client asks. */
  readonly forcedCommand?: string;
  /** False for authorized_keys no-pty / restrict. */
  readonly allowPty: boolean;
  /** AcceptEnv patterns (ssh_config-style wildcards). */
  readonly acceptEnv: readonly string[];
  /** SSH_CLIENT / SSH_CONNECTION and the like, set for every program. */
  readonly environment: Readonly<Record<string, string>>;
  /** Subsystems by name; anything else is refused. */
  readonly subsystems?: Readonly<Record<string, (session: ServerSession) => void>>;
  readonly log?: (line: string) => void;
}

/** The signals RFC 4254 §6.10 names, which a client may send. */
const SIGNALS = new Set([
  'ABRT',
  'ALRM',
  'FPE',
  'HUP',
  'ILL',
  'INT',
  'KILL',
  'PIPE',
  'QUIT',
  'SEGV',
  'TERM',
  'USR1',
  'USR2',
]);

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/games';

function signalName(n: number): string {
  for (const [name, num] of Object.entries(osConstants.signals)) {
    if (num === n) return name.replace(/^SIG/, '');
  }
  return `SIG${n}`;
}

/** What a running program offers the session: input, resizing, signals, hang-up. */
interface Running {
  write(data: Buffer): void;
  endInput(): void;
  resize(cols: number, rows: number): void;
  signal(name: string): void;
  hangUp(): void;
}

export function serveSession(session: ServerSession, policy: SessionPolicy): void {
  let ptyReq: PtyRequest | null = null;
  const env: Record<string, string> = {};
  let running: Running | null = null;
  let started = false;
  const log = policy.log ?? (() => {});

  session.onRequest = (r: SessionRequest, a: RequestAnswer) => {
    switch (r.kind) {
      case 'pty-req':
        if (!policy.allowPty || started || ptyReq !== null) return a.reject();
        ptyReq = r;
        return a.accept();
      case 'env':
        if (started || !policy.acceptEnv.some((p) => matchPattern(r.name, p))) {
          log(`env ${r.name} refused (AcceptEnv)`);
          return a.reject();
        }
        env[r.name] = r.value;
        return a.accept();
      case 'window-change':
        if (ptyReq !== null && r.cols > 0 && r.rows > 0) {
          ptyReq = { ...ptyReq, cols: r.cols, rows: r.rows };
          running?.resize(r.cols, r.rows);
        }
        return a.accept();
      case 'signal':
        if (running === null || !SIGNALS.has(r.name)) return a.reject();
        running.signal(r.name);
        return a.accept();
      case 'shell':
      case 'exec':
      case 'subsystem': {
        if (started) return a.reject();
        if (r.kind === 'subsystem' && policy.forcedCommand === undefined) {
          const serve = policy.subsystems?.[r.name];
          if (serve === undefined) {
            log(`subsystem ${r.name} refused`);
            return a.reject();
          }
          started = true;
          a.accept();
          serve(session);
          return;
        }
        const asked = r.kind === 'exec' ? r.command : r.kind === 'subsystem' ? r.name : null;
        const command = policy.forcedCommand ?? asked;
        const extra: Record<string, string> = {};
        if (policy.forcedCommand !== undefined && asked !== null) {
          extra['SSH_ORIGINAL_COMMAND'] = asked;
        }
        started = true;
        try {
          running = start(session, policy, ptyReq, { ...env, ...extra }, command);
        } catch (e) {
          log(`cannot start ${command ?? 'the shell'}: ${e instanceof Error ? e.message : e}`);
          started = false;
          return a.reject();
        }
        a.accept();
        session.stdin.on('data', (d: Buffer) => running?.write(d));
        session.stdin.on('end', () => running?.endInput());
        void session.closed.then(() => running?.hangUp());
        return;
      }
      default:
        return a.reject();
    }
  };
}

function baseEnvironment(
  policy: SessionPolicy,
  ptyReq: PtyRequest | null,
  env: Record<string, string>,
): Record<string, string> {
  const u = policy.user;
  const out: Record<string, string> = {
    ...env,
    USER: u.name,
    LOGNAME: u.name,
    HOME: u.home,
    SHELL: u.shell,
    PATH: process.env['PATH'] ?? DEFAULT_PATH,
    ...policy.environment,
  };
  const tz = process.env['TZ'];
  if (tz !== undefined) out['TZ'] = tz;
  if (ptyReq !== null) out['TERM'] = ptyReq.term || 'dumb';
  return out;
}

function start(
  session: ServerSession,
  policy: SessionPolicy,
  ptyReq: PtyRequest | null,
  env: Record<string, string>,
  command: string | null,
): Running {
  const shell = policy.user.shell;
  const shellArgs = command === null ? ['-l'] : ['-c', command];
  const environment = baseEnvironment(policy, ptyReq, env);
  return ptyReq === null
    ? startPiped(session, shell, shellArgs, environment, policy.user.home)
    : startPty(session, shell, shellArgs, environment, policy.user.home, ptyReq);
}

function killGroup(pid: number | undefined, signal: string): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, `SIG${signal}` as NodeJS.Signals);
  } catch {
    try {
      process.kill(pid, `SIG${signal}` as NodeJS.Signals);
    } catch {
      // already gone
    }
  }
}

function finishWith(session: ServerSession, status: ExitStatus): void {
  void session.finish(status).catch(() => {});
}

/** No pty: pipes, the child in its own process group (signals go to the group, as sshd). */
function startPiped(
  session: ServerSession,
  shell: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Running {
  const child: ChildProcess = spawnChild(shell, args, {
    cwd,
    env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let exited = false;
  const out = child.stdout as Readable;
  const err = child.stderr as Readable;
  out.pipe(session.stdout, { end: false });
  err.pipe(session.stderr, { end: false });
  child.stdin?.on('error', () => {}); // the program may exit without reading its input
  child.on('error', () => {
    exited = true;
    finishWith(session, { code: 127 });
  });
  // 'close': the program has exited and its output pipes are drained
  child.on('close', (code, signal) => {
    exited = true;
    finishWith(
      session,
      signal !== null
        ? { signal: signal.replace(/^SIG/, ''), coreDumped: false, message: '' }
        : { code: code ?? 255 },
    );
  });
  return {
    write: (d) => {
      if (!child.stdin?.write(d)) {
        session.stdin.pause();
        child.stdin?.once('drain', () => session.stdin.resume());
      }
    },
    endInput: () => child.stdin?.end(),
    resize: () => {},
    signal: (name) => killGroup(child.pid, name),
    hangUp: () => {
      if (!exited) killGroup(child.pid, 'HUP');
    },
  };
}

/**
 * A pty: the client's modes applied with stty before the shell starts. The line discipline
 * echoes what the client types as soon as it is written, so the client's input waits until
 * the wrapper has applied the modes and printed a one-off token, which is taken out of the
 * output. (sshd sets the modes between fork and exec; node-pty has no such hook.)
 */
function startPty(
  session: ServerSession,
  shell: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  req: PtyRequest,
): Running {
  const stty = sttyArgs(req.modes).map(shellQuote).join(' ');
  const token = `\x1b]keyway-${randomBytes(8).toString('hex')}\x07`;
  const tokenText = token.replace('\x1b', '\\033').replace('\x07', '\\007');
  // SSH_TTY: the pty's name is known inside the child only
  const wrapper =
    `${stty ? `stty ${stty} 2>/dev/null; ` : ''}printf '${tokenText}'; ` +
    `SSH_TTY=$(tty); export SSH_TTY; exec "$0" "$@"`;
  const term = pty.spawn('/bin/sh', ['-c', wrapper, shell, ...args], {
    name: req.term || 'dumb',
    cols: Math.max(1, req.cols || 80),
    rows: Math.max(1, req.rows || 24),
    cwd,
    env,
    encoding: null,
  });
  let exited = false;
  let ready = false;
  let head = Buffer.alloc(0);
  const queued: Buffer[] = [];
  const send = (chunk: Buffer): void => {
    if (chunk.length === 0) return;
    if (!session.stdout.write(chunk)) {
      term.pause();
      session.stdout.once('drain', () => term.resume());
    }
  };
  const becomeReady = (rest: Buffer): void => {
    ready = true;
    for (const q of queued.splice(0)) term.write(q);
    session.stdin.resume();
    send(rest);
  };
  term.onData((d: string | Buffer) => {
    const chunk = typeof d === 'string' ? Buffer.from(d, 'utf8') : d;
    if (ready) return send(chunk);
    head = Buffer.concat([head, chunk]);
    const at = head.indexOf(token, 0, 'latin1');
    if (at >= 0)
      becomeReady(Buffer.concat([head.subarray(0, at), head.subarray(at + token.length)]));
    else if (head.length > 4096) becomeReady(head); // not our wrapper's output: give up waiting
  });
  term.onExit(({ exitCode, signal }) => {
    exited = true;
    if (!ready) becomeReady(head);
    finishWith(
      session,
      signal ? { signal: signalName(signal), coreDumped: false, message: '' } : { code: exitCode },
    );
  });
  return {
    write: (d) => {
      if (ready) return term.write(d);
      queued.push(Buffer.from(d));
      session.stdin.pause(); // until the modes are set: the client's window bounds what waits
    },
    endInput: () => {},
    resize: (cols, rows) => {
      if (!exited) term.resize(cols, rows);
    },
    signal: (name) => killGroup(term.pid, name),
    hangUp: () => {
      if (!exited) killGroup(term.pid, 'HUP');
    },
  };
}
