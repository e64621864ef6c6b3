/**
 * The ssh_config(5) keywords applied from config files today (by `keyway ssh` and the app's
 * service); the full language comes with the ssh_config issue.
 */
export const CONFIG_FILE_KEYWORDS: ReadonlySet<string> = new Set([
  'hostname',
  'user',
  'port',
  'identityfile',
  'identitiesonly',
  'stricthostkeychecking',
  'userknownhostsfile',
  'passwordauthentication',
  'kbdinteractiveauthentication',
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
  'numberofpasswordprompts',
  'pubkeyauthentication',
]);
