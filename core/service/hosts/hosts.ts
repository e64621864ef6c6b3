/**
 * Hosts as the sidebar shows them, and what a connect target resolves to: saved profiles
 * (profiles-store.ts), read-only `Host` aliases of ~/.ssh/config (ssh-config-source.ts) and
 * quick-connect text (quick-connect.ts). A target resolves as ssh(1) resolves a destination:
 * the ssh_config options for the name as typed, with the profile's or the typed user, port,
 * identity files and jump hosts winning, and HostName replacing the name; a profile's tunnels
 * come with it.
 */
import { userInfo } from 'node:os';
import type { HostList, SshConfigHost } from '../api/contract.js';
import type { Target } from '../api/schemas.js';
import type { SshOptions } from '../../config/ssh-options.js';
import type { ConnectTarget } from '../../client/target-options.js';
import type { ForwardSpec } from '../../config/forward-spec.js';
import type { JumpHostSpec } from '../../config/jump-spec.js';
import { NotFoundError } from '../errors.js';
import { ProfilesStore } from './profiles-store.js';
import { parseTunnelFlag } from '../tunnels/tunnel-spec.js';
import { parseQuickConnect } from './quick-connect.js';
import { loadSshConfig } from './ssh-config-source.js';

export interface ResolvedTarget extends ConnectTarget {
  /** What is connected to (HostName applied). */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** ssh_config options for the name as typed, with the target's own values first. */
  readonly options: SshOptions;
  /** The name as typed or saved (before HostName). */
  readonly alias: string;
  /**
   * Connections to the same key share one SSH connection: user@host:port and the jump hosts,
   * what OpenSSH's %C (its ControlPath default) hashes, so another route is another connection.
   */
  readonly key: string;
  readonly label: string;
  /** A saved host's tunnels, set up when it connects; [] for other targets. */
  readonly tunnels: readonly ForwardSpec[];
}

export class Hosts {
  readonly profiles: ProfilesStore;

  constructor(
    profilesFile: string,
    private readonly sshConfigFile: string,
    private readonly defaultUser: string = userInfo().username,
    /** The home directory of `~` and of relative Include paths; the process's by default. */
    private readonly home?: string,
  ) {
    this.profiles = new ProfilesStore(profilesFile);
  }

  async list(): Promise<HostList> {
    const { profiles, problems } = await this.profiles.list();
    const sshConfig: SshConfigHost[] = [];
    const more: string[] = [];
    try {
      const config = await loadSshConfig(this.sshConfigFile, this.defaultUser, this.home);
      for (const alias of config.aliases) {
        try {
          const o = await config.optionsFor({ host: alias });
          sshConfig.push({
            alias,
            hostName: o.hostName ?? alias,
            port: o.port ?? 22,
            user: o.user ?? this.defaultUser,
          });
        } catch (e) {
          more.push(`${alias}: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      more.push((e as Error).message);
    }
    return { profiles, sshConfig, problems: [...problems, ...more] };
  }

  async resolve(target: Target): Promise<ResolvedTarget> {
    const config = await loadSshConfig(this.sshConfigFile, this.defaultUser, this.home);
    let name: string;
    let user: string | undefined;
    let port: number | undefined;
    let identityFiles: readonly string[] = [];
    let proxyJump: string | undefined;
    let tunnels: readonly ForwardSpec[] = [];
    if (target.kind === 'profile') {
      const p = await this.profiles.get(target.id);
      ({ host: name, user, port, proxyJump } = p);
      tunnels = (p.tunnels ?? []).map((t) => parseTunnelFlag(t));
      identityFiles = p.identityFiles ?? [];
    } else if (target.kind === 'sshConfig') {
      if (!config.aliases.includes(target.alias))
        throw new NotFoundError('ssh_config host', target.alias);
      name = target.alias;
    } else {
      ({ host: name, user, port } = parseQuickConnect(target.text));
    }
    const options = await config.optionsFor({
      host: name,
      ...(user !== undefined ? { user } : {}),
      ...(port !== undefined ? { port } : {}),
    });
    // the profile's identity files come first, as -i files come before the config's
    options.identityFiles.unshift(...identityFiles);
    // and its jump hosts win over the config's ProxyJump or ProxyCommand, as -J does
    if (proxyJump !== undefined) {
      options.proxyJump = proxyJump;
      delete options.proxyCommand;
    }
    const host = options.hostName ?? name;
    const finalPort = port ?? options.port ?? 22;
    const finalUser = user ?? options.user ?? this.defaultUser;
    const label = `${finalUser}@${host}${finalPort === 22 ? '' : `:${finalPort}`}`;
    const jumps = options.proxyJump;
    const jump = jumps === undefined || jumps.toLowerCase() === 'none' ? null : jumps;
    return {
      host,
      port: finalPort,
      user: finalUser,
      alias: name,
      options,
      key: `${finalUser}@${host}:${finalPort}${jump === null ? '' : ` via ${jump}`}`,
      label,
      tunnels,
    };
  }

  /** A jump host on the way to a target: its -J entry, then ~/.ssh/config for its name. */
  async resolveHop(spec: JumpHostSpec): Promise<ConnectTarget> {
    const config = await loadSshConfig(this.sshConfigFile, this.defaultUser, this.home);
    return config.target(spec);
  }
}
