/**
 * The files an `Include` names (ssh_config(5)): a relative path is taken from ~/.ssh for a
 * user's configuration and from /etc/ssh for the system one, `~` is the home directory, and
 * each word is a glob(3) pattern (`*`, `?`, `[...]`, a leading dot only matched explicitly),
 * its matches in sorted order. A pattern that matches nothing is not an error.
 */
import { readdirSync, statSync } from 'node:fs';
import { tildeExpand } from './ssh-config-tokens.js';

/** The path an Include word stands for, before globbing. */
export function includePath(word: string, userConfig: boolean, home: string): string {
  const anchored = word.startsWith('/') || word.startsWith('~');
  const p = anchored ? word : userConfig ? `~/.ssh/${word}` : `/etc/ssh/${word}`;
  return tildeExpand(p, home);
}

const MAGIC = /[*?[\\]/;

/** fnmatch(3) of one path component, without FNM_PERIOD subtleties beyond the leading dot. */
export function matchComponent(name: string, pattern: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  const rec = (ni: number, pi: number): boolean => {
    while (pi < pattern.length) {
      const p = pattern[pi];
      if (p === '*') {
        for (let k = ni; k <= name.length; k++) if (rec(k, pi + 1)) return true;
        return false;
      }
      if (ni >= name.length) return false;
      const c = name[ni] ?? '';
      if (p === '?') {
        ni++;
        pi++;
        continue;
      }
      if (p === '[') {
        const close = pattern.indexOf(']', pi + 2);
        if (close > 0) {
          let body = pattern.slice(pi + 1, close);
          const neg = body.startsWith('!') || body.startsWith('^');
          if (neg) body = body.slice(1);
          let hit = false;
          for (let b = 0; b < body.length; b++) {
            const lo = body[b] ?? '';
            if (body[b + 1] === '-' && b + 2 < body.length) {
              const hi = body[b + 2] ?? '';
              if (c >= lo && c <= hi) hit = true;
              b += 2;
            } else if (c === lo) hit = true;
          }
          if (hit === neg) return false;
          ni++;
          pi = close + 1;
          continue;
        }
      }
      const lit = p === '\\' && pi + 1 < pattern.length ? pattern[++pi] : p;
      if (lit !== c) return false;
      ni++;
      pi++;
    }
    return ni === name.length;
  };
  return rec(0, 0);
}

/** glob(3): the existing paths matching an absolute pattern, sorted. */
export function globPaths(pattern: string): string[] {
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : '.'];
  const rest = parts[0] === '' ? parts.slice(1) : parts;
  rest.forEach((part, idx) => {
    if (part === '') return;
    const last = idx === rest.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      const join = (n: string): string => (base === '/' ? `/${n}` : `${base}/${n}`);
      if (!MAGIC.test(part)) {
        next.push(join(part));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      for (const n of names.sort()) if (matchComponent(n, part)) next.push(join(n));
    }
    bases = last
      ? next
      : next.filter((p) => {
          try {
            return statSync(p).isDirectory();
          } catch {
            return false;
          }
        });
  });
  return bases
    .filter((p) => {
      try {
        statSync(p);
        return true;
      } catch {
        return false;
      }
    })
    .sort();
}
