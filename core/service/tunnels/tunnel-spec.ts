/**
 * Tunnels as the contract writes them (TunnelSpec) and as the core's forwards take them
 * (ForwardSpec), both ways; and a saved host's tunnels, written as ssh's flags are
 * (`-L 8080:db:5432`), read into either.
 */
import {
  describeEndpoint,
  parseDynamicForward,
  parseLocalForward,
  parseRemoteForward,
  type Endpoint,
  type ForwardSpec,
} from '../../config/forward-spec.js';
import { ConfigError } from '../../errors.js';
import { tunnelSpecSchema, type TunnelSpec } from '../api/schemas.js';

/** The core's ForwardSpec for the contract's TunnelSpec. */
export function toForwardSpec(spec: TunnelSpec): ForwardSpec {
  const listen = { kind: 'tcp' as const, host: spec.listen.host ?? null, port: spec.listen.port };
  const target = (c: { host: string; port: number } | { path: string }): Endpoint =>
    'path' in c ? { kind: 'unix', path: c.path } : { kind: 'tcp', host: c.host, port: c.port };
  if (spec.type === 'dynamic') return { type: 'dynamic', listen };
  if (spec.type === 'local') return { type: 'local', listen, connect: target(spec.connect) };
  return { type: 'remote', listen, connect: spec.connect ? target(spec.connect) : null };
}

/**
 * The contract's TunnelSpec for a core ForwardSpec (ssh_config's), or null where none fits: a
 * Unix socket listener, or values the contract refuses.
 */
export function fromForwardSpec(f: ForwardSpec): TunnelSpec | null {
  if (f.listen.kind !== 'tcp') return null;
  const { host, port } = f.listen;
  const listen = host === null ? { port } : { host, port };
  const target = (e: Endpoint) =>
    e.kind === 'unix' ? { path: e.path } : { host: e.host ?? 'localhost', port: e.port };
  const spec: unknown =
    f.type === 'dynamic'
      ? { type: 'dynamic', listen }
      : f.type === 'local'
        ? { type: 'local', listen, connect: target(f.connect) }
        : { type: 'remote', listen, connect: f.connect === null ? null : target(f.connect) };
  const r = tunnelSpecSchema.safeParse(spec);
  return r.success ? r.data : null;
}

/**
 * One of a saved host's tunnels: `-L spec`, `-R spec` or `-D spec` as ssh(1) takes them (the
 * spec may follow the flag directly, as in `-L8080:h:80`). ConfigError, worded as ssh words it,
 * for a bad one, or for one the app's tunnels cannot be: a Unix socket listener.
 */
export function parseTunnelFlag(text: string): ForwardSpec {
  const m = /^\s*-([LRD])\s*(\S.*?)\s*$/.exec(text);
  if (!m) throw new ConfigError(`'${text}' is not -L, -R or -D and a specification`, { text });
  const spec = m[2] ?? '';
  const f =
    m[1] === 'L'
      ? parseLocalForward(spec)
      : m[1] === 'R'
        ? parseRemoteForward(spec)
        : parseDynamicForward(spec);
  if (fromForwardSpec(f) === null) {
    throw new ConfigError(`'${text}': the app's tunnels listen on TCP ports, not sockets`, {
      text,
    });
  }
  return f;
}

/**
 * A tunnel as a saved host keeps it, ssh's flag and specification: `-L 8080:db:5432`,
 * `-R 127.0.0.1:0:localhost:22`, `-L 9000:/run/app.sock`, `-R 1080` (a remote SOCKS proxy),
 * `-D [::1]:1080`. parseTunnelFlag reads it back to the same tunnel: a listener without a
 * host is the bare port (describeEndpoint would write localhost, which reads back as one).
 */
export function tunnelFlag(spec: TunnelSpec): string {
  const f = toForwardSpec(spec);
  const l = f.listen;
  const listen = l.kind === 'tcp' && l.host === null ? String(l.port) : describeEndpoint(l);
  if (f.type === 'dynamic') return `-D ${listen}`;
  const flag = `${f.type === 'local' ? '-L' : '-R'} ${listen}`;
  return f.connect === null ? flag : `${flag}:${describeEndpoint(f.connect)}`;
}

/** Whether a saved host's tunnel line (parseTunnelFlag's) is this tunnel; false if it is bad. */
export function isTunnelFlagOf(line: string, spec: TunnelSpec): boolean {
  try {
    const read = fromForwardSpec(parseTunnelFlag(line));
    return (
      read !== null && JSON.stringify(read) === JSON.stringify(fromForwardSpec(toForwardSpec(spec)))
    );
  } catch (e) {
    if (e instanceof ConfigError) return false;
    throw e;
  }
}
