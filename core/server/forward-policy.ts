/**
 * Who may forward what (sshd(8) / sshd_config(5)): AllowTcpForwarding, GatewayPorts, and the
 * authorized_keys restrictions no-port-forwarding, permitopen= and permitlisten=, decided as
 * sshd decides them.
 *
 * - direct-tcpip (ssh -L) needs AllowTcpForwarding yes or local and no no-port-forwarding; with
 *   permitopen= lines the target must match one: the port exactly or `*`, the host exactly as
 *   written (no name lookup, no patterns) or `*`.
 * - tcpip-forward (ssh -R) needs AllowTcpForwarding yes or remote and no no-port-forwarding;
 *   with permitlisten= lines the request must match one: the port exactly or `*`, the bind
 *   address (lowercased) against the host as a glob (a bare-port permitlisten has host `*`).
 *   The check is on the address as the client asked for it, before GatewayPorts rewrites it.
 * - Where a listener binds (bindTargets): with GatewayPorts off, 127.0.0.1 or ::1 when asked for
 *   exactly, the loopback addresses for anything else; with it on, the address the client asked
 *   for ("" and "*" every address, "localhost" the loopbacks).
 * - direct-streamlocal@openssh.com (ssh -L to a Unix socket) needs AllowStreamLocalForwarding yes
 *   or local and no no-port-forwarding; with permitopen= lines one must allow any host and any
 *   port (permitopen="*:*"), since sshd matches the path as a host with no port.
 * - streamlocal-forward@openssh.com (ssh -R with a socket path) needs AllowStreamLocalForwarding
 *   yes or remote and no no-port-forwarding; permitlisten= does not apply to paths (sshd's
 *   remote_open_match lets every path through).
 * Every denial is a sentence the client is shown (the open failure's description) and the log.
 */
import { isIP } from 'node:net';
import { asciiLower, matchPattern } from '../hosts/patterns.js';
import type { PermitHostPort } from './key-options.js';

/** sshd_config AllowTcpForwarding: local allows direct-tcpip only, remote tcpip-forward only. */
export type AllowTcpForwarding = 'yes' | 'no' | 'local' | 'remote';

export interface ForwardingPolicy {
  readonly allowTcpForwarding: AllowTcpForwarding;
  /** sshd's GatewayPorts: false binds remote listeners to loopback whatever the client asks. */
  readonly gatewayPorts: boolean;
  /** False for authorized_keys no-port-forwarding (and restrict). */
  readonly portForwarding: boolean;
  /** authorized_keys permitopen=; empty: any destination. */
  readonly permitOpen: readonly PermitHostPort[];
  /** authorized_keys permitlisten=; empty: any listener. */
  readonly permitListen: readonly PermitHostPort[];
  /** The SSH client's address and port, for the log. */
  readonly clientAddress: string;
  readonly clientPort: number;
  /** How long a direct-tcpip connect may take. Default 20 s. */
  readonly connectTimeoutMs?: number;
  /** tcpip-forward listeners one connection may hold at once (and as many Unix). Default 64. */
  readonly maxListeners?: number;
  /** sshd_config AllowStreamLocalForwarding, the same four values. Default yes. */
  readonly allowStreamLocalForwarding?: AllowTcpForwarding;
  /** StreamLocalBindMask: the umask a Unix listener is made under. Default 0177 (mode 0600). */
  readonly streamLocalBindMask?: number;
  /** StreamLocalBindUnlink: remove an existing socket file at the path first. Default no. */
  readonly streamLocalBindUnlink?: boolean;
}

/** One address a remote-forward listener binds. */
export interface BindTarget {
  readonly host: string;
  /** For "::": accept IPv6 only, beside a separate 0.0.0.0 listener. */
  readonly ipv6Only: boolean;
}

const LOOPBACK: readonly BindTarget[] = [
  { host: '127.0.0.1', ipv6Only: false },
  { host: '::1', ipv6Only: false },
];

const EVERY_ADDRESS: readonly BindTarget[] = [
  { host: '0.0.0.0', ipv6Only: false },
  { host: '::', ipv6Only: true },
];

