/**
 * Every keyword OpenSSH 9.2's ssh (readconf.c, as Debian bookworm builds it: GSSAPI key
 * exchange and keepalive patches, PKCS#11 on) knows, with the kind of value it takes, plus
 * `Tag` from OpenSSH 9.4 (for `Match tagged`). `name` is the canonical keyword that `ssh -G`
 * prints (readconf.c lookup_opcode_name: the first table entry for an option); aliases map
 * onto it. Deprecated keywords are accepted and ignored, unsupported ones are accepted with a
 * warning, as OpenSSH does.
 */

/** A multistate option's words and the word `ssh -G` prints for each value. */
export interface Choice {
  /** Accepted words (lower case) and the value each means. */
  readonly words: readonly (readonly [string, number])[];
  /** What `ssh -G` prints for a value: the first word with that value (fmt_multistate_int). */
  readonly print?: 'table' | 'yesno';
}

const flagWords = [
  ['true', 1],
  ['false', 0],
  ['yes', 1],
  ['no', 0],
] as const;
export const FLAG: Choice = { words: flagWords, print: 'yesno' };
export const YES_NO_ASK: Choice = { words: [...flagWords, ['ask', 2]], print: 'table' };
export const STRICT_HOSTKEY: Choice = {
  words: [
    ['true', 2],
    ['false', 0],
    ['yes', 2],
    ['no', 0],
    ['ask', 3],
    ['off', 0],
    ['accept-new', 1],
  ],
  print: 'table',
};
export const YES_NO_ASK_CONFIRM: Choice = {
  words: [...flagWords, ['ask', 2], ['confirm', 3]],
  print: 'table',
};
export const ADDRESS_FAMILY: Choice = {
  words: [
    ['inet', 2],
    ['inet6', 10],
    ['any', 0],
  ],
  print: 'table',
};
export const CONTROL_MASTER: Choice = {
  words: [
    ['true', 1],
    ['yes', 1],
    ['false', 0],
    ['no', 0],
    ['auto', 2],
    ['ask', 3],
    ['autoask', 4],
  ],
  print: 'table',
};
export const TUNNEL: Choice = {
  words: [
    ['ethernet', 2],
    ['point-to-point', 1],
    ['true', 1],
    ['yes', 1],
    ['false', 0],
    ['no', 0],
  ],
  print: 'table',
};
export const REQUEST_TTY: Choice = {
  words: [
    ['true', 2],
    ['yes', 2],
    ['false', 1],
    ['no', 1],
    ['force', 3],
    ['auto', 0],
  ],
  print: 'table',
};
export const SESSION_TYPE: Choice = {
  words: [
    ['none', 0],
    ['subsystem', 1],
    ['default', 2],
  ],
  print: 'table',
};
export const CANONICALIZE_HOSTNAME: Choice = {
  words: [
    ['true', 1],
    ['false', 0],
    ['yes', 1],
    ['no', 0],
    ['always', 2],
  ],
  print: 'table',
};
export const PUBKEY_AUTH: Choice = {
  words: [
    ['true', 3],
    ['false', 0],
    ['yes', 3],
    ['no', 0],
    ['unbound', 1],
    ['host-bound', 2],
  ],
  print: 'table',
};
export const COMPRESSION: Choice = {
  words: [
    ['yes', 1],
    ['no', 0],
  ],
  print: 'yesno',
};

/** How a keyword's arguments are read (readconf.c process_config_line_depth's cases). */
export type KeywordKind =
  | { readonly t: 'choice'; readonly choice: Choice }
  | { readonly t: 'int' }
  | { readonly t: 'time' }
  | { readonly t: 'string' }
  | { readonly t: 'command' }
  | { readonly t: 'strarray'; readonly max: number }
  | { readonly t: 'algorithms'; readonly set: 'cipher' | 'mac' | 'kex' | 'key' | 'sig' }
  | { readonly t: 'gsskex' }
  | { readonly t: 'special' }
  | { readonly t: 'ignore' | 'deprecated' | 'unsupported' };

export interface Keyword {
  /** Canonical lower-case name (what `ssh -G` prints). */
  readonly name: string;
  readonly kind: KeywordKind;
}

const choice = (c: Choice): KeywordKind => ({ t: 'choice', choice: c });
const flag = choice(FLAG);
const k = (t: 'int' | 'time' | 'string' | 'command' | 'special' | 'gsskex'): KeywordKind =>
  ({ t }) as KeywordKind;
const algos = (set: 'cipher' | 'mac' | 'kex' | 'key' | 'sig'): KeywordKind => ({
  t: 'algorithms',
  set,
});

