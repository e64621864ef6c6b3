/**
 * From a resolved ssh_config (ssh-config-resolve.ts) to the typed SshOptions that
 * `keyway ssh`, `sftp` and `scp` act on. Values that were given keep their own form (an
 * algorithm list with its `+ - ^`, so the transport applies it to Keyway's own defaults);
 * defaults Keyway has its own rules for stay unset. Identity files get their tokens,
 * variables and `~` expanded as ssh(1) does when it loads them. Every other option given is
 * listed in `notActedOn`, so that it is reported rather than silently dropped.
 */
import { ConfigError } from '../errors.js';
import { jumpText, type ResolvedConfig } from './ssh-config-resolve.js';
import { percentExpand, tildeExpand } from './ssh-config-tokens.js';
import { PORT_STREAMLOCAL, type Forward } from './ssh-config-values.js';
import type { Endpoint } from './forward-spec.js';
import type { RequestTty, SshOptions, StrictHostKeyChecking } from './ssh-options.js';

/** Options Keyway acts on (canonical names). */
export const ACTED_ON = new Set([
  'hostname',
  'user',
  'port',
  'identityfile',
  'identitiesonly',
  'certificatefile',
  'stricthostkeychecking',
  'userknownhostsfile',
  'passwordauthentication',
  'kbdinteractiveauthentication',
  'pubkeyauthentication',
  'batchmode',
  'kexalgorithms',
  'ciphers',
  'macs',
  'hostkeyalgorithms',
  'pubkeyacceptedalgorithms',
  'serveraliveinterval',
  'serveralivecountmax',
  'connecttimeout',
  'requesttty',
  'setenv',
  'sendenv',
  'rekeylimit',
  'rekeyinterval',
  'numberofpasswordprompts',
  'pkcs11provider',
  'proxyjump',
  'proxycommand',
  'reconnect',
  'localforward',
  'remoteforward',
  'dynamicforward',
  'exitonforwardfailure',
  'gatewayports',
  'forwardagent',
  'forwardx11',
  'forwardx11trusted',
  'forwardx11timeout',
]);

const STRICT: Record<number, StrictHostKeyChecking> = {
  0: 'no',
  1: 'accept-new',
  2: 'yes',
  3: 'ask',
};
const TTY: Record<number, RequestTty> = { 0: 'auto', 1: 'no', 2: 'yes', 3: 'force' };

export interface TypedConfig {
  readonly options: SshOptions;
  /** Options given that Keyway does not act on yet, as `keyword value` lines. */
  readonly notActedOn: string[];
}

