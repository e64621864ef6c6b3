/**
 * The options `keyway ssh` understands, by their ssh_config(5) names, parsed and validated
 * into one typed object. Values come from -o, from flags, and from config files; the first
 * value obtained wins (ssh_config(5)), so callers apply sources in precedence order.
 */
import { ConfigError } from '../errors.js';
import { lookupKeyword } from './ssh-config-keywords.js';
import type { CliItem } from './ssh-config-resolve.js';
import { parseJumpSpec } from './jump-spec.js';
import {
  parseDynamicForward,
  parseLocalForward,
  parseRemoteForward,
  type DynamicForwardSpec,
  type LocalForwardSpec,
  type RemoteForwardSpec,
} from './forward-spec.js';

export type StrictHostKeyChecking = 'yes' | 'accept-new' | 'no' | 'ask';
export type RequestTty = 'yes' | 'no' | 'force' | 'auto';

export interface SshOptions {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  certificateFiles?: string[];
  identitiesOnly?: boolean;
  strictHostKeyChecking?: StrictHostKeyChecking;
  userKnownHostsFiles?: string[];
  passwordAuthentication?: boolean;
  kbdInteractiveAuthentication?: boolean;
  pubkeyAuthentication?: boolean;
  batchMode?: boolean;
  kexAlgorithms?: string;
  ciphers?: string;
  macs?: string;
  hostKeyAlgorithms?: string;
  pubkeyAcceptedAlgorithms?: string;
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  connectTimeout?: number;
  requestTty?: RequestTty;
  setEnv: [string, string][];
  sendEnv: string[];
  rekeyLimit?: { bytes: number | null; seconds: number | null };
  numberOfPasswordPrompts?: number;
  /** Every command-line option as given, in order, for the ssh_config resolver. */
  commandLine: CliItem[];
  /** PKCS11Provider: a module path; '' for none. */
  pkcs11Provider?: string;
  /** ProxyJump as given (`none` included); ProxyJump and ProxyCommand: the first one set wins. */
  proxyJump?: string;
  /** ProxyCommand with its tokens unexpanded (`none` included). */
  proxyCommand?: string;
  /** Keyway's own: reconnect when the connection dies (keyway ssh -N). */
  reconnect?: boolean;
  /** -L / LocalForward, -R / RemoteForward, -D / DynamicForward: every source adds. */
  localForwards: LocalForwardSpec[];
  remoteForwards: RemoteForwardSpec[];
  dynamicForwards: DynamicForwardSpec[];
  exitOnForwardFailure?: boolean;
  gatewayPorts?: boolean;
  /** ForwardAgent: 'yes', 'no', or the agent socket's path. */
  forwardAgent?: string;
  forwardX11?: boolean;
  forwardX11Trusted?: boolean;
  /** ForwardX11Timeout in seconds: untrusted X11 connections are refused after it (0: never). */
  forwardX11Timeout?: number;
}

export function emptyOptions(): SshOptions {
  return {
    identityFiles: [],
    setEnv: [],
    sendEnv: [],
    commandLine: [],
    localForwards: [],
    remoteForwards: [],
    dynamicForwards: [],
  };
}

function yesNo(v: string, where: string): boolean {
  const l = v.toLowerCase();
  if (l === 'yes' || l === 'true') return true;
  if (l === 'no' || l === 'false') return false;
  throw new ConfigError(`${where}: bad yes/no argument "${v}"`);
}

function int(v: string, where: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ConfigError(`${where}: "${v}" is not a number from ${min} to ${max}`);
  }
  return Number(v);
}

/** ssh_config sizes: 1G, 500M, 64K (RekeyLimit). */
function size(v: string, where: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(v);
  if (!m) throw new ConfigError(`${where}: bad size "${v}"`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? '').toUpperCase()] ?? 1;
  const n = Number(m[1]) * mult;
  if (n < 16) throw new ConfigError(`${where}: rekey size "${v}" is too small`);
  return n;
}

