/**
 * The route part of a target's connect() options (ssh(1) -J, ssh_config(5) ProxyJump and
 * ProxyCommand), for every front end (target-options.ts). Each jump host is resolved as
 * `ssh -W` would be for it when OpenSSH turns -J into a ProxyCommand: its own user and port
 * from the -J entry, then its own Host blocks of the same config file; options given on the
 * command line do not apply to it. One exception, so that keepalive covers every hop as the
 * service's tunnels need: a jump host with no ServerAliveInterval / ServerAliveCountMax of its
 * own takes the target's. Only the first jump host keeps a ProxyJump or ProxyCommand of its own
 * (the chain replaces the others'), and a chain that keeps growing (a ProxyJump loop) is an
 * error.
 */
import type { ConnectOptions } from './connect.js';
import { MAX_HOPS } from './route.js';
import { parseJumpSpec, type JumpHostSpec } from '../config/jump-spec.js';
import type { SshOptions } from '../config/ssh-options.js';
import { ConfigError } from '../errors.js';

/** Where a jump host sits in the chain given for one target (1: nearest this client). */
export interface JumpPosition {
  readonly position: number;
  readonly of: number;
}

/** What routeOptions needs from its caller (passed in, so the modules do not import each other). */
export interface HopResolver<T extends { readonly options: SshOptions }> {
  /** A jump host's target: its -J entry, then the config file for its name. */
  resolve(spec: JumpHostSpec, from: T): Promise<T>;
  /** connect()'s options for a jump host; `depth` null: without its own route. */
  build(target: T, depth: number | null, hop: JumpPosition): Promise<ConnectOptions>;
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
      const hop = await hops.resolve(spec, t);
      inheritKeepalive(hop.options, o);
      const at = { position: i + 1, of: specs.length };
      jump.push(await hops.build(hop, i === 0 ? depth + specs.length : null, at));
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
