/**
 * ssh_config(5) TOKENS and ENVIRONMENT VARIABLES: `%` escapes (misc.c percent_expand),
 * `${NAME}` (dollar_expand) and a leading `~` (tilde_expand_filename), with the token sets
 * ssh.c builds for each keyword in OpenSSH 9.2, and `%C`, the SHA-1 of `%l%h%p%r`.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';

export type Tokens = Readonly<Record<string, string>>;

/**
 * Expands `%x` escapes from `tokens` (and `${VAR}` from env when `env` is given). An unknown
 * escape or a trailing `%` is a ConfigError; an unset variable gives undefined.
 */
export function percentExpand(
  s: string,
  tokens: Tokens,
  env?: Readonly<Record<string, string | undefined>>,
  what = 'value',
): string | undefined {
  let out = '';
  let missing = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (env && c === '$' && s[i + 1] === '{') {
      const end = s.indexOf('}', i + 2);
      if (end < 0) throw new ConfigError(`${what}: environment variable missing closing '}'`);
      const name = s.slice(i + 2, end);
      if (name === '') throw new ConfigError(`${what}: zero-length environment variable`);
      const v = env[name];
      if (v === undefined) missing = true;
      else out += v;
      i = end;
      continue;
    }
    if (c !== '%') {
      out += c;
      continue;
    }
    const t = s[++i];
    if (t === '%') out += '%';
    else if (t === undefined) throw new ConfigError(`${what}: invalid format (a % at the end)`);
    else {
      const r = tokens[t];
      if (r === undefined) throw new ConfigError(`${what}: unknown key %${t}`);
      out += r;
    }
  }
  return missing ? undefined : out;
}

/** `${VAR}` only (misc.c dollar_expand); undefined when a variable is unset or malformed. */
export function dollarExpand(
  s: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  try {
    return percentExpand(s.replace(/%/g, '%%'), {}, env);
  } catch {
    return undefined;
  }
}

/** `~` and `~/path` against `home` (OpenSSH: the user's passwd entry); `~user` is kept. */
export function tildeExpand(p: string, home: string): string {
  if (p !== '~' && !p.startsWith('~/')) return p;
  const base = home.endsWith('/') ? home : `${home}/`;
  return base + p.slice(1).replace(/^\/+/, '');
}

/** `%C`: hex SHA-1 of local host name, remote host, port and remote user (9.2). */
export function connectionHash(thisHost: string, host: string, port: string, user: string): string {
  return createHash('sha1')
    .update(thisHost + host + port + user)
    .digest('hex');
}

/** What the client-side tokens are made of. */
export interface TokenSource {
  /** gethostname(): %l; its first label is %L. */
  readonly localHost: string;
  readonly localUser: string;
  readonly uid: number;
  readonly home: string;
  /** The host as given on the command line: %n. */
  readonly hostArg: string;
  /** The host connected to (HostName, canonicalized): %h. */
  readonly host: string;
  readonly port: number;
  readonly remoteUser: string;
  readonly hostKeyAlias?: string;
  /** ProxyJump as written ("" when unset): %j, OpenSSH 9.6's addition. */
  readonly jump?: string;
}

/** ssh.c DEFAULT_CLIENT_PERCENT_EXPAND_ARGS (9.2), plus %j. */
export function clientTokens(s: TokenSource): Tokens {
  const port = String(s.port);
  return {
    C: connectionHash(s.localHost, s.host, port, s.remoteUser),
    L: s.localHost.split('.')[0] ?? s.localHost,
    i: String(s.uid),
    k: s.hostKeyAlias ?? s.hostArg,
    l: s.localHost,
    n: s.hostArg,
    p: port,
    d: s.home,
    h: s.host,
    r: s.remoteUser,
    u: s.localUser,
    j: s.jump ?? '',
  };
}

/** ProxyCommand's tokens (sshconnect.c expand_proxy_command). */
export function proxyTokens(s: TokenSource): Tokens {
  return { h: s.host, n: s.hostArg, p: String(s.port), r: s.remoteUser };
}
