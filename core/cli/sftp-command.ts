/**
 * The `keyway sftp` command language, parsed as OpenSSH's sftp.c makeargv() and parse_args()
 * do: a line may start with `-` (a failure does not abort a batch) and `@` (not echoed); words
 * split at blanks, with '' and "" quoting, backslash escapes and `#` comments. Each word keeps
 * two forms: its text, and a glob pattern in which quoted or escaped wildcards are escaped,
 * so `rm "a*"` removes the file named `a*` while `rm a*` globs. Then one typed command per
 * line, with getopt-style flags; mistakes are CommandErrors worded as sftp words them.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

export interface Word {
  /** The word with quotes and escapes resolved. */
  readonly text: string;
  /** The word as a glob pattern: wildcards that were quoted or escaped are backslash-escaped. */
  readonly glob: string;
}

export interface SplitLine {
  /** A leading '-': a failure of this command does not end the batch. */
  readonly ignoreErrors: boolean;
  /** A leading '@': the command is not echoed in batch mode. */
  readonly noEcho: boolean;
  /** Empty for a blank line or a comment. */
  readonly words: readonly Word[];
}

const MAX_LINE = 8192;
const MAX_WORDS = 128;
const GLOB_CHARS = new Set(['*', '?', '[', ']', '\\']);

/** Splits one command line (makeargv's rules). */
export function splitLine(line: string): SplitLine {
  if (line.length > MAX_LINE) throw new CommandError('string too long');
  let i = 0;
  let ignoreErrors = false;
  let noEcho = false;
  const skipBlanks = (): void => {
    while (i < line.length && /\s/.test(line[i] ?? '')) i++;
  };
  skipBlanks();
  for (; i < line.length; i++) {
    if (line[i] === '-') ignoreErrors = true;
    else if (line[i] === '@') noEcho = true;
    else break;
  }
  skipBlanks();
  const words: Word[] = [];
  let text: string | null = null;
  let glob = '';
  let quote: '"' | "'" | null = null;
  const add = (t: string, g: string): void => {
    text = (text ?? '') + t;
    glob += g;
  };
  const end = (): void => {
    if (text === null) return;
    if (words.length >= MAX_WORDS) throw new CommandError('Too many arguments.');
    words.push({ text, glob });
    text = null;
    glob = '';
  };
  for (; i < line.length; i++) {
    const c = line[i] ?? '';
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === '\\' && line[i + 1] === quote) add(line[++i] ?? '', quote);
      else add(c, GLOB_CHARS.has(c) ? '\\' + c : c); // a backslash is literal here too
      continue;
    }
    if (/\s/.test(c)) end();
    else if (c === '"' || c === "'") {
      quote = c;
      add('', '');
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new CommandError('Unterminated quoted argument');
      const n = line[++i] ?? '';
      add(n, GLOB_CHARS.has(n) ? '\\' + n : n);
    } else if (c === '#') break;
    else add(c, c);
  }
  if (quote !== null) throw new CommandError('Unterminated quoted argument');
  end();
  return { ignoreErrors, noEcho, words };
}

export interface TransferFlags {
  readonly recursive: boolean;
  readonly preserve: boolean;
  readonly resume: boolean;
}

export interface LsFlags {
  readonly long: boolean;
  readonly all: boolean;
  /** -1: one name per line. */
  readonly single: boolean;
  readonly sort: 'name' | 'time' | 'size' | 'none';
  readonly reverse: boolean;
}

export type Command =
  | { readonly kind: 'ls'; readonly flags: LsFlags; readonly path?: Word }
  | { readonly kind: 'cd' | 'lcd'; readonly path?: string }
  | { readonly kind: 'pwd' | 'lpwd' | 'quit' | 'help' | 'version' | 'progress' }
  | {
      readonly kind: 'get' | 'put';
      readonly flags: TransferFlags;
      readonly source: Word;
      readonly target?: string;
    }
  | { readonly kind: 'mkdir' | 'rmdir' | 'lmkdir'; readonly path: string }
  | { readonly kind: 'rm'; readonly path: Word }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string }
  | { readonly kind: 'chmod'; readonly mode: number; readonly path: Word }
  | { readonly kind: 'ln'; readonly symbolic: boolean; readonly from: string; readonly to: string }
  | {
      readonly kind: 'df';
      readonly human: boolean;
      readonly inodes: boolean;
      readonly path?: string;
    };

export interface ParsedLine {
  readonly ignoreErrors: boolean;
  readonly noEcho: boolean;
  /** null for a blank line or a comment. */
  readonly command: Command | null;
}

const NAMES: Readonly<Record<string, Command['kind'] | 'reget' | 'reput' | 'symlink'>> = {
  bye: 'quit',
  quit: 'quit',
  exit: 'quit',
  cd: 'cd',
  chdir: 'cd',
  lcd: 'lcd',
  lchdir: 'lcd',
  chmod: 'chmod',
  df: 'df',
  dir: 'ls',
  ls: 'ls',
  get: 'get',
  mget: 'get',
  reget: 'reget',
  put: 'put',
  mput: 'put',
  reput: 'reput',
  help: 'help',
  '?': 'help',
  ln: 'ln',
  symlink: 'symlink',
  lmkdir: 'lmkdir',
  lpwd: 'lpwd',
  mkdir: 'mkdir',
  pwd: 'pwd',
  rename: 'rename',
  rm: 'rm',
  rmdir: 'rmdir',
  version: 'version',
  progress: 'progress',
};

