/**
 * Prompts on the controlling terminal, as ssh's readpassphrase(3) does: the prompt goes to
 * /dev/tty and the answer is read from it with echo off, so passwords work while stdin and
 * stdout carry data. Without a terminal there is nobody to ask: the prompt resolves null.
 * Ctrl-C is the terminal's interrupt there too: once the terminal is back in its own mode,
 * SIGINT goes to the foreground process group, as the terminal would have sent it, so keyway
 * ends as ssh does (and a shell loop around it stops).
 */
import { openSync, closeSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';

export interface Prompter {
  /**
   * Asks a question; `echo` shows what is typed. Null when there is no terminal, on Ctrl-D,
   * and on Ctrl-C when the process survives its SIGINT (it has a listener).
   */
  ask(prompt: string, echo: boolean): Promise<string | null>;
  /** Writes a message to the terminal (or stderr when there is none). */
  say(text: string): void;
}

function openTty(): { input: ReadStream; output: WriteStream; close: () => void } | null {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return null;
  }
  const input = new ReadStream(fd);
  const output = new WriteStream(fd);
  return {
    input,
    output,
    close: () => {
      input.destroy();
      try {
        closeSync(fd);
      } catch {
        // already closed by the stream
      }
    },
  };
}

/** Ctrl-C typed at a prompt. */
const INTERRUPT = Symbol('interrupt');

/**
 * Shows `prompt` and reads one line in raw mode: Enter ends, Backspace edits, Ctrl-D gives up,
 * Ctrl-C interrupts. Echo is off before the prompt is out, so nothing typed after it shows.
 */
function readLine(
  input: ReadStream,
  output: WriteStream,
  prompt: string,
  echo: boolean,
): Promise<string | null | typeof INTERRUPT> {
  return new Promise((resolve) => {
    let line = '';
    input.setRawMode(true);
    output.write(prompt);
    const done = (v: string | null | typeof INTERRUPT): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\r\n');
      resolve(v);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(line);
        if (ch === '\u0003') return done(INTERRUPT);
        if (ch === '\u0004') return done(null);
        if (ch === '\u007f' || ch === '\b') {
          if (line.length > 0) {
            line = line.slice(0, -1);
            if (echo) output.write('\b \b');
          }
          continue;
        }
        if (ch === '\u0015') {
          line = ''; // Ctrl-U
          continue;
        }
        line += ch;
        if (echo) output.write(ch);
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

export function ttyPrompter(batch: boolean): Prompter {
  return {
    async ask(prompt, echo) {
      if (batch) return null;
      const tty = openTty();
      if (!tty) return null;
      let answer: string | null | typeof INTERRUPT;
      try {
        answer = await readLine(tty.input, tty.output, prompt, echo);
      } finally {
        tty.close();
      }
      if (answer !== INTERRUPT) return answer;
      process.kill(0, 'SIGINT'); // pid 0: our process group, as the terminal driver does
      return null;
    },
    say(text) {
      const tty = batch ? null : openTty();
      if (tty) {
        tty.output.write(text.replace(/\n/g, '\r\n'));
        tty.close();
      } else {
        process.stderr.write(text);
      }
    },
  };
}