/** ssh_config time formats: 30, 30s, 10m, 1h, 1h30m (sshd_config(5) TIME FORMATS). */
export function duration(v: string, where: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  const re = /(\d+)([sSmMhHdDwW])/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[(m[2] ?? 's').toLowerCase()] ?? 1;
    total += Number(m[1]) * unit;
    consumed += m[0].length;
  }
  if (consumed !== v.length || consumed === 0) throw new ConfigError(`${where}: bad time "${v}"`);
  return total;
}

function oneOf<T extends string>(v: string, allowed: readonly T[], where: string): T {
  const l = v.toLowerCase();
  const found = allowed.find((a) => a === l);
  if (!found) throw new ConfigError(`${where}: "${v}" is not one of ${allowed.join(', ')}`);
  return found;
}

/** A command's words joined again; a word with spaces in it (it was quoted) is quoted for sh. */
function commandLine(args: readonly string[]): string {
  return args.map((a) => (/\s/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ');
}

/**
 * Applies one option (keyword in any case, its arguments) unless a value is already set.
 * Unknown keywords are a ConfigError naming them, as ssh says "Bad configuration option".
 */
export function applyOption(
  o: SshOptions,
  keyword: string,
  args: readonly string[],
  where: string,
): void {
  const k = keyword.toLowerCase();
  const v = args[0] ?? '';
  const set = <K extends keyof SshOptions>(key: K, value: SshOptions[K]): void => {
    if (o[key] === undefined) o[key] = value;
  };
  switch (k) {
    case 'hostname':
      return set('hostName', v);
    case 'user':
      return set('user', v);
    case 'port':
      return set('port', int(v, where, 1, 65535));
    case 'identityfile':
      o.identityFiles.push(v);
      return;
    case 'certificatefile':
      (o.certificateFiles ??= []).push(v);
      return;
    case 'identitiesonly':
      return set('identitiesOnly', yesNo(v, where));
    case 'stricthostkeychecking': {
      const l = v.toLowerCase();
      const mapped = l === 'true' ? 'yes' : l === 'false' || l === 'off' ? 'no' : l;
      return set(
        'strictHostKeyChecking',
        oneOf(mapped, ['yes', 'accept-new', 'no', 'ask'] as const, where),
      );
    }
    case 'userknownhostsfile':
      return set('userKnownHostsFiles', [...args]);
    case 'passwordauthentication':
      return set('passwordAuthentication', yesNo(v, where));
    case 'kbdinteractiveauthentication':
    case 'challengeresponseauthentication':
      return set('kbdInteractiveAuthentication', yesNo(v, where));
    case 'pubkeyauthentication':
      return set('pubkeyAuthentication', yesNo(v, where));
    case 'batchmode':
      return set('batchMode', yesNo(v, where));
    case 'kexalgorithms':
      return set('kexAlgorithms', v);
    case 'ciphers':
      return set('ciphers', v);
    case 'macs':
      return set('macs', v);
    case 'hostkeyalgorithms':
      return set('hostKeyAlgorithms', v);
    case 'pubkeyacceptedalgorithms':
    case 'pubkeyacceptedkeytypes':
      return set('pubkeyAcceptedAlgorithms', v);
    case 'serveraliveinterval':
      return set('serverAliveInterval', duration(v, where));
    case 'serveralivecountmax':
      return set('serverAliveCountMax', int(v, where, 0, 1_000_000));
    case 'connecttimeout':
      return set('connectTimeout', v.toLowerCase() === 'none' ? 0 : duration(v, where));
    case 'requesttty':
      return set('requestTty', oneOf(v, ['yes', 'no', 'force', 'auto'] as const, where));
    case 'setenv':
      for (const a of args) {
        const eq = a.indexOf('=');
        if (eq <= 0) throw new ConfigError(`${where}: SetEnv wants NAME=value, got "${a}"`);
        o.setEnv.push([a.slice(0, eq), a.slice(eq + 1)]);
      }
      return;
    case 'sendenv':
      o.sendEnv.push(...args);
      return;
    case 'rekeylimit': {
      if (o.rekeyLimit !== undefined) return;
      const bytes =
        v.toLowerCase() === 'default' || v.toLowerCase() === 'none' ? null : size(v, where);
      const t = args[1];
      const seconds = t === undefined || t.toLowerCase() === 'none' ? null : duration(t, where);
      o.rekeyLimit = { bytes, seconds };
      return;
    }
    case 'numberofpasswordprompts':
      return set('numberOfPasswordPrompts', int(v, where, 0, 1000));
    case 'pkcs11provider':
      return set('pkcs11Provider', v.toLowerCase() === 'none' ? '' : v);
    case 'proxyjump':
      parseJumpSpec(args.join(' '), `${where}: ProxyJump`); // rejects a malformed value now
      if (o.proxyCommand === undefined) set('proxyJump', args.join(' '));
      return;
    case 'proxycommand':
      if (o.proxyJump === undefined) set('proxyCommand', commandLine(args));
      return;
    case 'reconnect':
      return set('reconnect', yesNo(v, where));
    // ssh_config writes the listen side and the target as two arguments
    case 'localforward':
      o.localForwards.push(parseLocalForward(forwardArgs(args, 2, 2, keyword, where)));
      return;
    case 'remoteforward':
      o.remoteForwards.push(parseRemoteForward(forwardArgs(args, 1, 2, keyword, where)));
      return;
    case 'dynamicforward':
      o.dynamicForwards.push(parseDynamicForward(forwardArgs(args, 1, 1, keyword, where)));
      return;
    case 'exitonforwardfailure':
      return set('exitOnForwardFailure', yesNo(v, where));
    case 'gatewayports':
      return set('gatewayPorts', yesNo(v, where));
    case 'forwardx11':
      return set('forwardX11', yesNo(v, where));
    case 'forwardx11trusted':
      return set('forwardX11Trusted', yesNo(v, where));
    case 'forwardx11timeout':
      return set('forwardX11Timeout', duration(v, where));
    case 'forwardagent': {
      const l = v.toLowerCase();
      if (l === 'yes' || l === 'true' || l === 'no' || l === 'false') {
        return set('forwardAgent', yesNo(v, where) ? 'yes' : 'no');
      }
      if (v === '') throw new ConfigError(`${where}: ForwardAgent needs an argument`);
      return set('forwardAgent', v);
    }
    default:
      // known to ssh_config but not acted on here: kept by the resolver (ssh-config-resolve.ts)
      if (lookupKeyword(k)) return;
      throw new ConfigError(`${where}: Bad configuration option: ${keyword}`);
  }
}

/** A forwarding keyword's arguments joined as one -L/-R/-D specification. */
function forwardArgs(
  args: readonly string[],
  min: number,
  max: number,
  keyword: string,
  where: string,
): string {
  if (args.length < min || args.length > max || args.some((a) => a === '')) {
    throw new ConfigError(
      `${where}: ${keyword} takes ${min === max ? min : `${min} or ${max}`} arguments`,
    );
  }
  return args.join(':');
}

/** `-o Keyword=value` or `-o "Keyword value"`. */
export function applyDashO(o: SshOptions, text: string): void {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+)(.*)$/.exec(text);
  if (!m || (m[2] ?? '').trim() === '') throw new ConfigError(`command-line: bad option "${text}"`);
  applyOption(o, m[1] ?? '', (m[2] ?? '').trim().split(/\s+/), 'command-line');
  o.commandLine.push({ line: text });
}

/** `-i file`: an identity file from the command line. */
export function addIdentityFile(o: SshOptions, path: string): void {
  o.identityFiles.push(path);
  o.commandLine.push({ identity: path });
}