export function toSshOptions(
  r: ResolvedConfig,
  home: string,
  env: Readonly<Record<string, string | undefined>>,
  dump: readonly string[],
): TypedConfig {
  const st = r.state;
  const given = (k: string): boolean => r.explicit.has(k);
  const num = (k: string): number | undefined => (given(k) ? st.num(k) : undefined);
  const flag = (k: string): boolean | undefined => {
    const v = num(k);
    return v === undefined ? undefined : v !== 0;
  };
  const { j: _j, ...tokens } = r.tokens;
  void _j;
  const expand = (p: string): string => {
    // a token key's RFC 7512 URI is percent-encoded, not a path with %-tokens
    if (/^pkcs11:/i.test(p)) return p;
    const v = percentExpand(tildeExpand(p, home), tokens, env, 'IdentityFile');
    if (v === undefined) throw new ConfigError(`IdentityFile ${p}: environment variable not set`);
    return v;
  };
  const o: SshOptions = {
    hostName: r.host,
    user: r.user,
    port: r.port,
    identityFiles: given('identityfile') ? st.identityFiles.map((f) => expand(f.path)) : [],
    ...(given('certificatefile')
      ? { certificateFiles: st.certificateFiles.map((f) => expand(f.path)) }
      : {}),
    setEnv: st.setEnv.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    sendEnv: [...st.sendEnv],
    commandLine: [],
    localForwards: [],
    remoteForwards: [],
    dynamicForwards: [],
  };
  const set = <K extends keyof SshOptions>(k: K, v: SshOptions[K] | undefined): void => {
    if (v !== undefined) o[k] = v;
  };
  set('identitiesOnly', flag('identitiesonly'));
  const shk = num('stricthostkeychecking');
  set('strictHostKeyChecking', shk === undefined ? undefined : STRICT[shk]);
  if (given('userknownhostsfile')) set('userKnownHostsFiles', st.lists.get('userknownhostsfile'));
  set('passwordAuthentication', flag('passwordauthentication'));
  set('kbdInteractiveAuthentication', flag('kbdinteractiveauthentication'));
  set('pubkeyAuthentication', flag('pubkeyauthentication'));
  set('batchMode', flag('batchmode'));
  set('kexAlgorithms', r.given.get('kexalgorithms'));
  set('ciphers', r.given.get('ciphers'));
  set('macs', r.given.get('macs'));
  set('hostKeyAlgorithms', r.given.get('hostkeyalgorithms'));
  set('pubkeyAcceptedAlgorithms', r.given.get('pubkeyacceptedalgorithms'));
  set('serverAliveInterval', num('serveraliveinterval'));
  set('serverAliveCountMax', num('serveralivecountmax'));
  const ct = num('connecttimeout');
  set('connectTimeout', ct === undefined || ct < 0 ? undefined : ct);
  const tty = num('requesttty');
  set('requestTty', tty === undefined ? undefined : TTY[tty]);
  if (given('rekeylimit') || given('rekeyinterval')) {
    const bytes = st.num('rekeylimit') ?? 0;
    const secs = st.num('rekeyinterval') ?? 0;
    o.rekeyLimit = { bytes: bytes > 0 ? bytes : null, seconds: secs > 0 ? secs : null };
  }
  set('numberOfPasswordPrompts', num('numberofpasswordprompts'));
  // ProxyJump sets ProxyCommand to none when it comes first (the resolver keeps OpenSSH's
  // first-wins between the two): the jump chain as -J text, the command as written
  if (st.jump !== undefined) o.proxyJump = st.jump === 'none' ? 'none' : jumpText(st);
  else if (given('proxycommand')) set('proxyCommand', st.str('proxycommand'));
  set('reconnect', flag('reconnect'));
  set('exitOnForwardFailure', flag('exitonforwardfailure'));
  set('gatewayPorts', flag('gatewayports'));
  set('forwardX11', flag('forwardx11'));
  set('forwardX11Trusted', flag('forwardx11trusted'));
  set('forwardX11Timeout', num('forwardx11timeout'));
  const agent = flag('forwardagent');
  if (agent !== undefined) o.forwardAgent = agent ? (st.str('forwardagentpath') ?? 'yes') : 'no';
  for (const f of st.localForwards) {
    if (f.connectHost === 'socks')
      o.dynamicForwards.push({ type: 'dynamic', listen: listenEnd(f) });
    else o.localForwards.push({ type: 'local', listen: listenEnd(f), connect: connectEnd(f) });
  }
  for (const f of st.remoteForwards) {
    const listen = listenEnd(f);
    const socks = f.connectHost === 'socks' && f.connectPath === undefined;
    o.remoteForwards.push({ type: 'remote', listen, connect: socks ? null : connectEnd(f) });
  }
  const p11 = given('pkcs11provider') ? st.str('pkcs11provider') : undefined;
  set('pkcs11Provider', p11 === undefined ? undefined : p11.toLowerCase() === 'none' ? '' : p11);
  const notActedOn = dump.filter((line) => {
    const k = line.slice(0, line.indexOf(' ')).toLowerCase();
    return given(k) && !ACTED_ON.has(k);
  });
  return { options: o, notActedOn };
}

/** A forward's listening end as core/client's forward specs take it. */
function listenEnd(f: Forward): Endpoint {
  return f.listenPort === PORT_STREAMLOCAL
    ? { kind: 'unix', path: f.listenPath ?? '' }
    : { kind: 'tcp', host: f.listenHost ?? null, port: f.listenPort };
}

function connectEnd(f: Forward): Endpoint {
  return f.connectPort === PORT_STREAMLOCAL
    ? { kind: 'unix', path: f.connectPath ?? '' }
    : { kind: 'tcp', host: f.connectHost ?? null, port: f.connectPort };
}
