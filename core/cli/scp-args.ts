/**
 * `keyway scp` arguments, as scp(1) takes them: options, then sources and a target. An operand
 * is remote when it is an `scp://[user@]host[:port][/path]` URI or has a ':' before any '/'
 * (`[user@]host:path`, `[user@][v6addr]:path`); anything else is a local path (OpenSSH misc.c
 * colon()). Which way the copy goes follows from where the target is.
 */
import { applyDashO, emptyOptions, type SshOptions } from '../config/ssh-options.js';
import { parseArgs, UsageError } from './args.js';
import {
  applyConnectionOption,
  parseUri,
  parseUserHostPath,
  type RemoteSpec,
} from './sftp-args.js';

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

const FLAGS = ['r', 'p', 'q', 'v', '3', '4', '6', 'C', 'B', 'T', 'O', 's', 'A'];
const WITH_VALUE = ['P', 'i', 'J', 'o', 'F', 'c'];

export function parseScpArgs(argv: readonly string[]): ScpArgs {
  const args = parseArgs(argv, { flags: FLAGS, withValue: WITH_VALUE });
  const operands = args.positionals;
  const conn: { options: SshOptions; configFile?: string } = {
    options: emptyOptions(),
  };
  const options = conn.options;
  for (const [c, v] of args.given) {
    if (applyConnectionOption(c, v, conn)) continue;
    if (c === 'B') applyDashO(options, 'BatchMode=yes');
    else if (c === 'O') throw new UsageError('-O: the legacy SCP protocol is not supported');
  }
  const { configFile } = conn;
  if (operands.length < 2) throw new UsageError('need at least one source and a target');
  const parsed = operands.map(parseScpOperand);
  const target = parsed[parsed.length - 1];
  if (target === undefined) throw new UsageError('no target given');
  return {
    sources: parsed.slice(0, -1),
    target,
    options,
    ...(configFile !== undefined ? { configFile } : {}),
    recursive: args.has('r'),
    preserve: args.has('p'),
    quiet: args.has('q'),
  };
}
