/**
 * Running the session of `keyway ssh`: a pty when wanted (RequestTTY / -t / -T), the local
 * terminal in raw mode as ssh's (output processing off too) with the window size sent at start
 * and on every resize, the `~.` escape after a newline to disconnect (`~~` sends one `~`),
 * stdin/stdout/stderr piped with backpressure, "Connection to HOST closed." after a session
 * with a pty, and the remote exit status as the result (255 when it died by a signal or the
 * connection ended without one, as ssh).
 */
import { spawnSync } from 'node:child_process';
import type { Session } from '../connection/index.js';
import type { SshClient } from '../client/connect.js';

export interface RunSessionOptions {
  readonly command: readonly string[];
  readonly pty: boolean;
  readonly env: readonly [string, string][];
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** The host as ssh names it (HostName), for "Connection to HOST closed.". */
  readonly host?: string;
  /** Runs on the new session before anything else is asked (agent forwarding's request). */
  readonly prepare?: (session: Session) => Promise<void>;
}

/** What ssh prints when a session with a pty ends, whether by exit or by `~.`. */
export function closedMessage(host: string | undefined): string {
  return host === undefined ? 'Connection closed.\r\n' : `Connection to ${host} closed.\r\n`;
}

/**
 * The local terminal raw, as ssh's enter_raw_mode. libuv's raw mode leaves output processing
 * (OPOST, ONLCR) on, which would add a carriage return to every bare LF a remote full-screen
 * program writes; stty turns it off on the same terminal. setRawMode(false) later puts back
 * the whole termios libuv saved, OPOST included, and Node resets it at exit as well.
 */
function enterRawMode(stdin: NodeJS.ReadStream): void {
  stdin.setRawMode(true);
  if (process.platform !== 'win32') {
    spawnSync('stty', ['-opost'], { stdio: [stdin, 'ignore', 'ignore'], timeout: 5000 });
  }
}

/** Whether to ask for a pty: RequestTTY semantics with ssh's -t / -tt / -T. */
export function wantPty(
  requestTty: string | undefined,
  tty: number | undefined,
  hasCommand: boolean,
  stdinIsTty: boolean,
): boolean {
  if (tty === 0) return false;
  if (tty !== undefined && tty >= 2) return true;
  if (tty === 1) return stdinIsTty;
  switch (requestTty) {
    case 'no':
      return false;
    case 'force':
      return true;
    case 'yes':
      return stdinIsTty;
    default:
      return !hasCommand && stdinIsTty;
  }
}

/** Filters typed bytes for the `~` escapes; returns what to send and whether to disconnect. */
export class EscapeFilter {
  private atLineStart = true;
  private pendingTilde = false;

  filter(chunk: Buffer): { data: Buffer; disconnect: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (this.pendingTilde) {
        this.pendingTilde = false;
        if (b === 0x2e) return { data: Buffer.from(out), disconnect: true }; // ~.
        if (b !== 0x7e) out.push(0x7e); // ~~ sends one ~; anything else sends both
        out.push(b);
        this.atLineStart = b === 0x0d || b === 0x0a;
        continue;
      }
      if (this.atLineStart && b === 0x7e) {
        this.pendingTilde = true;
        continue;
      }
      out.push(b);
      this.atLineStart = b === 0x0d || b === 0x0a;
    }
    return { data: Buffer.from(out), disconnect: false };
  }
}

export async function runSession(client: SshClient, o: RunSessionOptions): Promise<number> {
  const s: Session = await client.openSession();
  await o.prepare?.(s);
  for (const [k, v] of o.env) await s.env(k, v);
  const interactive = o.pty && o.stdin.isTTY === true;
  if (o.pty) {
    const cols = o.stdout.columns ?? 80;
    const rows = o.stdout.rows ?? 24;
    const term = process.env['TERM'] ?? 'xterm-256color';
    if (!(await s.requestPty({ term, cols, rows })))
      o.stderr.write(`PTY allocation request failed on channel ${s.channel.localId}\r\n`);
  }
  if (o.command.length > 0) await s.exec(o.command.join(' '));
  else await s.shell();

  // 'resize' comes after Node has read the new size (a SIGWINCH listener may run before)
  const onResize = (): void => s.windowChange(o.stdout.columns ?? 80, o.stdout.rows ?? 24);
  if (interactive) {
    enterRawMode(o.stdin);
    o.stdout.on('resize', onResize);
  }
  const escapes = interactive ? new EscapeFilter() : null;
  const onData = (chunk: Buffer): void => {
    let data = chunk;
    if (escapes) {
      const r = escapes.filter(chunk);
      data = r.data;
      if (r.disconnect) {
        client.close();
        return;
      }
    }
    if (data.length > 0 && !s.stdin.write(data)) {
      o.stdin.pause();
      s.stdin.once('drain', () => o.stdin.resume());
    }
  };
  o.stdin.on('data', onData);
  o.stdin.once('end', () => s.stdin.end());
  s.stdout.pipe(o.stdout, { end: false });
  s.stderr.pipe(o.stderr, { end: false });
  let code = 255;
  let lost: boolean;
  try {
    const exit = await Promise.race([s.exit.catch(() => null), client.closed.then(() => null)]);
    await Promise.race([s.closed, client.closed]);
    if (exit && 'code' in exit) code = exit.code;
    // a lost connection is ssh.ts's to report; a clean end (exit, `~.`) is said here
    const ended = await Promise.race([client.closed, Promise.resolve(undefined)]);
    lost = ended !== undefined && ended !== null && ended.code !== 'DISCONNECTED_BY_PEER';
  } finally {
    o.stdin.off('data', onData);
    o.stdin.pause();
    if (interactive) {
      o.stdout.off('resize', onResize);
      o.stdin.setRawMode(false);
    }
  }
  // as ssh, after the terminal is back in its own mode
  if (o.pty && !lost) o.stderr.write(closedMessage(o.host));
  return code;
}
