/**
 * The service's one window onto ~/.ssh/config (ssh_config(5)): which `Host` aliases to list
 * and what options apply to a destination, resolved by core/config as `ssh -F file` would
 * (Host and Match blocks, Include, tokens, first value wins). Everything the service knows
 * about ssh_config goes through here.
 */
import { existsSync } from 'node:fs';
import {
  hostAliases,
  localContext,
  resolveDestination,
  type Destination,
} from '../../config/ssh-config-host.js';
import { emptyOptions, type SshOptions } from '../../config/ssh-options.js';
import type { ConnectTarget } from '../../client/target-options.js';

export interface SshConfigFile {
  readonly aliases: readonly string[];
  /**
   * The options for a destination (host as typed, with the user and port given for it), first
   * value wins; hostName, user and port always resolved. ConfigError for a bad value.
   */
  optionsFor(destination: Destination): Promise<SshOptions>;
  /** The destination resolved whole (host with HostName applied, port, user): a jump host. */
  target(destination: Destination): Promise<ConnectTarget>;
}

/**
 * Reads `file`; a missing file names no aliases and gives OpenSSH's defaults. `home` is the
 * home directory `~` and relative Include paths (~/.ssh/…) stand for.
 */
export async function loadSshConfig(
  file: string,
  defaultUser?: string,
  home?: string,
): Promise<SshConfigFile> {
  const aliases = await hostAliases(file);
  const local = localContext(defaultUser, home);
  // read as `ssh -F file` reads it; no file at all is the same as an empty one
  const source = existsSync(file) ? file : 'none';
  return {
    aliases,
    optionsFor: async (destination) =>
      (await resolveDestination(emptyOptions(), destination, source, local)).options,
    target: async (destination) => {
      const r = await resolveDestination(emptyOptions(), destination, source, local);
      const { host, port, user } = r.resolved;
      return { options: r.options, host, port, user, alias: destination.host };
    },
  };
}
