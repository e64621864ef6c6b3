/**
 * The ProxyJump / -J value (ssh_config(5), ssh(1) -J): `none`, or comma-separated jump hosts,
 * each `[user@]host[:port]` (an IPv6 address in brackets) or `ssh://[user@]host[:port]`, the
 * one to connect to first leftmost. A malformed entry is a ConfigError naming it.
 */
import { ConfigError } from '../errors.js';

export interface JumpHostSpec {
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
}

function port(text: string, entry: string, where: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new ConfigError(`${where}: bad port in jump host "${entry}"`);
  return n;
}

function parseEntry(entry: string, where: string): JumpHostSpec {
  let rest = entry;
  if (rest.startsWith('ssh://')) rest = rest.slice(6).replace(/\/$/, '');
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : undefined;
  const hostPort = at >= 0 ? rest.slice(at + 1) : rest;
  let host: string;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(hostPort);
  if (bracket) {
    host = bracket[1] ?? '';
    portText = bracket[2];
  } else {
    const colon = hostPort.indexOf(':');
    if (colon >= 0 && hostPort.indexOf(':', colon + 1) >= 0) {
      host = hostPort; // a bare IPv6 address: no port
    } else {
      host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
      portText = colon >= 0 ? hostPort.slice(colon + 1) : undefined;
    }
  }
  if (host === '' || user === '' || /[\s/@,]/.test(host) || /[\s:]/.test(user ?? '')) {
    throw new ConfigError(`${where}: bad jump host "${entry}"`);
  }
  const p = portText === undefined ? undefined : port(portText, entry, where);
  return { ...(user !== undefined ? { user } : {}), host, ...(p !== undefined ? { port: p } : {}) };
}

/** The jump hosts in connection order; [] for `none`. */
export function parseJumpSpec(text: string, where = 'ProxyJump'): JumpHostSpec[] {
  const t = text.trim();
  if (t.toLowerCase() === 'none') return [];
  if (t === '') throw new ConfigError(`${where}: no jump host given`);
  return t.split(',').map((e) => parseEntry(e.trim(), where));
}
