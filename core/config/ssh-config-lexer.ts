/**
 * One ssh_config(5) line split the way OpenSSH 9.2's readconf.c does it: trailing whitespace
 * (and a form feed) dropped, the keyword ended by whitespace or one `=` (misc.c strdelim), and
 * the rest split into arguments by misc.c argv_split: double or single quotes group, `\"`,
 * `\'`, `\\` and (outside quotes) `\ ` are escapes, a `#` at the start of a word ends the line.
 * Keywords that take a whole command (ProxyCommand, LocalCommand, …) use `rest` verbatim.
 */
import { ConfigError } from '../errors.js';

export interface LexedLine {
  /** The keyword, lower-cased (ASCII). */
  readonly keyword: string;
  /** The keyword as written, for messages. */
  readonly written: string;
  /** Everything after the keyword and its separator, leading blanks removed. */
  readonly rest: string;
  /** `rest` split into arguments. */
  readonly args: string[];
}

const WS = ' \t\r\n';

function skipWs(s: string, i: number): number {
  while (i < s.length && WS.includes(s[i] ?? '')) i++;
  return i;
}

/** misc.c argv_split(s, terminate_on_comment=1). Throws on an unclosed quote. */
export function splitArgv(s: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    let arg = '';
    let quote = '';
    for (; i < s.length; i++) {
      const ch = s[i] ?? '';
      const next = s[i + 1];
      if (ch === '\\') {
        if (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' ')) {
          i++;
          arg += next;
        } else {
          arg += ch;
        }
      } else if (quote === '' && (ch === ' ' || ch === '\t')) {
        break;
      } else if (quote === '' && (ch === '"' || ch === "'")) {
        quote = ch;
      } else if (quote !== '' && ch === quote) {
        quote = '';
      } else {
        arg += ch;
      }
    }
    if (quote !== '') throw new ConfigError(`${where}: invalid quotes`);
    out.push(arg);
  }
  return out;
}

/**
 * Splits one line; undefined for a blank line or a comment. A keyword without arguments is a
 * ConfigError ("no argument after keyword"), as in OpenSSH.
 */
export function lexLine(raw: string, where: string): LexedLine | undefined {
  let line = raw.replace(/[ \t\r\n\f]+$/, '');
  // the keyword: misc.c strdelim (whitespace, a quote or one '=' ends it)
  const i = skipWs(line, 0);
  line = line.slice(i);
  if (line === '' || line.startsWith('#')) return undefined;
  let end = 0;
  while (end < line.length && !(WS + '"=').includes(line[end] ?? '')) end++;
  let written = line.slice(0, end);
  let restStart: number;
  if (line[end] === '"') {
    // a quoted keyword (rare): up to the closing quote
    const close = line.indexOf('"', end + 1);
    if (close < 0) throw new ConfigError(`${where}: invalid quotes`);
    written = line.slice(0, end) + line.slice(end + 1, close);
    restStart = skipWs(line, close + 1);
  } else {
    const sawEquals = line[end] === '=';
    restStart = skipWs(line, end + 1);
    if (!sawEquals && line[restStart] === '=') restStart = skipWs(line, restStart + 1);
  }
  if (end >= line.length) restStart = line.length;
  const rest = line.slice(restStart).replace(/^[ \t\r\n]+/, '');
  const keyword = written.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (rest === '') throw new ConfigError(`${where}: no argument after keyword "${keyword}"`);
  return { keyword, written, rest, args: splitArgv(rest, where) };
}
