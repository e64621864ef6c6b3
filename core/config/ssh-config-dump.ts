/**
 * `ssh -G`'s output for a resolved configuration: one `keyword value` line per option, lower
 * case, in the order OpenSSH 9.2's readconf.c dump_client_config prints them (with Debian's
 * GSSAPI lines), defaults included.
 */
import { choiceWord } from './ssh-config-apply.js';
import { lookupKeyword, YES_NO_ASK_CONFIRM, type Choice } from './ssh-config-keywords.js';
import type { ResolvedConfig } from './ssh-config-resolve.js';
import { jumpText } from './ssh-config-resolve.js';
import {
  ESCAPE_NONE,
  iptosName,
  PORT_STREAMLOCAL,
  TUN_ANY,
  visChar,
  type Forward,
} from './ssh-config-values.js';

const FLAGS_1 = [
  'addressfamily',
  'batchmode',
  'canonicalizefallbacklocal',
  'canonicalizehostname',
  'checkhostip',
  'compression',
  'controlmaster',
  'enablesshkeysign',
  'clearallforwardings',
  'exitonforwardfailure',
  'fingerprinthash',
  'forwardx11',
  'forwardx11trusted',
  'gatewayports',
  'gssapiauthentication',
  'gssapikeyexchange',
  'gssapidelegatecredentials',
  'gssapitrustdns',
  'gssapirenewalforcesrekey',
];
const FLAGS_2 = [
  'hashknownhosts',
  'hostbasedauthentication',
  'identitiesonly',
  'kbdinteractiveauthentication',
  'nohostauthenticationforlocalhost',
  'passwordauthentication',
  'permitlocalcommand',
  'proxyusefdpass',
  'pubkeyauthentication',
  'requesttty',
  'sessiontype',
  'stdinnull',
  'forkafterauthentication',
  'streamlocalbindunlink',
  'stricthostkeychecking',
  'tcpkeepalive',
  'tunnel',
  'verifyhostkeydns',
  'visualhostkey',
  'updatehostkeys',
  'enableescapecommandline',
];
const INTS = [
  'canonicalizemaxdots',
  'connectionattempts',
  'forwardx11timeout',
  'numberofpasswordprompts',
  'serveralivecountmax',
  'serveraliveinterval',
  'requiredrsasize',
];
const STRINGS = [
  'bindaddress',
  'bindinterface',
  'ciphers',
  'controlpath',
  'hostkeyalgorithms',
  'hostkeyalias',
  'hostbasedacceptedalgorithms',
  'identityagent',
  'ignoreunknown',
  'kbdinteractivedevices',
  'kexalgorithms',
  'casignaturealgorithms',
  'localcommand',
  'remotecommand',
  'loglevel',
  'macs',
  'pkcs11provider',
  'securitykeyprovider',
  'preferredauthentications',
  'pubkeyacceptedalgorithms',
  'revokedhostkeys',
  'xauthlocation',
  'knownhostscommand',
  'tag',
];

function choiceOf(name: string): Choice | undefined {
  if (name === 'addkeystoagent') return YES_NO_ASK_CONFIRM;
  const k = lookupKeyword(name);
  return k?.kind.t === 'choice' ? k.kind.choice : undefined;
}

function fwdEnd(host: string | undefined, port: number, path: string | undefined): string {
  if (port === PORT_STREAMLOCAL) return path ?? '';
  if (host === undefined) return String(port);
  return `[${host}]:${port}`;
}

function forwards(
  kind: 'dynamicforward' | 'localforward' | 'remoteforward',
  list: readonly Forward[],
): string[] {
  const out: string[] = [];
  for (const f of list) {
    const socks = f.connectHost === 'socks';
    if (kind === 'dynamicforward' && f.connectHost !== undefined && !socks) continue;
    if (kind === 'localforward' && socks) continue;
    let line = `${kind} ${fwdEnd(f.listenHost, f.listenPort, f.listenPath)}`;
    if (kind !== 'dynamicforward')
      line += ` ${fwdEnd(f.connectHost, f.connectPort, f.connectPath)}`;
    out.push(line);
  }
  return out;
}

