/**
 * Algorithm lists configured the ssh_config(5) way (Ciphers, KexAlgorithms, MACs,
 * HostKeyAlgorithms): a plain list replaces the default; `+list` appends to it, `-list`
 * removes from it, `^list` puts the named algorithms first. Entries may be wildcard patterns
 * (`*`, `?`) matched against the supported algorithms. An entry that matches nothing is an
 * error, as is a resulting empty list.
 */
import { ConfigError } from '../errors.js';

function patternToRegExp(pattern: string): RegExp {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`);
}

function expand(category: string, entries: string[], supported: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const re = patternToRegExp(entry);
    const matches = supported.filter((a) => re.test(a));
    if (matches.length === 0) {
      throw new ConfigError(`unsupported ${category} algorithm "${entry}"`, {
        category,
        entry,
        supported: [...supported],
      });
    }
    for (const m of matches) if (!out.includes(m)) out.push(m);
  }
  return out;
}

/**
 * Applies `spec` (a comma-separated list, optionally prefixed by +, - or ^) to `defaults`.
 * `supported` is every algorithm the implementation has (defaults ⊆ supported).
 */
export function applyAlgorithmSpec(
  category: string,
  defaults: readonly string[],
  supported: readonly string[],
  spec: string | readonly string[] | undefined,
): string[] {
  if (spec === undefined) return [...defaults];
  const text = typeof spec === 'string' ? spec.trim() : spec.join(',');
  const op = text[0];
  const body = op === '+' || op === '-' || op === '^' ? text.slice(1) : text;
  const entries = body
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  let result: string[];
  if (op === '-') {
    const res = entries.map(patternToRegExp);
    result = defaults.filter((a) => !res.some((re) => re.test(a)));
  } else {
    const named = expand(category, entries, supported);
    if (op === '+') result = [...defaults, ...named.filter((a) => !defaults.includes(a))];
    else if (op === '^') result = [...named, ...defaults.filter((a) => !named.includes(a))];
    else result = named;
  }
  if (result.length === 0) {
    throw new ConfigError(`${category} algorithm list "${text}" leaves no algorithm`, {
      category,
    });
  }
  return result;
}
