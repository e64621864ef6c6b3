/**
 * OpenSSH 9.2's defaults for every option left unset (readconf.c fill_default_options, with
 * Debian's ForwardX11Trusted yes and GSSAPI key exchange options), and the algorithm lists
 * assembled from their `+ - ^` forms.
 */
import { ConfigError } from '../errors.js';
import { DEFAULT_IDENTITY_NAMES } from '../keys/index.js';
import { algorithmLists, assembleAlgorithms, DEFAULTS } from './ssh-config-algorithms.js';
import type { ConfigState } from './ssh-config-state.js';
import { TUN_ANY } from './ssh-config-values.js';

const NUM_DEFAULTS: readonly (readonly [string, number])[] = [
  ['forwardagent', 0],
  ['forwardx11', 0],
  ['forwardx11trusted', 1],
  ['forwardx11timeout', 1200],
  ['exitonforwardfailure', 0],
  ['clearallforwardings', 0],
  ['gatewayports', 0],
  ['streamlocalbindmask', 0o177],
  ['streamlocalbindunlink', 0],
  ['pubkeyauthentication', 3],
  ['gssapiauthentication', 0],
  ['gssapikeyexchange', 0],
  ['gssapidelegatecredentials', 0],
  ['gssapitrustdns', 0],
  ['gssapirenewalforcesrekey', 0],
  ['passwordauthentication', 1],
  ['kbdinteractiveauthentication', 1],
  ['hostbasedauthentication', 0],
  ['batchmode', 0],
  ['checkhostip', 0],
  ['stricthostkeychecking', 3],
  ['compression', 0],
  ['tcpkeepalive', 1],
  ['port', 0],
  ['addressfamily', 0],
  ['connectionattempts', 1],
  ['numberofpasswordprompts', 3],
  ['addkeystoagent', 0],
  ['addkeystoagentlifespan', 0],
  ['escapechar', 0x7e],
  ['nohostauthenticationforlocalhost', 0],
  ['identitiesonly', 0],
  ['enablesshkeysign', 0],
  ['rekeylimit', 0],
  ['rekeyinterval', 0],
  ['verifyhostkeydns', 0],
  ['serveraliveinterval', 0],
  ['serveralivecountmax', 3],
  ['controlmaster', 0],
  ['controlpersist', 0],
  ['controlpersisttimeout', 0],
  ['hashknownhosts', 0],
  ['tunnel', 0],
  ['tunnellocal', TUN_ANY],
  ['tunnelremote', TUN_ANY],
  ['permitlocalcommand', 0],
  ['visualhostkey', 0],
  // Debian keeps the pre-8.9 lowdelay/throughput defaults
  ['ipqos', 0x10],
  ['ipqosbulk', 0x08],
  ['requesttty', 0],
  ['sessiontype', 2],
  ['stdinnull', 0],
  ['forkafterauthentication', 0],
  ['proxyusefdpass', 0],
  ['canonicalizemaxdots', 1],
  ['canonicalizefallbacklocal', 1],
  ['canonicalizehostname', 0],
  ['requiredrsasize', 1024],
  ['enableescapecommandline', 0],
];

/** 9.2 still tried id_dsa last (core/keys has OpenSSH 10's list, which dropped it). */
const DEFAULT_IDS = [...DEFAULT_IDENTITY_NAMES, 'id_dsa'];

/** Strings that `none` clears (CLEAR_ON_NONE). */
const CLEAR_ON_NONE = [
  'localcommand',
  'remotecommand',
  'proxycommand',
  'controlpath',
  'revokedhostkeys',
  'pkcs11provider',
  'securitykeyprovider',
  'knownhostscommand',
];

export function fillDefaults(st: ConfigState): void {
  if ((st.num('clearallforwardings') ?? 0) === 1) {
    st.localForwards.length = 0;
    st.remoteForwards.length = 0;
    st.nums.set('tunnel', 0);
  }
  const hadUserKnownHosts = st.lists.get('userknownhostsfile');
  if (!st.nums.has('updatehostkeys')) {
    const dns = st.num('verifyhostkeydns') ?? 0;
    const plain =
      hadUserKnownHosts === undefined ||
      (hadUserKnownHosts.length === 1 && hadUserKnownHosts[0] === '~/.ssh/known_hosts');
    st.nums.set('updatehostkeys', dns <= 0 && plain ? 1 : 0);
  }
  // Debian's keepalive patch: BatchMode implies a 300 s ServerAliveInterval
  if (st.num('batchmode') === 1) st.setNum('serveraliveinterval', 300);
  for (const [k, v] of NUM_DEFAULTS) st.setNum(k, v);
  st.setStr('xauthlocation', '/usr/bin/xauth');
  st.setStr('loglevel', 'INFO');
  st.setStr('syslogfacility', 'USER');
  st.setStr('fingerprinthash', 'SHA256');
  st.setStr('securitykeyprovider', 'internal');
  st.setStr('gssapikexalgorithms', DEFAULTS.gsskex);
  if (st.identityFiles.length === 0)
    for (const id of DEFAULT_IDS) st.addIdentity(`~/.ssh/${id}`, false);
  st.setList('globalknownhostsfile', ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
  st.setList('userknownhostsfile', ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']);
  for (const k of [
    'ciphers',
    'macs',
    'kexalgorithms',
    'hostbasedacceptedalgorithms',
    'pubkeyacceptedalgorithms',
    'casignaturealgorithms',
    'hostkeyalgorithms',
  ]) {
    const { def, all } = algorithmLists(k);
    try {
      st.strs.set(k, assembleAlgorithms(st.str(k), def, all));
    } catch (e) {
      throw new ConfigError(`${k}: ${(e as Error).message}`);
    }
  }
  for (const k of CLEAR_ON_NONE) {
    const v = st.str(k);
    if (v !== undefined && v.toLowerCase() === 'none') st.strs.delete(k);
  }
  if (st.jump === 'none') st.jump = undefined;
  if (
    st.permittedCnames.length === 1 &&
    st.permittedCnames[0]?.source.toLowerCase() === 'none' &&
    st.permittedCnames[0].target === ''
  )
    st.permittedCnames.length = 0;
}
