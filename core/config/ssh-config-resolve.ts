/**
 * The whole of ssh(1)'s configuration step (OpenSSH 9.2 ssh.c main): command-line options
 * first, then the config files (-F, or ~/.ssh/config and /etc/ssh/ssh_config), HostName's %h,
 * CanonicalizeHostname with node:dns, a final pass when canonicalization or `Match final`
 * asks for one, OpenSSH's defaults (ssh-config-defaults.ts), and the tokens and variables
 * `ssh -G` shows expanded. The result keeps every option read, acted on by Keyway or not.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError } from '../errors.js';
import { applyLine, type LineContext } from './ssh-config-apply.js';
import { canonicalizeHost, type HostLookup } from './ssh-config-canonical.js';
import { fillDefaults } from './ssh-config-defaults.js';
import type { LocalContext } from './ssh-config-match.js';
import { readConfigFile } from './ssh-config-reader.js';
import { ConfigState } from './ssh-config-state.js';
import { clientTokens, percentExpand, tildeExpand, type Tokens } from './ssh-config-tokens.js';

/** One command-line item, in argv order. */
export type CliItem =
  | { readonly line: string }
  | { readonly identity: string }
  | { readonly dest: { readonly user?: string; readonly port?: number } };

export interface ResolveRequest {
  /** The destination host as typed (without user@ and port). */
  readonly hostArg: string;
  readonly commandLine: readonly CliItem[];
  /** -F file; "none" reads nothing; undefined: ~/.ssh/config then the system file. */
  readonly configFile?: string;
  /** Default /etc/ssh/ssh_config. */
  readonly systemConfigFile?: string;
  readonly local: LocalContext;
  /** Whether a remote command was given on the command line. */
  readonly hasCommand?: boolean;
  /** Name resolution for CanonicalizeHostname (default: node:dns lookup). */
  readonly lookup?: HostLookup;
}

export interface ResolvedConfig {
  readonly state: ConfigState;
  /** The host as typed. */
  readonly hostArg: string;
  /** The host connected to (HostName, canonicalized). */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The client tokens (%h, %p, %r, …) for expanding options at use time. */
  readonly tokens: Tokens;
  /** Options given on the command line or in a file (before defaults), canonical names. */
  readonly explicit: ReadonlySet<string>;
  /** String values as given (algorithm lists still with their + - ^), before defaults. */
  readonly given: ReadonlyMap<string, string>;
}

function lowerAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function applyCommandLine(st: ConfigState, req: ResolveRequest): void {
  let host = '';
  for (const item of req.commandLine) {
    if ('dest' in item) {
      host = req.hostArg;
      if (item.dest.user !== undefined) st.setStr('user', item.dest.user);
      if (item.dest.port !== undefined) st.setNum('port', item.dest.port);
    } else if ('identity' in item) {
      // a token key (RFC 7512 URI, core/keys/pkcs11) is not a file
      const token = /^pkcs11:/i.test(item.identity);
      const p = token ? item.identity : tildeExpand(item.identity, req.local.home);
      if (token || existsSync(p)) st.addIdentity(p, true);
      else
        st.warnings.push(`Warning: Identity file ${p} not accessible: No such file or directory.`);
    } else {
      const ctx: LineContext = {
        where: 'command-line line 0',
        commandLine: true,
        userConfig: true,
        neverMatch: false,
        host,
        active: true,
        env: req.local.env,
        match: () => false,
        include: () => undefined,
      };
      applyLine(st, item.line, ctx);
    }
  }
}

function readFiles(
  st: ConfigState,
  req: ResolveRequest,
  host: string,
  finalPass: boolean,
  wantFinal: () => void,
): void {
  const base = {
    local: req.local,
    host,
    originalHost: req.hostArg,
    finalPass,
    wantFinal,
  };
  if (req.configFile !== undefined) {
    if (req.configFile.toLowerCase() === 'none') return;
    if (!readConfigFile(st, req.configFile, { ...base, userConfig: true, checkPerm: false }))
      throw new ConfigError(
        `Can't open user config file ${req.configFile}: No such file or directory`,
      );
    return;
  }
  readConfigFile(st, `${req.local.home}/.ssh/config`, {
    ...base,
    userConfig: true,
    checkPerm: true,
  });
  readConfigFile(st, req.systemConfigFile ?? '/etc/ssh/ssh_config', {
    ...base,
    userConfig: false,
    checkPerm: false,
  });
}

