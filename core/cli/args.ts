/**
 * Command-line parsing in the getopt style OpenSSH's tools use: single-letter options,
 * grouped flags (`-vv`), values attached or separate (`-p22`, `-p 22`), `--` ends options,
 * and long options (`--name value`, `--name=value`) for Keyway's own extras.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ArgSpec {
  /** Options that take a value (single letters or long names). */
  readonly withValue: readonly string[];
  /** Options without a value. */
  readonly flags: readonly string[];
}

export class ParsedArgs {
  readonly positionals: string[] = [];
  /** Every option as given, in order: [name, value] (value '' for a flag). */
  readonly given: [string, string][] = [];
  private readonly values = new Map<string, string[]>();

  add(name: string, value: string): void {
    this.given.push([name, value]);
    const list = this.values.get(name) ?? [];
    list.push(value);
    this.values.set(name, list);
  }

  /** First value given (OpenSSH: first one wins for most options). */
  value(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  count(name: string): number {
    return this.values.get(name)?.length ?? 0;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  int(name: string, dflt: number, min: number, max: number): number {
    const v = this.value(name);
    if (v === undefined) return dflt;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`-${name}: "${v}" is not a number from ${min} to ${max}`);
    }
    return n;
  }
}

export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const out = new ParsedArgs();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (spec.flags.includes(name)) {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        out.add(name, '');
      } else if (spec.withValue.includes(name)) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        out.add(name, v);
      } else {
        throw new UsageError(`unknown option --${name}`);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j] ?? '';
        if (spec.flags.includes(c)) {
          out.add(c, '');
        } else if (spec.withValue.includes(c)) {
          const rest = a.slice(j + 1);
          const v = rest !== '' ? rest : argv[++i];
          if (v === undefined) throw new UsageError(`option -${c} needs a value`);
          out.add(c, v);
          break;
        } else {
          throw new UsageError(`unknown option -${c}`);
        }
      }
      continue;
    }
    out.positionals.push(a);
  }
  return out;
}