/** The lines `ssh -G` prints, without newlines. */
export function dumpConfig(r: ResolvedConfig): string[] {
  const st = r.state;
  const out: string[] = [];
  const n = (k: string): number => st.num(k) ?? -1;
  const fmt = (k: string): void => {
    const c = choiceOf(k);
    const v = st.num(k);
    if (k === 'fingerprinthash') out.push(`${k} ${st.str(k) ?? 'SHA256'}`);
    else if (v === undefined) out.push(`${k} unset`);
    else out.push(`${k} ${c ? choiceWord(c, v) : v === 0 ? 'no' : v === 1 ? 'yes' : 'UNKNOWN'}`);
  };
  const str = (k: string): void => {
    const v = st.str(k);
    if (v !== undefined) out.push(`${k} ${v}`);
  };
  const oneLine = (k: string, vals: readonly string[]): void => {
    out.push(vals.length === 0 ? `${k} none` : `${k} ${vals.join(' ')}`);
  };
  out.push(`host ${r.hostArg}`, `user ${r.user}`, `hostname ${r.host}`, `port ${r.port}`);
  FLAGS_1.forEach(fmt);
  str('gssapiclientidentity');
  str('gssapiserveridentity');
  str('gssapikexalgorithms');
  FLAGS_2.forEach(fmt);
  for (const k of INTS) out.push(`${k} ${n(k)}`);
  STRINGS.forEach(str);
  out.push(...forwards('dynamicforward', st.localForwards));
  out.push(...forwards('localforward', st.localForwards));
  out.push(...forwards('remoteforward', st.remoteForwards));
  for (const f of st.identityFiles) out.push(`identityfile ${f.path}`);
  oneLine('canonicaldomains', st.lists.get('canonicaldomains') ?? []);
  for (const f of st.certificateFiles) out.push(`certificatefile ${f.path}`);
  oneLine('globalknownhostsfile', st.lists.get('globalknownhostsfile') ?? []);
  oneLine('userknownhostsfile', st.lists.get('userknownhostsfile') ?? []);
  for (const e of st.sendEnv) out.push(`sendenv ${e}`);
  for (const e of st.setEnv) out.push(`setenv ${e}`);
  oneLine('logverbose', st.lists.get('logverbose') ?? []);
  const pro = st.lists.get('permitremoteopen');
  if (pro === undefined) out.push('permitremoteopen any');
  else oneLine('permitremoteopen', pro);
  const life = n('addkeystoagentlifespan');
  if (life <= 0) fmt('addkeystoagent');
  else out.push(`addkeystoagent${n('addkeystoagent') === 3 ? ' confirm' : ''} ${life}`);
  const agentPath = st.str('forwardagentpath');
  if (agentPath === undefined) fmt('forwardagent');
  else out.push(`forwardagent ${agentPath}`);
  const ct = n('connecttimeout');
  out.push(ct === -1 ? 'connecttimeout none' : `connecttimeout ${ct}`);
  const tl = n('tunnellocal');
  const tr = n('tunnelremote');
  out.push(`tunneldevice ${tl === TUN_ANY ? 'any' : tl}:${tr === TUN_ANY ? 'any' : tr}`);
  const cn = st.permittedCnames.map((c) => ` ${c.source}:${c.target}`).join('');
  out.push(`canonicalizePermittedcnames${cn === '' ? ' none' : cn}`);
  const cpt = n('controlpersisttimeout');
  if (n('controlpersist') === 0 || cpt === 0) fmt('controlpersist');
  else out.push(`controlpersist ${cpt}`);
  const esc = n('escapechar');
  out.push(`escapechar ${esc === ESCAPE_NONE ? 'none' : visChar(esc)}`);
  out.push(`ipqos ${iptosName(n('ipqos'))} ${iptosName(n('ipqosbulk'))}`);
  out.push(`rekeylimit ${n('rekeylimit')} ${n('rekeyinterval')}`);
  out.push(`streamlocalbindmask 0${n('streamlocalbindmask').toString(8)}`);
  out.push(`syslogfacility ${st.str('syslogfacility') ?? 'USER'}`);
  if (st.jump === undefined || st.jump === 'none') str('proxycommand');
  else out.push(`proxyjump ${jumpText(st)}`);
  return out;
}
