/**
 * `Match` criteria (ssh_config(5), OpenSSH 9.2's readconf.c match_cfg_line): all, canonical,
 * final, exec, host, originalhost, user, localuser, and from later OpenSSH (9.4) localnetwork
 * and tagged. Criteria are ANDed; `!` negates one. `exec` runs the command with $SHELL -c
 * (stdin and stdout on /dev/null) and is skipped once an earlier criterion failed.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ConfigError } from '../errors.js';
import { patternListMatch } from './ssh-config-algorithms.js';
import type { ConfigState } from './ssh-config-state.js';
import { clientTokens, percentExpand } from './ssh-config-tokens.js';

/** Who is asking: the local user and machine, the environment. */
export interface LocalContext {
  readonly userName: string;
  readonly uid: number;
  readonly home: string;
  readonly localHost: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface MatchContext {
  readonly where: string;
  readonly local: LocalContext;
  /** The host being resolved (as typed on the first pass, canonical on the final one). */
  readonly host: string;
  /** The host as given on the command line. */
  readonly originalHost: string;
  readonly finalPass: boolean;
  /** Called when a `Match final` is seen: the caller does a second pass. */
  readonly wantFinal: () => void;
  readonly state: ConfigState;
}

/** match.c match_hostname: the host lower-cased, the patterns too. */
function matchHostname(host: string, patterns: string): boolean {
  return (
    patternListMatch(
      host.replace(/[A-Z]/g, (c) => c.toLowerCase()),
      patterns,
      true,
    ) === 1
  );
}

function runShell(cmd: string, env: Readonly<Record<string, string | undefined>>, where: string) {
  const shell = env['SHELL'] ?? '/bin/sh';
  try {
    accessSync(shell, constants.X_OK);
  } catch {
    throw new ConfigError(`Shell "${shell}" is not executable`);
  }
  const r = spawnSync(shell, ['-c', cmd], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
  });
  if (r.error || r.status === null)
    throw new ConfigError(`${where}: match exec '${cmd.slice(0, 100)}' error`);
  return r.status;
}

/** readconf.c-style CIDR list check of the local interfaces' addresses. */
export function localNetworkMatches(list: string, where: string): boolean {
  const bl = new BlockList();
  for (const entry of list.split(',')) {
    const [addr = '', bitsText] = entry.split('/');
    const family = isIP(addr);
    const bits = bitsText === undefined ? (family === 6 ? 128 : 32) : Number(bitsText);
    if (
      family === 0 ||
      !/^\d*$/.test(bitsText ?? '') ||
      bitsText === '' ||
      bits > (family === 6 ? 128 : 32)
    )
      throw new ConfigError(`${where}: invalid localnetwork address "${entry}"`);
    bl.addSubnet(addr, bits, family === 6 ? 'ipv6' : 'ipv4');
  }
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      const ip = a.address.split('%')[0] ?? a.address;
      if (bl.check(ip, a.family === 'IPv6' ? 'ipv6' : 'ipv4')) return true;
    }
  }
  return false;
}

/** Evaluates a Match line's words; ConfigError for a malformed line. */
export function evaluateMatch(words: readonly string[], m: MatchContext): boolean {
  const st = m.state;
  const port = st.num('port') ?? 22;
  const ruser = st.str('user') ?? m.local.userName;
  const hostname = st.str('hostname');
  const host = m.finalPass
    ? (hostname ?? m.host)
    : hostname !== undefined
      ? (percentExpand(hostname, { h: m.host }, undefined, `${m.where}: HostName`) ?? m.host)
      : m.host;
  let result = true;
  let attributes = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const negate = word.startsWith('!');
    const attrib = (negate ? word.slice(1) : word).toLowerCase();
    if (attrib === 'all') {
      if (attributes > 1 || i + 1 < words.length)
        throw new ConfigError(
          `${m.where}: '${word}' cannot be combined with other Match attributes`,
        );
      if (result) result = !negate;
      return result;
    }
    attributes++;
    if (attrib === 'canonical' || attrib === 'final') {
      if (attrib === 'final') m.wantFinal();
      if (m.finalPass === negate) result = false;
      continue;
    }
    const arg = words[++i];
    if (arg === undefined || arg === '')
      throw new ConfigError(`${m.where}: Missing Match criteria for ${attrib}`);
    let r: boolean;
    switch (attrib) {
      case 'host':
        r = matchHostname(host, arg);
        break;
      case 'originalhost':
        r = matchHostname(m.originalHost, arg);
        break;
      case 'user':
        r = patternListMatch(ruser, arg) === 1;
        break;
      case 'localuser':
        r = patternListMatch(m.local.userName, arg) === 1;
        break;
      case 'localnetwork':
        r = localNetworkMatches(arg, m.where);
        break;
      case 'tagged': {
        const tag = st.str('tag') ?? '';
        r = tag === '' ? arg === '' : patternListMatch(tag, arg) === 1;
        break;
      }
      case 'exec': {
        const tokens = clientTokens({
          localHost: m.local.localHost,
          localUser: m.local.userName,
          uid: m.local.uid,
          home: m.local.home,
          hostArg: m.originalHost,
          host,
          port,
          remoteUser: ruser,
          ...(st.str('hostkeyalias') !== undefined
            ? { hostKeyAlias: st.str('hostkeyalias') ?? '' }
            : { hostKeyAlias: host }),
        });
        const { j: _j, ...nine } = tokens;
        void _j;
        const cmd = percentExpand(arg, nine, undefined, `${m.where}: Match exec`) ?? arg;
        if (!result) continue; // an earlier criterion failed: not run
        r = runShell(cmd, m.local.env, m.where) === 0;
        break;
      }
      default:
        throw new ConfigError(`${m.where}: Unsupported Match attribute ${attrib}`);
    }
    if (r === negate) result = false;
  }
  if (attributes === 0)
    throw new ConfigError(`${m.where}: One or more attributes required for Match`);
  return result;
}
