/**
 * The command-line tools' ssh_config step: the local user and machine as OpenSSH sees them,
 * the resolver run for one destination with the options given on the command line, and its
 * result both as `ssh -G` lines and as the typed options the tools act on.
 */
import { homedir, hostname, userInfo } from 'node:os';
import { dumpConfig } from '../config/ssh-config-dump.js';
import type { LocalContext } from '../config/ssh-config-match.js';
import { toSshOptions, type TypedConfig } from '../config/ssh-config-options.js';
import {
  resolveSshConfig,
  type CliItem,
  type ResolvedConfig,
} from '../config/ssh-config-resolve.js';
import type { SshOptions } from '../config/ssh-options.js';

export function localContext(): LocalContext {
  const u = userInfo();
  return {
    userName: u.username,
    uid: u.uid,
    home: homedir(),
    localHost: hostname(),
    env: process.env,
  };
}

export interface CliResolution extends TypedConfig {
  readonly resolved: ResolvedConfig;
  /** `ssh -G` lines. */
  readonly dump: string[];
}

/**
 * Resolves `destination` with the command line's options (`o.commandLine`, in order; the
 * destination's own user and port first unless the parser placed them) and the config file.
 */
export async function resolveForCli(
  o: SshOptions,
  destination: { readonly user?: string; readonly host: string; readonly port?: number },
  configFile: string | undefined,
  local: LocalContext = localContext(),
  hasCommand = false,
): Promise<CliResolution> {
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
