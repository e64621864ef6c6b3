/**
 * `keyway scp` arguments, as scp(1) takes them: options, then sources and a target. An operand
 * is remote when it is an `scp://[user@]host[:port][/path]` URI or has a ':' before any '/'
 * (`[user@]host:path`, `[user@][v6addr]:path`); anything else is a local path (OpenSSH misc.c
 * colon()). Which way the copy goes follows from where the target is.
 */
import { applyDashO, emptyOptions, type SshOptions } from '../config/ssh-options.js';
import { UsageError } from './args.js';
import { parseUri, parseUserHostPath, type RemoteSpec } from './sftp-args.js';

export type ScpOperand =
  | { readonly kind: 'local'; readonly path: string }
  | ({ readonly kind: 'remote'; readonly path: string } & Omit<RemoteSpec, 'path'>);

export interface ScpArgs {
  readonly sources: readonly ScpOperand[];
  readonly target: ScpOperand;
  readonly options: SshOptions;
  readonly configFile?: string;
  readonly recursive: boolean;
  readonly preserve: boolean;
  readonly quiet: boolean;
  /** -J was given: jump hosts are not implemented yet, and scp says so rather than ignore it. */
  readonly jump?: string;
}

/** One operand: remote (URI or host:path; an empty path is '.') or local. */
export function parseScpOperand(text: string): ScpOperand {
  if (text === '') throw new UsageError('empty file name');
  const uri = parseUri('scp', text);
  if (uri) return { ...uri, kind: 'remote', path: uri.path ?? '.' };
  const spec = parseUserHostPath(text);
  if (spec) return { ...spec, kind: 'remote', path: spec.path ?? '.' };
  return { kind: 'local', path: text };
}

/** The connection an operand needs, as a key: operands with the same key share one. */
export function connectionKey(o: ScpOperand): string {
  return o.kind === 'local' ? '' : `${o.user ?? ''}@${o.host}:${o.port ?? ''}`;
}

const FLAGS = new Set(['r', 'p', 'q', 'v', '3', '4', '6', 'C', 'B', 'T', 'O', 's', 'A']);
const WITH_VALUE = new Set(['P', 'i', 'J', 'o', 'F', 'c']);

export function parseScpArgs(argv: readonly string[]): ScpArgs {
  const options = emptyOptions();
  const operands: string[] = [];
  let configFile: string | undefined;
  let jump: string | undefined;
  let recursive = false;
  let preserve = false;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j] ?? '';
      if (FLAGS.has(c)) {
        if (c === 'r') recursive = true;
        else if (c === 'p') preserve = true;
        else if (c === 'q') quiet = true;
        else if (c === 'B') applyDashO(options, 'BatchMode=yes');
        else if (c === 'O') throw new UsageError('-O: the legacy SCP protocol is not supported');
        continue;
      }
      if (!WITH_VALUE.has(c)) throw new UsageError(`unknown option -${c}`);
      const rest = a.slice(j + 1);
      const v = rest !== '' ? rest : argv[++i];
      if (v === undefined) throw new UsageError(`option -${c} needs a value`);
      if (c === 'P') applyDashO(options, `Port=${v}`);
      else if (c === 'i') options.identityFiles.push(v);
      else if (c === 'o') applyDashO(options, v);
      else if (c === 'F') configFile ??= v;
      else if (c === 'c') applyDashO(options, `Ciphers=${v}`);
      else if (c === 'J') jump = v;
      break;
    }
  }
  if (operands.length < 2) throw new UsageError('need at least one source and a target');
  const parsed = operands.map(parseScpOperand);
  const target = parsed[parsed.length - 1];
  if (target === undefined) throw new UsageError('no target given');
  return {
    sources: parsed.slice(0, -1),
    target,
    options,
    ...(configFile !== undefined ? { configFile } : {}),
    ...(jump !== undefined ? { jump } : {}),
    recursive,
    preserve,
    quiet,
  };
}
