/**
 * The route part of a command-line target (ssh(1) -J, ssh_config(5) ProxyJump and
 * ProxyCommand), as connect() takes it. Each jump host is resolved as `ssh -W` would be for it
 * when OpenSSH turns -J into a ProxyCommand: its own user and port from the -J entry, then its
 * own Host blocks of the same config file (-F or ~/.ssh/config); options given on the command
 * line do not apply to it. One exception, so that keepalive covers every hop as the service's
 * tunnels need: a jump host with no ServerAliveInterval / ServerAliveCountMax of its own takes
 * the target's. Only the first jump host keeps a ProxyJump or ProxyCommand of its own (the
 * chain replaces the others'), and a chain that keeps growing (a ProxyJump loop) is an error.
 */
import type { ConnectOptions } from '../client/connect.js';
import { MAX_HOPS } from '../client/route.js';
import { parseJumpSpec, type JumpHostSpec } from '../config/jump-spec.js';
import { emptyOptions, type SshOptions } from '../config/ssh-options.js';
import { ConfigError } from '../errors.js';

/** What routeOptions needs from ssh-connect.ts (passed in, so the modules do not import each other). */
export interface HopResolver<T extends { readonly options: SshOptions }> {
  /** A jump host's target: its entry, then the config file for its name. */
  resolve(options: SshOptions, spec: JumpHostSpec): Promise<T>;
  /** connect()'s options for a target; `depth` null: without its own route. */
  build(target: T, depth: number | null): Promise<ConnectOptions>;
}

export async function routeOptions<
  T extends { readonly options: SshOptions; readonly alias: string },
>(
  t: T,
  depth: number,
  hops: HopResolver<T>,
): Promise<Pick<ConnectOptions, 'jump' | 'proxyCommand' | 'hostAlias'>> {
  const o = t.options;
  if (o.proxyJump !== undefined && o.proxyJump.toLowerCase() !== 'none') {
    const specs = parseJumpSpec(o.proxyJump);
    if (depth + specs.length > MAX_HOPS) {
      throw new ConfigError(
        `more than ${MAX_HOPS} jump hosts to reach ${t.alias} (a ProxyJump loop in the config?)`,
      );
    }
    const jump: ConnectOptions[] = [];
    for (const [i, spec] of specs.entries()) {
      const hop = await hops.resolve(emptyOptions(), spec);
      inheritKeepalive(hop.options, o);
      jump.push(await hops.build(hop, i === 0 ? depth + specs.length : null));
    }
    return { jump };
  }
  if (o.proxyCommand !== undefined && o.proxyCommand.toLowerCase() !== 'none') {
    return { proxyCommand: o.proxyCommand, hostAlias: t.alias };
  }
  return {};
}

function inheritKeepalive(hop: SshOptions, target: SshOptions): void {
  if (hop.serverAliveInterval === undefined && target.serverAliveInterval !== undefined) {
    hop.serverAliveInterval = target.serverAliveInterval;
  }
  if (hop.serverAliveCountMax === undefined && target.serverAliveCountMax !== undefined) {
    hop.serverAliveCountMax = target.serverAliveCountMax;
  }
}