/** getopt over words[1..]: the flags seen (each checked against `allowed`) and the operands. */
function options(
  name: string,
  words: readonly Word[],
  allowed: string,
  prefix = `${name}: `,
): { flags: string[]; rest: Word[] } {
  const flags: string[] = [];
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i]?.text ?? '';
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-') || w === '-') break;
    for (const c of w.slice(1)) {
      if (!allowed.includes(c)) throw new CommandError(`${prefix}Invalid flag -${c}`);
      flags.push(c);
    }
  }
  return { flags, rest: words.slice(i) };
}

function parseMode(name: string, w: Word | undefined): number {
  const t = w?.text ?? '';
  if (!/^[0-7]+$/.test(t) || Number.parseInt(t, 8) > 0xffff_ffff) {
    throw new CommandError(`You must supply a numeric argument to the ${name} command.`);
  }
  return Number.parseInt(t, 8);
}

function lsFlags(flags: readonly string[]): LsFlags {
  let long = false;
  let all = false;
  let single = false;
  let sort: LsFlags['sort'] = 'name';
  let reverse = false;
  for (const f of flags) {
    if (f === 'l' || f === 'n') long = true;
    else if (f === '1') single = true;
    else if (f === 'a') all = true;
    else if (f === 'f') sort = 'none';
    else if (f === 't') sort = 'time';
    else if (f === 'S') sort = 'size';
    else if (f === 'r') reverse = true;
  }
  return { long, all, single, sort, reverse };
}

/** Parses one line of input into a command (null for blank lines and comments). */
export function parseLine(line: string): ParsedLine {
  const split = splitLine(line);
  const { ignoreErrors, noEcho, words } = split;
  const first = words[0];
  if (first === undefined) return { ignoreErrors, noEcho, command: null };
  const name = first.text.toLowerCase();
  const kind = NAMES[name];
  if (kind === undefined) throw new CommandError('Invalid command.');
  const command = parseCommand(kind, name, words);
  return { ignoreErrors, noEcho, command };
}

function parseCommand(
  kind: Command['kind'] | 'reget' | 'reput' | 'symlink',
  name: string,
  words: readonly Word[],
): Command {
  const needPath = (rest: Word[]): string => {
    const p = rest[0];
    if (p === undefined) throw new CommandError(`You must specify a path after a ${name} command.`);
    return p.text;
  };
  switch (kind) {
    case 'get':
    case 'put':
    case 'reget':
    case 'reput': {
      const { flags, rest } = options(name, words, 'afPpRr');
      const source = rest[0];
      if (source === undefined) {
        throw new CommandError(`You must specify at least one path after a ${name} command.`);
      }
      const target = rest[1]?.text;
      return {
        kind: kind === 'reget' ? 'get' : kind === 'reput' ? 'put' : kind,
        flags: {
          recursive: flags.includes('r') || flags.includes('R'),
          preserve: flags.includes('p') || flags.includes('P'),
          resume: kind === 'reget' || kind === 'reput' || flags.includes('a'),
        },
        source,
        ...(target !== undefined ? { target } : {}),
      };
    }
    case 'ln':
    case 'symlink':
    case 'rename': {
      const { flags, rest } = options(
        name,
        words,
        kind === 'ln' ? 's' : kind === 'rename' ? 'l' : '',
      );
      const [from, to] = rest;
      if (from === undefined || to === undefined) {
        throw new CommandError(`You must specify two paths after a ${name} command.`);
      }
      if (kind === 'rename') return { kind, from: from.text, to: to.text };
      return {
        kind: 'ln',
        symbolic: kind === 'symlink' || flags.includes('s'),
        from: from.text,
        to: to.text,
      };
    }
    case 'rm': {
      const { rest } = options(name, words, '');
      const path = rest[0];
      if (path === undefined)
        throw new CommandError(`You must specify a path after a ${name} command.`);
      return { kind, path };
    }
    case 'mkdir':
    case 'rmdir':
    case 'lmkdir':
      return { kind, path: needPath(options(name, words, '').rest) };
    case 'cd':
    case 'lcd': {
      const p = options(name, words, '').rest[0];
      return p === undefined ? { kind } : { kind, path: p.text };
    }
    case 'df': {
      const { flags, rest } = options(name, words, 'hi');
      const p = rest[0];
      return {
        kind,
        human: flags.includes('h'),
        inodes: flags.includes('i'),
        ...(p !== undefined ? { path: p.text } : {}),
      };
    }
    case 'ls': {
      const { flags, rest } = options(name, words, '1Safhlnrt', 'ls: ');
      const p = rest[0];
      return { kind, flags: lsFlags(flags), ...(p !== undefined ? { path: p } : {}) };
    }
    case 'chmod': {
      const { rest } = options(name, words, 'h');
      const mode = parseMode(name, rest[0]);
      const path = rest[1];
      if (path === undefined)
        throw new CommandError(`You must specify a path after a ${name} command.`);
      return { kind, mode, path };
    }
    default:
      options(name, words, '');
      return { kind };
  }
}
