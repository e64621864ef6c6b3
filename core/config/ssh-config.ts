/**
 * ssh_config(5), the part `keyway ssh -F` needs now: `Keyword args` or `Keyword=args` lines,
 * comments, double-quoted arguments, `Host` blocks matched against the name given on the
 * command line (wildcards `*` `?`, negation `!`), keywords case-insensitive, the first value
 * obtained for each option wins, IdentityFile accumulates. Match, Include and %-tokens belong
 * to the ssh_config issue; a Match block is recorded and its lines not applied.
 */
import { ConfigError } from '../errors.js';
import { asciiLower, matchPattern } from '../hosts/index.js';

export interface ConfigLine {
  readonly keyword: string; // lower case
  readonly args: readonly string[];
  readonly file: string;
  readonly line: number;
}

interface Block {
  readonly kind: 'all' | 'host' | 'match';
  readonly patterns: readonly string[];
  readonly lines: ConfigLine[];
}

export interface SshConfig {
  readonly blocks: readonly Block[];
  readonly warnings: readonly string[];
}

/** Splits a line into words: whitespace-separated, double quotes group, `=` after the keyword. */
export function splitArgs(text: string, where: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quoted) {
      if (c === '"') quoted = false;
      else cur += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === ' ' || c === '\t' || (c === '=' && out.length === 0 && inWord)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      // a single '=' may separate the keyword from its arguments
      if (c !== '=' && out.length === 1) {
        const rest = text.slice(i + 1).replace(/^[ \t]*/, '');
        if (rest.startsWith('=')) i = text.indexOf('=', i);
      }
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quoted) throw new ConfigError(`${where}: unbalanced quote`);
  if (inWord) out.push(cur);
  return out;
}

export function parseSshConfig(text: string, file: string): SshConfig {
  const blocks: Block[] = [{ kind: 'all', patterns: [], lines: [] }];
  const warnings: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const raw = (lines[n] ?? '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const where = `${file} line ${n + 1}`;
    const words = splitArgs(raw, where);
    const [kw, ...args] = words;
    if (kw === undefined) continue;
    const keyword = kw.toLowerCase();
    if (keyword === 'host') {
      if (args.length === 0) throw new ConfigError(`${where}: Host needs at least one pattern`);
      blocks.push({ kind: 'host', patterns: args, lines: [] });
      continue;
    }
    if (keyword === 'match') {
      warnings.push(`${where}: Match blocks are not applied yet; their options are ignored`);
      blocks.push({ kind: 'match', patterns: args, lines: [] });
      continue;
    }
    if (args.length === 0) throw new ConfigError(`${where}: ${kw} needs a value`);
    const block = blocks[blocks.length - 1];
    block?.lines.push({ keyword, args, file, line: n + 1 });
  }
  return { blocks, warnings };
}

/**
 * A Host line's patterns match when some pattern matches and no negated one does (`*` any
 * run, `?` one character, OpenSSH's match_pattern from core/hosts), case-insensitively.
 */
export function matchPatternList(patterns: readonly string[], name: string): boolean {
  const host = asciiLower(name);
  let matched = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (matchPattern(host, asciiLower(negated ? p.slice(1) : p))) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Keywords whose every occurrence counts (the rest: first value wins). */
const CUMULATIVE = new Set([
  'identityfile',
  'certificatefile',
  'localforward',
  'remoteforward',
  'dynamicforward',
  'sendenv',
  'setenv',
]);

/**
 * The options that apply to `host` (the name as typed): keyword → the argument lists in
 * effect, in order. For single-valued options that is one list, the first one found.
 */
export function resolveHost(config: SshConfig, host: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  for (const b of config.blocks) {
    if (b.kind === 'match') continue;
    if (b.kind === 'host' && !matchPatternList(b.patterns, host)) continue;
    for (const l of b.lines) {
      const have = out.get(l.keyword);
      if (have && !CUMULATIVE.has(l.keyword)) continue;
      out.set(l.keyword, [...(have ?? []), [...l.args]]);
    }
  }
  return out;
}
