/**
 * Remote globbing for `keyway sftp` and `keyway scp`, as OpenSSH's sftp-glob.c does it through
 * glob(3): a pattern is split at '/', each component with a wildcard is matched (fnmatch(3)
 * rules: `*`, `?`, `[...]` with ranges and `!`/`^`, `\` escapes, a leading '.' only matched by a
 * literal '.') against a READDIR listing, and the rest is taken as written. Also the remote
 * path arithmetic that goes with it (absolute paths against the working directory).
 */
import type { FileAttributes } from '../sftp/attrs.js';
import type { SftpClient } from '../sftp/client.js';
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Whether `pattern` has an unescaped wildcard. */
export function hasGlob(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/** Escapes glob characters, so the text matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[[\]?*\\]/g, '\\$&');
}

/** Removes one level of backslash escaping. */
export function unescapeGlob(pattern: string): string {
  return pattern.replace(/\\(.)/gs, '$1').replace(/\\$/, '\\');
}

/** Matches a bracket expression at `p[i]` ('[' already seen at i-1); [matched, next index] or null if unterminated. */
function matchBracket(p: readonly string[], i: number, c: string): [boolean, number] | null {
  let negate = false;
  if (p[i] === '!' || p[i] === '^') {
    negate = true;
    i++;
  }
  let matched = false;
  let first = true;
  while (i < p.length && (first || p[i] !== ']')) {
    first = false;
    let lo = p[i] ?? '';
    if (lo === '\\' && i + 1 < p.length) lo = p[++i] ?? '';
    i++;
    let hi = lo;
    if (p[i] === '-' && i + 1 < p.length && p[i + 1] !== ']') {
      hi = p[i + 1] ?? '';
      i += 2;
      if (hi === '\\' && i < p.length) hi = p[i++] ?? '';
    }
    if (c >= lo && c <= hi) matched = true;
  }
  if (i >= p.length) return null;
  return [matched !== negate, i + 1];
}

/**
 * fnmatch(3) of one path component: `*` and `?` do not match a leading '.' of `name`, `[...]`
 * never matches '/'. Iterative with backtracking to the last '*', so no pattern is exponential.
 */
export function globMatch(pattern: string, name: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.') && !pattern.startsWith('\\.')) {
    return false;
  }
  const p = [...pattern];
  const s = [...name];
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    const c = s[si] ?? '';
    const pc = p[pi];
    let step: number | null = null; // pattern characters consumed on a match
    if (pc === '*') {
      starP = pi++;
      starS = si;
      continue;
    }
    if (pc === '?') step = 1;
    else if (pc === '\\' && pi + 1 < p.length) step = p[pi + 1] === c ? 2 : null;
    else if (pc === '[') {
      const r = matchBracket(p, pi + 1, c);
      if (r === null) step = c === '[' ? 1 : null;
      else if (r[0]) step = r[1] - pi;
    } else if (pc !== undefined && pc === c) step = 1;
    if (step !== null) {
      pi += step;
      si++;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/** `p` made absolute against `cwd` (sftp_make_absolute). */
export function makeAbsolute(p: string, cwd: string): string {
  if (p.startsWith('/')) return p;
  if (p === '' || p === '.') return cwd;
  return pathAppend(cwd, p);
}

export function pathAppend(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** The last component ('/' for the root), trailing slashes ignored. */
export function baseName(p: string): string {
  const t = p.replace(/\/+$/, '');
  if (t === '') return p.startsWith('/') ? '/' : '';
  return t.slice(t.lastIndexOf('/') + 1);
}

export interface GlobMatch {
  /** The matched path, unescaped. */
  readonly path: string;
  /** Attributes from the listing (for the last component), when globbing produced them. */
  readonly attrs?: FileAttributes;
}

/** Most matches one pattern may produce: no unbounded fan-out from a peer's listing. */
export const MAX_GLOB_MATCHES = 100_000;

export class GlobError extends Error {
  override readonly name = 'GlobError';
}

/** Lists a directory for globbing: names with attributes when the source has them. */
export type GlobLister = (
  dir: string,
) => Promise<readonly { readonly name: string; readonly attrs?: FileAttributes }[]>;

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/**
 * The paths a pattern names, in sorted order; [] when a wildcard matched nothing. A pattern
 * without wildcards is returned unescaped as the one match, unchecked: the caller's stat or
 * open says whether it exists. A relative pattern gives relative paths.
 */
export async function expandGlob(pattern: string, list: GlobLister): Promise<GlobMatch[]> {
  if (!hasGlob(pattern)) return [{ path: unescapeGlob(pattern) }];
  let current: GlobMatch[] = [{ path: pattern.startsWith('/') ? '/' : '.' }];
  for (const part of pattern.split('/')) {
    if (part === '') continue;
    const next: GlobMatch[] = [];
    for (const base of current) {
      if (!hasGlob(part)) {
        next.push({ path: pathAppend(base.path, unescapeGlob(part)) });
        continue;
      }
      let entries;
      try {
        entries = await list(base.path);
      } catch {
        continue; // not a directory, or unreadable: no matches under it
      }
      const names = entries
        .filter((e) => e.name !== '.' && e.name !== '..' && globMatch(part, e.name))
        .sort(byName);
      for (const e of names) {
        const path = pathAppend(base.path, e.name);
        next.push(e.attrs !== undefined ? { path, attrs: e.attrs } : { path });
        if (next.length > MAX_GLOB_MATCHES) {
          throw new GlobError(`Too many matches for "${pattern}".`);
        }
      }
    }
    current = next;
    if (current.length === 0) return [];
  }
  return current.map((m) => (m.path.startsWith('./') ? { ...m, path: m.path.slice(2) } : m));
}

/** Globbing on the server: READDIR listings. */
export function remoteGlob(client: SftpClient, pattern: string): Promise<GlobMatch[]> {
  return expandGlob(pattern, async (dir) =>
    (await client.list(dir)).map((e) => ({ name: e.filename, attrs: e.attrs })),
  );
}

/** Globbing on this machine; relative patterns are taken from `cwd` and stay relative. */
export function localGlob(pattern: string, cwd: string): Promise<GlobMatch[]> {
  return expandGlob(pattern, async (dir) =>
    (await readdir(resolve(cwd, dir))).map((name) => ({ name })),
  );
}
