/**
 * Resolving one destination through ssh_config(5) as ssh(1) does, for every front end (the
 * command-line tools and the app's service): the local user and machine as OpenSSH sees them,
 * the resolver run with the command line's options, and the result both as `ssh -G` lines and
 * as the typed options Keyway acts on. Also the Host aliases a config file names, for the app's
 * host list.
 */
import { readFile } from 'node:fs/promises';
import { homedir, hostname, userInfo } from 'node:os';
import { ConfigError } from '../errors.js';
import { dumpConfig } from './ssh-config-dump.js';
import { lexLine } from './ssh-config-lexer.js';
import type { LocalContext } from './ssh-config-match.js';
import { toSshOptions, type TypedConfig } from './ssh-config-options.js';
import { resolveSshConfig, type CliItem, type ResolvedConfig } from './ssh-config-resolve.js';
import type { SshOptions } from './ssh-options.js';

/**
 * The local side as ssh sees it. A `home` other than the process's (the app's service run for
 * another home) is also the environment's HOME, which `~` and relative Include paths go by.
 */
export function localContext(userName?: string, home?: string): LocalContext {
  const u = userInfo();
  return {
    userName: userName ?? u.username,
    uid: u.uid,
    home: home ?? homedir(),
    localHost: hostname(),
    env: home === undefined ? process.env : { ...process.env, HOME: home },
  };
}

export interface HostResolution extends TypedConfig {
  readonly resolved: ResolvedConfig;
  /** `ssh -G` lines. */
  readonly dump: string[];
}

export interface Destination {
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
}

/**
 * Resolves `destination` with the command line's options (`o.commandLine`, in order; the
 * destination's own user and port first unless the parser placed them) and the config file
 * (-F; undefined: ~/.ssh/config, then /etc/ssh/ssh_config).
 */
export async function resolveDestination(
  o: SshOptions,
  destination: Destination,
  configFile: string | undefined,
  local: LocalContext = localContext(),
  hasCommand = false,
): Promise<HostResolution> {
  const hasDest = o.commandLine.some((i) => 'dest' in i);
  const dest: CliItem = {
    dest: {
      ...(destination.user !== undefined ? { user: destination.user } : {}),
      ...(destination.port !== undefined ? { port: destination.port } : {}),
    },
  };
  const resolved = await resolveSshConfig({
    hostArg: destination.host,
    commandLine: hasDest ? o.commandLine : [dest, ...o.commandLine],
    ...(configFile !== undefined ? { configFile } : {}),
    local,
    hasCommand,
  });
  const dump = dumpConfig(resolved);
  return { resolved, dump, ...toSshOptions(resolved, local.home, local.env, dump) };
}

/**
 * The names a config file's `Host` lines give without wildcards or negation, in file order,
 * each once: what a host list can offer to connect to. A missing file names none; a malformed
 * line is a ConfigError naming the file and line.
 */
export async function hostAliases(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError(`${file}: ${(e as Error).message}`, { file });
  }
  const aliases: string[] = [];
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const l = lexLine(raw, `${file} line ${i + 1}`);
    if (l?.keyword !== 'host') continue;
    for (const p of l.args) if (!/[*?!]/.test(p) && !aliases.includes(p)) aliases.push(p);
  }
  return aliases;
}