function portMatches(allowed: number | '*', port: number): boolean {
  return allowed === '*' || allowed === port;
}

/** null when the client may open direct-tcpip to host:port; otherwise why not. */
export function checkDirect(policy: ForwardingPolicy, host: string, port: number): string | null {
  const allow = policy.allowTcpForwarding;
  if (allow === 'no') return 'TCP forwarding is disabled on this server';
  if (allow === 'remote') return 'local port forwarding (direct-tcpip) is disabled on this server';
  if (!policy.portForwarding)
    return 'port forwarding is disabled for this key (no-port-forwarding)';
  if (policy.permitOpen.length === 0) return null;
  const ok = policy.permitOpen.some(
    (p) => portMatches(p.port, port) && (p.host === '*' || p.host === host),
  );
  return ok ? null : `connecting to ${host} port ${port} is not permitted by this key (permitopen)`;
}

/** null when the client may ask for a listener on bindAddress:port; otherwise why not. */
export function checkListen(
  policy: ForwardingPolicy,
  bindAddress: string,
  port: number,
): string | null {
  const allow = policy.allowTcpForwarding;
  if (allow === 'no') return 'TCP forwarding is disabled on this server';
  if (allow === 'local') return 'remote port forwarding (tcpip-forward) is disabled on this server';
  if (!policy.portForwarding)
    return 'port forwarding is disabled for this key (no-port-forwarding)';
  if (policy.permitListen.length === 0) return null;
  const address = asciiLower(bindAddress);
  const ok = policy.permitListen.some(
    (p) => portMatches(p.port, port) && matchPattern(address, asciiLower(p.host)),
  );
  return ok
    ? null
    : `listening on "${bindAddress}" port ${port} is not permitted by this key (permitlisten)`;
}

/**
 * The addresses a listener for the client's bind address binds, or 'lookup' for a host name
 * to resolve first (GatewayPorts on only). The loopback pair and the every-address pair share
 * one port; the listener succeeds when at least one of them binds, as sshd's does.
 */
export function bindTargets(
  bindAddress: string,
  gatewayPorts: boolean,
): readonly BindTarget[] | 'lookup' {
  const exactLoopback = bindAddress === '127.0.0.1' || bindAddress === '::1';
  if (!gatewayPorts) {
    return exactLoopback ? [{ host: bindAddress, ipv6Only: false }] : LOOPBACK;
  }
  if (bindAddress === '' || bindAddress === '*') return EVERY_ADDRESS;
  if (asciiLower(bindAddress) === 'localhost') return LOOPBACK;
  const family = isIP(bindAddress);
  if (family === 0) return 'lookup';
  return [{ host: bindAddress, ipv6Only: family === 6 }];
}

/** AllowStreamLocalForwarding and no-port-forwarding for one direction; null when allowed. */
function streamLocalDenial(policy: ForwardingPolicy, direction: 'local' | 'remote'): string | null {
  const allow = policy.allowStreamLocalForwarding ?? 'yes';
  if (allow === 'no') return 'Unix socket forwarding is disabled on this server';
  if (allow !== 'yes' && allow !== direction) {
    return direction === 'local'
      ? 'local Unix socket forwarding (direct-streamlocal) is disabled on this server'
      : 'remote Unix socket forwarding (streamlocal-forward) is disabled on this server';
  }
  if (!policy.portForwarding)
    return 'port forwarding is disabled for this key (no-port-forwarding)';
  return null;
}

/** null when the client may open direct-streamlocal@openssh.com to path; otherwise why not. */
export function checkDirectStreamlocal(policy: ForwardingPolicy, path: string): string | null {
  const denial = streamLocalDenial(policy, 'local');
  if (denial !== null || policy.permitOpen.length === 0) return denial;
  const ok = policy.permitOpen.some((p) => p.port === '*' && (p.host === '*' || p.host === path));
  return ok ? null : `connecting to ${path} is not permitted by this key (permitopen)`;
}

/** null when the client may ask for a Unix socket listener; otherwise why not. */
export function checkStreamlocalListen(policy: ForwardingPolicy): string | null {
  return streamLocalDenial(policy, 'remote');
}
