/**
 * A real terminal for tests: a tmux server of our own (its socket in a temp dir, no config
 * file) with one detached pane, driven by send-keys and read with capture-pane. kill() ends
 * that server only, by its socket.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export interface TmuxOptions {
  /** A directory of the test's own; the socket is made in it. */
  readonly dir: string;
  /** The pane's program and its arguments, started in `cwd`. */
  readonly command: readonly string[];
  readonly cwd: string;
  /** The whole environment of the tmux server, and so of the pane (tmux adds TERM and TMUX). */
  readonly env: Readonly<Record<string, string>>;
  readonly cols?: number;
  readonly rows?: number;
}

export interface Tmux {
  /** Types text as it is (send-keys -l). */
  type(text: string): void;
  /** Presses keys by tmux's names: 'Enter', 'C-c', 'C-d'. */
  press(...keys: string[]): void;
  /** The pane's text, history included, wrapped lines joined, trailing blank lines dropped. */
  screen(): string;
  /** Waits until the screen matches; returns the match. Fails with the screen in the message. */
  waitFor(pattern: RegExp, what: string, ms?: number): Promise<RegExpMatchArray>;
  resize(cols: number, rows: number): void;
  /** Ends this tmux server (and the pane's processes with their terminal). Idempotent. */
  kill(): void;
}

let made = 0;

export function startTmux(o: TmuxOptions): Tmux {
  const socket = join(o.dir, `tmux-${++made}.sock`);
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], {
      env: { ...o.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const cols = String(o.cols ?? 80);
  const rows = String(o.rows ?? 24);
  tmux('new-session', '-d', '-x', cols, '-y', rows, '-c', o.cwd, '--', ...o.command);
  let killed = false;
  const screen = (): string => tmux('capture-pane', '-p', '-J', '-S', '-').replace(/\n+$/, '');
  return {
    type: (text) => void tmux('send-keys', '-l', '--', text),
    press: (...keys) => void tmux('send-keys', ...keys),
    screen,
    async waitFor(pattern, what, ms = 10_000) {
      const seen: { text: string; match: RegExpMatchArray | null } = { text: '', match: null };
      const poll = (): boolean => {
        seen.text = screen();
        seen.match = seen.text.match(pattern);
        return seen.match !== null;
      };
      try {
        await waitFor(poll, what, ms);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new Error(`${why}\n--- screen:\n${seen.text}`, { cause: e });
      }
      if (!seen.match) throw new Error(`${what}: no match`); // waitFor returns only on a match
      return seen.match;
    },
    resize: (c, r) => void tmux('resize-window', '-x', String(c), '-y', String(r)),
    kill() {
      if (killed) return;
      killed = true;
      try {
        tmux('kill-server');
      } catch {
        // the server had already gone (its last pane ended)
      }
    },
  };
}