/** [keyword as written in lower case, canonical name, kind]; canonical entries first. */
const TABLE: readonly (readonly [string, string, KeywordKind])[] = [
  ['protocol', 'protocol', { t: 'ignore' }],
  ...[
    'cipher',
    'fallbacktorsh',
    'globalknownhostsfile2',
    'rhostsauthentication',
    'useblacklistedkeys',
    'userknownhostsfile2',
    'useroaming',
    'usersh',
    'useprivilegedport',
  ].map((n) => [n, n, { t: 'deprecated' }] as const),
  ...[
    'afstokenpassing',
    'kerberosauthentication',
    'kerberostgtpassing',
    'rsaauthentication',
    'rhostsrsaauthentication',
    'compressionlevel',
  ].map((n) => [n, n, { t: 'unsupported' }] as const),
  ['gssapiauthentication', 'gssapiauthentication', flag],
  ['gssapikeyexchange', 'gssapikeyexchange', flag],
  ['gssapidelegatecredentials', 'gssapidelegatecredentials', flag],
  ['gssapitrustdns', 'gssapitrustdns', flag],
  ['gssapiclientidentity', 'gssapiclientidentity', k('string')],
  ['gssapiserveridentity', 'gssapiserveridentity', k('string')],
  ['gssapirenewalforcesrekey', 'gssapirenewalforcesrekey', flag],
  ['gssapikexalgorithms', 'gssapikexalgorithms', k('gsskex')],
  ['pkcs11provider', 'pkcs11provider', k('string')],
  ['smartcarddevice', 'pkcs11provider', k('string')],
  ['forwardagent', 'forwardagent', k('special')],
  ['forwardx11', 'forwardx11', flag],
  ['forwardx11trusted', 'forwardx11trusted', flag],
  ['forwardx11timeout', 'forwardx11timeout', k('time')],
  ['exitonforwardfailure', 'exitonforwardfailure', flag],
  ['xauthlocation', 'xauthlocation', k('string')],
  ['gatewayports', 'gatewayports', flag],
  ['passwordauthentication', 'passwordauthentication', flag],
  ['kbdinteractiveauthentication', 'kbdinteractiveauthentication', flag],
  ['kbdinteractivedevices', 'kbdinteractivedevices', k('string')],
  ['challengeresponseauthentication', 'kbdinteractiveauthentication', flag],
  ['skeyauthentication', 'kbdinteractiveauthentication', flag],
  ['tisauthentication', 'kbdinteractiveauthentication', flag],
  ['pubkeyauthentication', 'pubkeyauthentication', choice(PUBKEY_AUTH)],
  ['dsaauthentication', 'pubkeyauthentication', choice(PUBKEY_AUTH)],
  ['hostbasedauthentication', 'hostbasedauthentication', flag],
  ['identityfile', 'identityfile', k('special')],
  ['identityfile2', 'identityfile', k('special')],
  ['identitiesonly', 'identitiesonly', flag],
  ['certificatefile', 'certificatefile', k('special')],
  ['addkeystoagent', 'addkeystoagent', k('special')],
  ['identityagent', 'identityagent', k('special')],
  ['hostname', 'hostname', k('string')],
  ['hostkeyalias', 'hostkeyalias', k('string')],
  ['proxycommand', 'proxycommand', k('special')],
  ['port', 'port', k('special')],
  ['ciphers', 'ciphers', algos('cipher')],
  ['macs', 'macs', algos('mac')],
  ['remoteforward', 'remoteforward', k('special')],
  ['localforward', 'localforward', k('special')],
  ['permitremoteopen', 'permitremoteopen', k('special')],
  ['user', 'user', k('string')],
  ['host', 'host', k('special')],
  ['match', 'match', k('special')],
  ['escapechar', 'escapechar', k('special')],
  ['globalknownhostsfile', 'globalknownhostsfile', { t: 'strarray', max: 16 }],
  ['userknownhostsfile', 'userknownhostsfile', { t: 'strarray', max: 16 }],
  ['connectionattempts', 'connectionattempts', k('int')],
  ['batchmode', 'batchmode', flag],
  ['checkhostip', 'checkhostip', flag],
  ['stricthostkeychecking', 'stricthostkeychecking', choice(STRICT_HOSTKEY)],
  ['compression', 'compression', choice(COMPRESSION)],
  ['tcpkeepalive', 'tcpkeepalive', flag],
  ['keepalive', 'tcpkeepalive', flag],
  ['numberofpasswordprompts', 'numberofpasswordprompts', k('int')],
  ['syslogfacility', 'syslogfacility', k('special')],
  ['loglevel', 'loglevel', k('special')],
  ['logverbose', 'logverbose', k('special')],
  ['dynamicforward', 'dynamicforward', k('special')],
  ['preferredauthentications', 'preferredauthentications', k('string')],
  ['hostkeyalgorithms', 'hostkeyalgorithms', algos('key')],
  ['casignaturealgorithms', 'casignaturealgorithms', algos('key')],
  ['bindaddress', 'bindaddress', k('string')],
  ['bindinterface', 'bindinterface', k('string')],
  ['clearallforwardings', 'clearallforwardings', flag],
  ['enablesshkeysign', 'enablesshkeysign', flag],
  ['verifyhostkeydns', 'verifyhostkeydns', choice(YES_NO_ASK)],
  ['nohostauthenticationforlocalhost', 'nohostauthenticationforlocalhost', flag],
  ['rekeylimit', 'rekeylimit', k('special')],
  ['connecttimeout', 'connecttimeout', k('time')],
  ['addressfamily', 'addressfamily', choice(ADDRESS_FAMILY)],
  ['serveraliveinterval', 'serveraliveinterval', k('time')],
  ['serveralivecountmax', 'serveralivecountmax', k('int')],
  ['sendenv', 'sendenv', k('special')],
  ['setenv', 'setenv', k('special')],
  ['controlpath', 'controlpath', k('string')],
  ['controlmaster', 'controlmaster', choice(CONTROL_MASTER)],
  ['controlpersist', 'controlpersist', k('special')],
  ['hashknownhosts', 'hashknownhosts', flag],
  ['include', 'include', k('special')],
  ['tunnel', 'tunnel', choice(TUNNEL)],
  ['tunneldevice', 'tunneldevice', k('special')],
  ['localcommand', 'localcommand', k('command')],
  ['permitlocalcommand', 'permitlocalcommand', flag],
  ['remotecommand', 'remotecommand', k('command')],
  ['visualhostkey', 'visualhostkey', flag],
  ['kexalgorithms', 'kexalgorithms', algos('kex')],
  ['ipqos', 'ipqos', k('special')],
  ['requesttty', 'requesttty', choice(REQUEST_TTY)],
  ['sessiontype', 'sessiontype', choice(SESSION_TYPE)],
  ['stdinnull', 'stdinnull', flag],
  ['forkafterauthentication', 'forkafterauthentication', flag],
  ['proxyusefdpass', 'proxyusefdpass', flag],
  ['canonicaldomains', 'canonicaldomains', k('special')],
  ['canonicalizefallbacklocal', 'canonicalizefallbacklocal', flag],
  ['canonicalizehostname', 'canonicalizehostname', choice(CANONICALIZE_HOSTNAME)],
  ['canonicalizemaxdots', 'canonicalizemaxdots', k('int')],
  ['canonicalizepermittedcnames', 'canonicalizepermittedcnames', k('special')],
  ['streamlocalbindmask', 'streamlocalbindmask', k('special')],
  ['streamlocalbindunlink', 'streamlocalbindunlink', flag],
  ['revokedhostkeys', 'revokedhostkeys', k('string')],
  ['fingerprinthash', 'fingerprinthash', k('special')],
  ['updatehostkeys', 'updatehostkeys', choice(YES_NO_ASK)],
  ['hostbasedacceptedalgorithms', 'hostbasedacceptedalgorithms', algos('key')],
  ['hostbasedkeytypes', 'hostbasedacceptedalgorithms', algos('key')],
  ['pubkeyacceptedalgorithms', 'pubkeyacceptedalgorithms', algos('key')],
  ['pubkeyacceptedkeytypes', 'pubkeyacceptedalgorithms', algos('key')],
  ['ignoreunknown', 'ignoreunknown', k('string')],
  ['proxyjump', 'proxyjump', k('special')],
  ['securitykeyprovider', 'securitykeyprovider', k('string')],
  ['knownhostscommand', 'knownhostscommand', k('command')],
  ['requiredrsasize', 'requiredrsasize', k('int')],
  ['enableescapecommandline', 'enableescapecommandline', flag],
  // Debian's keepalive patch: old names for the keepalive and connect timeouts
  ['protocolkeepalives', 'serveraliveinterval', k('time')],
  ['setuptimeout', 'serveraliveinterval', k('time')],
  // OpenSSH 9.4; not in 9.2
  ['tag', 'tag', k('string')],
  // Keyway's own: reconnect with backoff when the connection dies (keyway ssh -N, tunnels);
  // never printed by -G
  ['reconnect', 'reconnect', flag],
];

const BY_NAME = new Map<string, Keyword>(TABLE.map(([n, name, kind]) => [n, { name, kind }]));

/** The keyword a lower-case name means, or undefined for an unknown one. */
export function lookupKeyword(lower: string): Keyword | undefined {
  return BY_NAME.get(lower);
}

/** Every keyword name accepted (aliases included), for tests and docs. */
export function allKeywordNames(): string[] {
  return TABLE.map(([n]) => n);
}
