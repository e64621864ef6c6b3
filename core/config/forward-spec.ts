/**
 * Port-forwarding specifications as ssh(1) and ssh_config(5) write them (OpenSSH readconf.c
 * parse_forward): -L / LocalForward, -R / RemoteForward and -D / DynamicForward.
 *
 *   -L [bind_address:]port:host:hostport     -L [bind_address:]port:/remote/socket
 *   -L /local/socket:host:hostport           -L /local/socket:/remote/socket
 *   -R [bind_address:]port:host:hostport     -R [bind_address:]port:/local/socket
 *   -R /remote/socket:host:hostport          -R /remote/socket:/local/socket
 *   -R [bind_address:]port                   (no target: the client is a SOCKS proxy)
 *   -R /remote/socket                        (the same, the server listening on a socket)
 *   -D [bind_address:]port
 *
 * Fields are split at ':'; a field in [brackets] is taken literally (IPv6 addresses), a
 * backslash escapes the next character, and a field with a '/' is a Unix socket path. A
 * bind address of "" or "*" means every address, "localhost" the loopback addresses; with no
 * bind address GatewayPorts decides (forward-listen.ts). Ports are 1–65535 or a tcp service
 * name (port-name.ts), and 0 (the server picks one) for -R only. A bad specification is a
 * ConfigError naming it, worded as ssh words it: "Bad local forwarding specification '…'".
 */
import { ConfigError } from '../errors.js';
import { a2port } from './port-name.js';

/** Longest host name a specification may carry (OpenSSH: NI_MAXHOST − 1). */
export const MAX_SPEC_HOST = 1024;
/** Longest Unix socket path (sun_path is 108 bytes on Linux, with its NUL). */
export const MAX_SOCKET_PATH = 107;