/** Resolves the configuration for one destination. ConfigError for bad input. */
export async function resolveSshConfig(req: ResolveRequest): Promise<ResolvedConfig> {
  const st = new ConfigState();
  applyCommandLine(st, req);
  let wantFinal = false;
  let host = req.hostArg;
  readFiles(st, req, host, false, () => (wantFinal = true));

  const hostname = st.str('hostname');
  if (hostname !== undefined) {
    host = percentExpand(hostname, { h: host }, undefined, 'HostName') ?? host;
    st.strs.set('hostname', host);
  }
  if (isIP(host) === 0) host = lowerAscii(host);
  host = await canonicalizeHost(st, host, req.lookup);
  const canonicalize = st.num('canonicalizehostname') ?? 0;
  if (canonicalize !== 0) wantFinal = true;
  if (wantFinal) {
    st.strs.set('hostname', host);
    readFiles(st, req, host, true, () => undefined);
  }
  const explicit = new Set([...st.nums.keys(), ...st.strs.keys(), ...st.lists.keys()]);
  const lists: [string, readonly unknown[]][] = [
    ['identityfile', st.identityFiles],
    ['certificatefile', st.certificateFiles],
    ['localforward', st.localForwards],
    ['remoteforward', st.remoteForwards],
    ['sendenv', st.sendEnv],
    ['setenv', st.setEnv],
    ['canonicalizepermittedcnames', st.permittedCnames],
  ];
  for (const [k, l] of lists) if (l.length > 0) explicit.add(k);
  if (st.jump !== undefined) explicit.add('proxyjump');
  const given = new Map(st.strs);
  fillDefaults(st);
  const user = st.str('user') ?? req.local.userName;
  st.strs.set('user', user);
  const port = st.num('port') || 22;
  st.nums.set('port', port);
  checkConsistency(st, req.hasCommand === true);
  const hostKeyAlias = st.str('hostkeyalias');
  if (hostKeyAlias !== undefined) st.strs.set('hostkeyalias', lowerAscii(hostKeyAlias));
  const tokens = clientTokens({
    localHost: req.local.localHost,
    localUser: req.local.userName,
    uid: req.local.uid,
    home: req.local.home,
    hostArg: req.hostArg,
    host,
    port,
    remoteUser: user,
    hostKeyAlias: st.str('hostkeyalias') ?? req.hostArg,
    jump: jumpText(st),
  });
  expandForDump(st, tokens, req.local);
  return { state: st, hostArg: req.hostArg, host, port, user, tokens, explicit, given };
}

/** ProxyJump as `ssh -G` prints it ("" when unset). */
export function jumpText(st: ConfigState): string {
  const j = st.jump;
  if (j === undefined || j === 'none') return '';
  const numeric = j.host.includes(':') || /^[0-9.]+$/.test(j.host);
  return (
    (j.extra !== undefined ? `${j.extra},` : '') +
    (j.user !== undefined ? `${j.user}@` : '') +
    (numeric ? `[${j.host}]` : j.host) +
    (j.port > 0 ? `:${j.port}` : '')
  );
}

/** What ssh.c expands before `-G` prints (RemoteCommand, ControlPath, known-hosts files…). */
function expandForDump(st: ConfigState, tokens: Tokens, local: LocalContext): void {
  const { j: _j, ...nine } = tokens;
  void _j;
  const must = (v: string | undefined, what: string): string => {
    if (v === undefined) throw new ConfigError(`${what}: invalid environment variable expansion`);
    return v;
  };
  const pathExpand = (v: string, what: string): string =>
    must(percentExpand(tildeExpand(v, local.home), nine, local.env, what), what);
  const rc = st.str('remotecommand');
  if (rc !== undefined)
    st.strs.set('remotecommand', must(percentExpand(rc, nine), 'RemoteCommand'));
  for (const k of ['controlpath', 'identityagent', 'forwardagentpath']) {
    const v = st.str(k);
    if (v !== undefined) st.strs.set(k, pathExpand(v, k));
  }
  const ukh = st.lists.get('userknownhostsfile') ?? [];
  if (ukh.length === 1 && lowerAscii(ukh[0] ?? '') === 'none')
    st.lists.set('userknownhostsfile', []);
  else
    st.lists.set(
      'userknownhostsfile',
      ukh.map((f) => pathExpand(f, 'UserKnownHostsFile')),
    );
  const gkh = st.lists.get('globalknownhostsfile') ?? [];
  if (gkh.length === 1 && lowerAscii(gkh[0] ?? '') === 'none')
    st.lists.set('globalknownhostsfile', []);
  for (const list of [st.localForwards, st.remoteForwards]) {
    list.forEach((f, i) => {
      list[i] = {
        ...f,
        ...(f.listenPath !== undefined
          ? { listenPath: must(percentExpand(f.listenPath, nine), 'forward path') }
          : {}),
        ...(f.connectPath !== undefined
          ? { connectPath: must(percentExpand(f.connectPath, nine), 'forward path') }
          : {}),
      };
    });
  }
}

/** ssh.c's checks and adjustments after the defaults ("Tidy and check options"). */
function checkConsistency(st: ConfigState, hasCommand: boolean): void {
  if (st.num('updatehostkeys') === 2) {
    const levels = ['QUIET', 'FATAL', 'ERROR'];
    if ((st.num('controlpersist') ?? 0) !== 0 && st.str('controlpath') !== undefined)
      st.nums.set('updatehostkeys', 0);
    else if (hasCommand || st.str('remotecommand') !== undefined || st.num('requesttty') === 1)
      st.nums.set('updatehostkeys', 0);
    else if (levels.includes(st.str('loglevel') ?? 'INFO')) st.nums.set('updatehostkeys', 0);
  }
  if ((st.num('connectionattempts') ?? 1) <= 0)
    throw new ConfigError('Invalid number of ConnectionAttempts');
  if (hasCommand && st.str('remotecommand') !== undefined)
    throw new ConfigError('Cannot execute command-line and remote command.');
  if (
    st.num('forkafterauthentication') === 1 &&
    !hasCommand &&
    st.str('remotecommand') === undefined &&
    st.num('sessiontype') !== 0
  )
    throw new ConfigError('Cannot fork into background without a command to execute.');
}
