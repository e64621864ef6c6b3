/**
 * `keyway sftp` arguments, as sftp(1) takes them, and the remote-operand syntax that sftp and
 * scp share (OpenSSH misc.c colon(), parse_user_host_path(), parse_uri()):
 * `[user@]host[:path]`, `[user@][v6addr]:path`, and `sftp://` / `scp://`
 * `[user@]host[:port][/path]` URIs, whose path is relative to the login directory unless it
 * starts with a second '/'.
 */
import {
  addIdentityFile,
  applyDashO,
  emptyOptions,
  type SshOptions,
} from '../config/ssh-options.js';
import { parseArgs, UsageError } from './args.js';

export interface RemoteSpec {
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
  /** The path after the host, undefined when none was given. */
  readonly path?: string;
}

/**
 * The index of the ':' that makes `text` a remote operand, or -1 for a local path: a leading
 * ':' and a '/' before any ':' make it local; a ':' inside `[...]` (an IPv6 address) does not
 * count (misc.c colon()).
 */
export function remoteColon(text: string): number {
  if (text.startsWith(':')) return -1;
  let bracket = text.startsWith('[');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '@' && text[i + 1] === '[') bracket = true;
    if (c === ']' && text[i + 1] === ':' && bracket) return i + 1;
    if (c === ':' && !bracket) return i;
    if (c === '/') return -1;
  }
  return -1;
}

const cleanHost = (h: string): string =>
  h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;

function decode(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new UsageError(`bad ${what} in URI: "${s}"`);
  }
}

/** `scheme://[user[;params]@]host[:port][/path]`, or null when `text` is not such a URI. */
export function parseUri(scheme: string, text: string): RemoteSpec | null {
  const prefix = `${scheme}://`;
  if (!text.startsWith(prefix)) return null;
  let rest = text.slice(prefix.length);
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const info = rest.slice(0, at).split(';')[0] ?? '';
    if (info === '') throw new UsageError(`bad ${scheme} URI "${text}": empty user name`);
    user = decode(info, 'user name');
    rest = rest.slice(at + 1);
  }
  const m = /^(\[[^\]]+\]|[^:/[\]]+)(?::([^/]*))?(?:\/(.*))?$/.exec(rest);
  if (!m) throw new UsageError(`bad ${scheme} URI "${text}"`);
  const host = cleanHost(m[1] ?? '');
  let port: number | undefined;
  if (m[2] !== undefined && m[2] !== '') {
    port = /^\d+$/.test(m[2]) ? Number(m[2]) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new UsageError(`bad port in "${text}"`);
  }
  const path = m[3] !== undefined && m[3] !== '' ? decode(m[3], 'path') : undefined;
  return {
    ...(user !== undefined ? { user } : {}),
    host,
    ...(port !== undefined ? { port } : {}),
    ...(path !== undefined ? { path } : {}),
  };
}

/** `[user@]host:[path]` (path '' becomes '.'), or null for a local path. */
export function parseUserHostPath(text: string): RemoteSpec | null {
  const colon = remoteColon(text);
  if (colon < 0) return null;
  const path = text.slice(colon + 1);
  const left = text.slice(0, colon);
  const at = left.lastIndexOf('@');
  const user = at >= 0 ? left.slice(0, at) : '';
  const host = cleanHost(at >= 0 ? left.slice(at + 1) : left);
  if (host === '') throw new UsageError(`bad destination "${text}": missing host name`);
  return { ...(user !== '' ? { user } : {}), host, path: path === '' ? '.' : path };
}

/** sftp's destination: an sftp:// URI, `[user@]host:path` or a plain `[user@]host`. */
export function parseSftpDestination(text: string): RemoteSpec {
  const uri = parseUri('sftp', text);
  if (uri) return uri;
  const withPath = parseUserHostPath(text);
  if (withPath) return withPath;
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : '';
  const host = cleanHost(at >= 0 ? text.slice(at + 1) : text);
  if (host === '') throw new UsageError(`bad destination "${text}": missing host name`);
  return { ...(user !== '' ? { user } : {}), host };
}

export interface SftpArgs {
  readonly destination: RemoteSpec;
  /** -b: the batch file ('-' is stdin); undefined for an interactive session. */
  readonly batchFile?: string;
  readonly configFile?: string;
  /** Command-line options (-o, -i, -P and friends), applied before any config file. */
  readonly options: SshOptions;
  /** -r: get and put always recurse. */
  readonly recursive: boolean;
  /** -p: get and put always preserve modes and times. */
  readonly preserve: boolean;
  /** -a: get and put always resume. */
  readonly resume: boolean;
  /** Batch mode (and -q) without -N: no "Connected to", no "Fetching" lines. */
  readonly quiet: boolean;
}

/**
 * The connection options sftp and scp share: -P port, -i identity, -o option, -c ciphers,
 * -F config (the first wins), -J jump hosts (ProxyJump). Returns false for any other option.
 */
export function applyConnectionOption(
  c: string,
  v: string,
  into: { options: SshOptions; configFile?: string },
): boolean {
  if (c === 'P') applyDashO(into.options, `Port=${v}`);
  else if (c === 'i') addIdentityFile(into.options, v);
  else if (c === 'o') applyDashO(into.options, v);
  else if (c === 'c') applyDashO(into.options, `Ciphers=${v}`);
  else if (c === 'F') into.configFile ??= v;
  else if (c === 'J') applyDashO(into.options, `ProxyJump=${v}`);
  else return false;
  return true;
}

const FLAGS = ['r', 'p', 'q', 'a', 'v', '4', '6', 'C', 'N', 'f'];
const WITH_VALUE = ['P', 'i', 'b', 'o', 'F', 'J', 'c', 'R', 'B'];

export function parseSftpArgs(argv: readonly string[]): SftpArgs {
  const args = parseArgs(argv, { flags: FLAGS, withValue: WITH_VALUE });
  const positionals = args.positionals;
  const conn: { options: SshOptions; configFile?: string } = {
    options: emptyOptions(),
  };
  const options = conn.options;
  let batchFile: string | undefined;
  for (const [c, v] of args.given) {
    if (applyConnectionOption(c, v, conn)) continue;
    if (c === 'b') {
      if (batchFile !== undefined) throw new UsageError('Batch file already specified.');
      batchFile = v;
    }
    // -R, -B: request count and buffer size are OpenSSH tuning knobs that Keyway's pipeline
    // sizes for itself; accepted and ignored, as are -v -4 -6 -C -f.
  }
  const { configFile } = conn;
  if (positionals.length === 0) throw new UsageError('no destination given');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  // sftp -b implies BatchMode: nobody is there to answer a prompt
  if (batchFile !== undefined) applyDashO(options, 'BatchMode=yes');
  return {
    destination: parseSftpDestination(positionals[0] ?? ''),
    ...(batchFile !== undefined ? { batchFile } : {}),
    ...(configFile !== undefined ? { configFile } : {}),
    options,
    recursive: args.has('r'),
    preserve: args.has('p'),
    resume: args.has('a'),
    quiet: (args.has('q') || batchFile !== undefined) && !args.has('N'),
  };
}
