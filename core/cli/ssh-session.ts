/**
 * Running the session of `keyway ssh`: a pty when wanted (RequestTTY / -t / -T), the local
 * terminal in raw mode with the window size sent at start and on SIGWINCH, the `~.` escape
 * after a newline to disconnect (`~~` sends one `~`), stdin/stdout/stderr piped with
 * backpressure, and the remote exit status as the result (255 when it died by a signal or the
 * connection ended without one, as ssh).
 */
import type { Session } from '../connection/index.js';
import type { SshClient } from '../client/connect.js';

export interface RunSessionOptions {
  readonly command: readonly string[];
  readonly pty: boolean;
  readonly env: readonly [string, string][];
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
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
  for (const [k, v] of o.env) await s.env(k, v);
  const interactive = o.pty && o.stdin.isTTY === true;
  if (o.pty) {
    const cols = o.stdout.columns ?? 80;
    const rows = o.stdout.rows ?? 24;
    await s.requestPty({ term: process.env['TERM'] ?? 'xterm-256color', cols, rows });
  }
  if (o.command.length > 0) await s.exec(o.command.join(' '));
  else await s.shell();

  const onResize = (): void => s.windowChange(o.stdout.columns ?? 80, o.stdout.rows ?? 24);
  if (interactive) {
    o.stdin.setRawMode(true);
    process.on('SIGWINCH', onResize);
  }
  const escapes = interactive ? new EscapeFilter() : null;
  const onData = (chunk: Buffer): void => {
    let data = chunk;
    if (escapes) {
      const r = escapes.filter(chunk);
      data = r.data;
      if (r.disconnect) {
        o.stderr.write('\r\nConnection to host closed.\r\n');
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
  try {
    const exit = await Promise.race([s.exit, client.closed.then(() => null)]);
    await Promise.race([s.closed, client.closed]);
    if (exit && 'code' in exit) return exit.code;
    return 255;
  } finally {
    o.stdin.off('data', onData);
    o.stdin.pause();
    if (interactive) {
      process.off('SIGWINCH', onResize);
      o.stdin.setRawMode(false);
    }
  }
}
