/**
 * The payload of the terminal benchmark: a file of printable text, as a terminal sees when a
 * person cats a log. Lines of exactly 100 bytes (a 9-digit line number, a space, 89 printable
 * ASCII characters from a rotating alphabet, '\n'), so every line fits an ordinary terminal
 * width without wrapping and the file has exactly the size asked for.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export const LINE_BYTES = 100;
const ALPHABET =
  'The quick brown fox jumps over the lazy dog; 0123456789 PACK MY BOX WITH FIVE DOZEN JUGS! ';
/** Lines per write: 1 MB at a time. */
const LINES_PER_CHUNK = 10_000;

function line(n: number): string {
  const start = n % ALPHABET.length;
  const text = (ALPHABET + ALPHABET).slice(start, start + LINE_BYTES - 11);
  return `${String(n).padStart(9, '0')} ${text}\n`;
}

/** Writes `bytes` bytes of text lines to `path` (the last line is cut short if need be). */
export function makeTextFile(path: string, bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new RangeError(`file size ${bytes}`);
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    let n = 0;
    while (written < bytes) {
      const lines: string[] = [];
      for (let i = 0; i < LINES_PER_CHUNK; i++) lines.push(line(n++));
      const chunk = Buffer.from(lines.join(''), 'latin1').subarray(0, bytes - written);
      writeSync(fd, chunk);
      written += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
}