/** Where a forward listens or connects: a TCP host and port, or a Unix socket path. */
export type Endpoint =
  | { readonly kind: 'tcp'; readonly host: string | null; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

export interface LocalForwardSpec {
  readonly type: 'local';
  /** tcp host null: no bind address was given (GatewayPorts decides). */
  readonly listen: Endpoint;
  /** The target, reached from the server (host non-null). */
  readonly connect: Endpoint;
}

export interface RemoteForwardSpec {
  readonly type: 'remote';
  /** Where the server listens: tcp (host null: no bind address was given) or a socket path. */
  readonly listen: Endpoint;
  /** The local target, or null for a remote SOCKS proxy (OpenSSH 7.6+). */
  readonly connect: Endpoint | null;
}

export interface DynamicForwardSpec {
  readonly type: 'dynamic';
  readonly listen: Endpoint;
}

export type ForwardSpec = LocalForwardSpec | RemoteForwardSpec | DynamicForwardSpec;

/** One field of a specification: its text, and whether it names a Unix socket. */
export interface ForwardField {
  readonly arg: string;
  readonly isPath: boolean;
}

/**
 * Splits a specification into its one to four fields as readconf.c parse_fwd_field does;
 * null when it is malformed. ssh_config's LocalForward and RemoteForward read theirs here too.
 */
export function forwardFields(spec: string): ForwardField[] | null {
  const fields: ForwardField[] = [];
  // as ssh: leading blanks skipped; a trailing ':' ends the last field without adding one
  let i = spec.length - spec.trimStart().length;
  if (i >= spec.length) return null;
  while (i < spec.length) {
    if (spec[i] === '[') {
      const close = spec.indexOf(']', i + 1);
      if (close < 0) return null;
      const after = spec[close + 1];
      if (after !== undefined && after !== ':') return null;
      const arg = spec.slice(i + 1, close);
      fields.push({ arg, isPath: arg.includes('/') });
      i = close + 1;
      if (after === ':') i++;
      continue;
    }
    let arg = '';
    let isPath = false;
    for (; i < spec.length; i++) {
      const c = spec[i] ?? '';
      if (c === '\\') {
        i++;
        if (i >= spec.length) return null;
        arg += spec[i] ?? '';
        continue;
      }
      if (c === '/') isPath = true;
      if (c === ':') {
        i++;
        break;
      }
      arg += c;
    }
    fields.push({ arg, isPath });
    if (fields.length > 4) return null;
  }
  return fields.length > 4 ? null : fields;
}

/** a2port: a decimal port 0–65535 or a tcp service name, as ssh reads it; else -1. */
function toPort(text: string): number {
  return a2port(text) ?? -1;
}

function tcp(host: string | null, port: string): Endpoint & { kind: 'tcp' } {
  return { kind: 'tcp', host, port: toPort(port) };
}

function unix(path: string): Endpoint {
  return { kind: 'unix', path };
}

function valid(e: Endpoint, portZeroOk: boolean, needHost: boolean): boolean {
  if (e.kind === 'unix') return e.path.length > 0 && e.path.length <= MAX_SOCKET_PATH;
  if (e.port < 0 || (e.port === 0 && !portZeroOk)) return false;
  if (needHost && (e.host === null || e.host === '')) return false;
  return e.host === null || e.host.length <= MAX_SPEC_HOST;
}

function bad(kind: string, spec: string): ConfigError {
  return new ConfigError(`Bad ${kind} forwarding specification '${spec}'`, { spec });
}

/** -L / LocalForward. */
export function parseLocalForward(spec: string): LocalForwardSpec {
  const f = forwardFields(spec);
  const err = bad('local', spec);
  if (!f) throw err;
  const [a, b, c, d] = f;
  let listen: Endpoint;
  let connect: Endpoint;
  if (f.length === 2 && a && b && a.isPath && b.isPath) {
    listen = unix(a.arg);
    connect = unix(b.arg);
  } else if (f.length === 2 && a && b && b.isPath) {
    listen = tcp(null, a.arg);
    connect = unix(b.arg);
  } else if (f.length === 3 && a && b && c) {
    if (a.isPath) [listen, connect] = [unix(a.arg), tcp(b.arg, c.arg)];
    else if (c.isPath) [listen, connect] = [tcp(a.arg, b.arg), unix(c.arg)];
    else [listen, connect] = [tcp(null, a.arg), tcp(b.arg, c.arg)];
  } else if (f.length === 4 && a && b && c && d) {
    [listen, connect] = [tcp(a.arg, b.arg), tcp(c.arg, d.arg)];
  } else {
    throw err;
  }
  if (!valid(listen, false, false) || !valid(connect, false, true)) throw err;
  return { type: 'local', listen, connect };
}

/** -R / RemoteForward; with no target, a remote SOCKS proxy. */
export function parseRemoteForward(spec: string): RemoteForwardSpec {
  const f = forwardFields(spec);
  const err = bad('remote', spec);
  if (!f) throw err;
  const [a, b, c, d] = f;
  let listen: Endpoint;
  let connect: Endpoint | null;
  if (f.length === 1 && a) [listen, connect] = [a.isPath ? unix(a.arg) : tcp(null, a.arg), null];
  else if (f.length === 2 && a && b && a.isPath && b.isPath)
    [listen, connect] = [unix(a.arg), unix(b.arg)];
  else if (f.length === 3 && a && b && c && a.isPath) {
    if (c.isPath) throw err; // ssh reads the third field as a port
    [listen, connect] = [unix(a.arg), tcp(b.arg, c.arg)];
  } else if (f.length === 2 && a && b && b.isPath)
    [listen, connect] = [tcp(null, a.arg), unix(b.arg)];
  else if (f.length === 2 && a && b) [listen, connect] = [tcp(a.arg, b.arg), null];
  else if (f.length === 3 && a && b && c) {
    if (c.isPath) [listen, connect] = [tcp(a.arg, b.arg), unix(c.arg)];
    else [listen, connect] = [tcp(null, a.arg), tcp(b.arg, c.arg)];
  } else if (f.length === 4 && a && b && c && d) {
    [listen, connect] = [tcp(a.arg, b.arg), tcp(c.arg, d.arg)];
  } else {
    throw err;
  }
  if (!valid(listen, true, false) || (connect && !valid(connect, false, true))) throw err;
  return { type: 'remote', listen, connect };
}

/** -D / DynamicForward. */
export function parseDynamicForward(spec: string): DynamicForwardSpec {
  const f = forwardFields(spec);
  const err = bad('dynamic', spec);
  if (!f) throw err;
  const [a, b] = f;
  let listen: Endpoint;
  if (f.length === 1 && a) listen = a.isPath ? unix(a.arg) : tcp(null, a.arg);
  else if (f.length === 2 && a && b && !b.isPath) listen = tcp(a.arg, b.arg);
  else throw err;
  if (!valid(listen, false, false)) throw err;
  return { type: 'dynamic', listen };
}

/** An endpoint as ssh prints it: host:port, [v6]:port, or the path. */
export function describeEndpoint(e: Endpoint): string {
  if (e.kind === 'unix') return e.path;
  const host = e.host === null ? 'localhost' : e.host.includes(':') ? `[${e.host}]` : e.host;
  return `${host}:${e.port}`;
}
