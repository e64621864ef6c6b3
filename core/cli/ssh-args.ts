/**
 * `keyway ssh` arguments, parsed as ssh(1) does: options may come before and after the
 * destination (ssh re-reads options after the host name), the first word after that starts
 * the command. Destination: `[user@]host` or `ssh://[user@]host[:port]`.
 */
import {
  parseDynamicForward,
  parseLocalForward,
  parseRemoteForward,
} from '../config/forward-spec.js';
import {
  addIdentityFile,
  applyDashO,
  emptyOptions,
  type SshOptions,
} from '../config/ssh-options.js';
import { UsageError } from './args.js';

export interface SshArgs {
  readonly destination: { user?: string; host: string; port?: number };
  readonly command: string[];
  /** -F file (undefined: the default ~/.ssh/config). */
  readonly configFile?: string;
  /** Command-line options: applied before any config file, so they win. */
  readonly options: SshOptions;
  /** -t count (1: -t, 2: -tt) or -T (0), undefined when neither was given. */
  readonly tty?: number;
  /** -N: no command, no shell (forwarding only). */
  readonly noCommand: boolean;
  readonly verbose: number;
  /** -G: print the resolved configuration and exit. */
  readonly dumpConfig: boolean;
  /** -W host:port: stdin and stdout joined to a direct-tcpip channel to host:port. */
  readonly stdioForward?: { readonly host: string; readonly port: number };
}

const WITH_VALUE = new Set(['p', 'l', 'i', 'F', 'o', 'E', 'c', 'm', 'J', 'W', 'L', 'R', 'D']);
const FLAGS = new Set(['t', 'T', 'N', 'v', 'q', '4', '6', 'n', 'G', 'A', 'a', 'X', 'Y', 'x']);

/** `ssh://[user@]host[:port]` or `[user@]host`. */
export function parseDestination(text: string): { user?: string; host: string; port?: number } {
  if (text.startsWith('ssh://')) {
    const m = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(text);
    if (!m) throw new UsageError(`bad ssh:// destination "${text}"`);
    const host = (m[2] ?? '').replace(/^\[|\]$/g, '');
    const port = m[3] === undefined ? undefined : Number(m[3]);
    if (port !== undefined && (port < 1 || port > 65535))
      throw new UsageError(`bad port in "${text}"`);
    return { ...(m[1] ? { user: decodeURIComponent(m[1]) } : {}), host, ...(port ? { port } : {}) };
  }
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const host = at >= 0 ? text.slice(at + 1) : text;
  if (host === '' || user === '') throw new UsageError(`bad destination "${text}"`);
  return { ...(user !== undefined ? { user } : {}), host };
}

/** `host:port` or `[host]:port` (-W). */
export function parseHostPort(text: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2] ?? '';
  if (!m || host === '' || !(port >= 1 && port <= 65535)) {
    throw new UsageError(`${what}: bad host:port "${text}"`);
  }
  return { host, port };
}

export function parseSshArgs(argv: readonly string[]): SshArgs {
  const options = emptyOptions();
  let destination: string | undefined;
  let configFile: string | undefined;
  let tty: number | undefined;
  let noCommand = false;
  let verbose = 0;
  let dumpConfig = false;
  let stdioForward: { host: string; port: number } | undefined;
  let i = 0;
  const take = (c: string, rest: string): string => {
    const v = rest !== '' ? rest : argv[++i];
    if (v === undefined) throw new UsageError(`option -${c} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      i++;
      if (destination === undefined) destination = argv[i++];
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (destination !== undefined) break; // the command starts here
      destination = a;
      const d = parseDestination(a);
      options.commandLine.push({
        dest: { ...(d.user ? { user: d.user } : {}), ...(d.port ? { port: d.port } : {}) },
      });
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j] ?? '';
      if (FLAGS.has(c)) {
        if (c === 't') tty = Math.max(tty ?? 0, 0) + 1;
        else if (c === 'T') tty = 0;
        else if (c === 'N') noCommand = true;
        else if (c === 'v') verbose++;
        else if (c === 'G') dumpConfig = true;
        else if (c === 'A') applyDashO(options, 'ForwardAgent=yes');
        else if (c === 'a') applyDashO(options, 'ForwardAgent=no');
        else if (c === 'X') applyDashO(options, 'ForwardX11=yes');
        else if (c === 'x') applyDashO(options, 'ForwardX11=no');
        else if (c === 'Y') {
          applyDashO(options, 'ForwardX11=yes');
          // ssh sets it outright: -Y beats any ForwardX11Trusted, given before it or after
          options.forwardX11Trusted = true;
          options.commandLine.unshift({ line: 'ForwardX11Trusted=yes' });
        }
        continue;
      }
      if (!WITH_VALUE.has(c)) throw new UsageError(`unknown option -${c}`);
      const v = take(c, a.slice(j + 1));
      if (c === 'p') applyDashO(options, `Port=${v}`);
      else if (c === 'l') applyDashO(options, `User=${v}`);
      else if (c === 'i') addIdentityFile(options, v);
      else if (c === 'F') configFile ??= v;
      else if (c === 'o') applyDashO(options, v);
      else if (c === 'c') applyDashO(options, `Ciphers=${v}`);
      else if (c === 'm') applyDashO(options, `MACs=${v}`);
      else if (c === 'J') applyDashO(options, `ProxyJump=${v}`);
      else if (c === 'W') stdioForward = parseHostPort(v, '-W');
      else if (c === 'L') options.localForwards.push(parseLocalForward(v));
      else if (c === 'R') options.remoteForwards.push(parseRemoteForward(v));
      else if (c === 'D') options.dynamicForwards.push(parseDynamicForward(v));
      break;
    }
  }
  if (destination === undefined) throw new UsageError('no destination given');
  const command = argv.slice(i);
  const dest = parseDestination(destination);
  if (noCommand && command.length > 0) throw new UsageError('-N does not take a command');
  if (stdioForward && command.length > 0)
    throw new UsageError('-W forwards stdio: it does not take a command');
  return {
    destination: dest,
    command,
    ...(configFile !== undefined ? { configFile } : {}),
    options,
    ...(tty !== undefined ? { tty } : {}),
    noCommand,
    verbose,
    dumpConfig,
    ...(stdioForward ? { stdioForward } : {}),
  };
}
