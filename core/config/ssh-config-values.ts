/**
 * Value syntaxes of ssh_config(5), as OpenSSH 9.2's misc.c and readconf.c read them: times
 * (convtime), sizes (scan_scaled), tunnel ids (a2tun), IPQoS names, escape characters, port-forward specifications (parse_forward),
 * ProxyJump lists (parse_jump), domain names (valid_domain), log levels and facilities.
 * Each returns undefined (or throws ConfigError where noted) for bad input.
 */
import { forwardFields, MAX_SOCKET_PATH, MAX_SPEC_HOST } from './forward-spec.js';
import { a2port } from './port-name.js';

const INT_MAX = 2 ** 31 - 1;

/** misc.c convtime: `90`, `1h30m`, `2d`, `1w`; undefined when invalid. */
export function convtime(s: string): number | undefined {
  if (s === '') return undefined;
  let total = 0;
  const re = /^(\d+)([sSmMhHdDwW]?)/;
  let rest = s;
  while (rest !== '') {
    const m = re.exec(rest);
    if (!m) return undefined;
    const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[(m[2] ?? '').toLowerCase()];
    const secs = Number(m[1]) * (unit ?? 1);
    if (!Number.isSafeInteger(secs) || secs > INT_MAX) return undefined;
    total += secs;
    if (total > INT_MAX) return undefined;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** OpenBSD scan_scaled, as RekeyLimit uses it: `1G`, `500M`, `64K`, `1.5G`. */
export function scanScaled(s: string): number | undefined {
  const m = /^\s*([-+]?)(\d*)(?:\.(\d*))?([BKMGTPE]?)$/i.exec(s);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return undefined;
  const shift = 'BKMGTPE'.indexOf((m[4] ?? 'B').toUpperCase() || 'B');
  const scale = 1024 ** Math.max(shift, 0);
  const whole = Number(m[2] || '0');
  const frac = m[3] ? Number(`0.${m[3]}`) : 0;
  if (frac !== 0 && shift <= 0) return undefined;
  const v = whole * scale + Math.floor(frac * scale);
  if (!Number.isSafeInteger(v)) return undefined;
  return m[1] === '-' ? -v : v;
}

/** SSH_TUNID_ANY and the tunnel device syntax `local[:remote]`, each a number or `any`. */
export const TUN_ANY = 0x7fffffff;
export function a2tun(s: string): { local: number; remote: number } | undefined {
  const one = (v: string): number | undefined =>
    v.toLowerCase() === 'any'
      ? TUN_ANY
      : /^\d+$/.test(v) && Number(v) <= 0x7ffffffe
        ? Number(v)
        : undefined;
  const colon = s.indexOf(':');
  if (colon < 0) {
    const l = one(s);
    return l === undefined ? undefined : { local: l, remote: TUN_ANY };
  }
  const l = one(s.slice(0, colon));
  const r = one(s.slice(colon + 1));
  return l === undefined || r === undefined ? undefined : { local: l, remote: r };
}

const IPQOS: readonly (readonly [string, number])[] = [
  ['none', INT_MAX],
  ['af11', 0x28],
  ['af12', 0x30],
  ['af13', 0x38],
  ['af21', 0x48],
  ['af22', 0x50],
  ['af23', 0x58],
  ['af31', 0x68],
  ['af32', 0x70],
  ['af33', 0x78],
  ['af41', 0x88],
  ['af42', 0x90],
  ['af43', 0x98],
  ['cs0', 0x00],
  ['cs1', 0x20],
  ['cs2', 0x40],
  ['cs3', 0x60],
  ['cs4', 0x80],
  ['cs5', 0xa0],
  ['cs6', 0xc0],
  ['cs7', 0xe0],
  ['ef', 0xb8],
  ['le', 0x04],
  ['lowdelay', 0x10],
  ['throughput', 0x08],
  ['reliability', 0x04],
];

/** misc.c parse_ipqos: a name or a number 0..255 (C strtol base 0: 0x.., 0..). */
export function parseIpqos(s: string): number | undefined {
  const named = IPQOS.find(([n]) => n === s.toLowerCase());
  if (named) return named[1];
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(s)) v = parseInt(s.slice(2), 16);
  else if (/^0[0-7]*$/.test(s)) v = parseInt(s, 8);
  else if (/^[1-9]\d*$/.test(s)) v = Number(s);
  else return undefined;
  return v <= 255 ? v : undefined;
}

/** misc.c iptos2str. */
export function iptosName(v: number): string {
  const named = IPQOS.find(([, n]) => n === v);
  return named ? named[0] : `0x${v.toString(16).padStart(2, '0')}`;
}

/** The escape character: `none` (-2), one character, or `^X` for a control character. */
export const ESCAPE_NONE = -2;
export function parseEscapeChar(s: string): number | undefined {
  if (s === 'none') return ESCAPE_NONE;
  if (s.length === 1) return s.charCodeAt(0);
  const c = s.charCodeAt(1);
  if (s.length === 2 && s[0] === '^' && c >= 64 && c < 128) return c & 31;
  return undefined;
}

/** OpenBSD vis(3) with VIS_WHITE of one character, as `ssh -G` prints EscapeChar. */
export function visChar(c: number): string {
  if (c === 0x20) return '\\040';
  if (c === 0x09) return '\\t';
  if (c === 0x0a) return '\\n';
  if (c === 0x5c) return '\\\\';
  if (c < 0x20) return `\\^${String.fromCharCode(c + 64)}`;
  if (c === 0x7f) return '\\^?';
  return String.fromCharCode(c);
}

/** A parsed LocalForward / RemoteForward / DynamicForward (readconf.h struct Forward). */
export interface Forward {
  readonly listenHost?: string;
  readonly listenPort: number;
  readonly listenPath?: string;
  readonly connectHost?: string;
  readonly connectPort: number;
  readonly connectPath?: string;
}
/** PORT_STREAMLOCAL: the port of a Unix-socket end. */
export const PORT_STREAMLOCAL = -2;

/**
 * readconf.c parse_forward on a spec whose ${VAR}s are already expanded:
 * `[listenhost:]port:host:hostport`, paths for Unix sockets, `[listenhost:]port` when dynamic.
 */
export function parseForward(spec: string, dynamic: boolean, remote: boolean): Forward | undefined {
  const f = forwardFields(spec);
  if (!f) return undefined;
  const port = (s: string): number => a2port(s) ?? -1;
  const a = f.map((x) => x.arg);
  const p = f.map((x) => x.isPath);
  let fwd: Forward;
  switch (f.length) {
    case 1:
      fwd = p[0]
        ? {
            listenPath: a[0] ?? '',
            listenPort: PORT_STREAMLOCAL,
            connectHost: 'socks',
            connectPort: 0,
          }
        : { listenPort: port(a[0] ?? ''), connectHost: 'socks', connectPort: 0 };
      break;
    case 2:
      if (p[0] && p[1])
        fwd = {
          listenPath: a[0] ?? '',
          listenPort: PORT_STREAMLOCAL,
          connectPath: a[1] ?? '',
          connectPort: PORT_STREAMLOCAL,
        };
      else if (p[1])
        fwd = {
          listenPort: port(a[0] ?? ''),
          connectPath: a[1] ?? '',
          connectPort: PORT_STREAMLOCAL,
        };
      else
        fwd = {
          listenHost: a[0] ?? '',
          listenPort: port(a[1] ?? ''),
          connectHost: 'socks',
          connectPort: 0,
        };
      break;
    case 3:
      if (p[0])
        fwd = {
          listenPath: a[0] ?? '',
          listenPort: PORT_STREAMLOCAL,
          connectHost: a[1] ?? '',
          connectPort: port(a[2] ?? ''),
        };
      else if (p[2])
        fwd = {
          listenHost: a[0] ?? '',
          listenPort: port(a[1] ?? ''),
          connectPath: a[2] ?? '',
          connectPort: PORT_STREAMLOCAL,
        };
      else
        fwd = {
          listenPort: port(a[0] ?? ''),
          connectHost: a[1] ?? '',
          connectPort: port(a[2] ?? ''),
        };
      break;
    case 4:
      fwd = {
        listenHost: a[0] ?? '',
        listenPort: port(a[1] ?? ''),
        connectHost: a[2] ?? '',
        connectPort: port(a[3] ?? ''),
      };
      break;
    default:
      return undefined;
  }
  const n = f.length;
  if (dynamic) {
    if (n !== 1 && n !== 2) return undefined;
  } else {
    if (n !== 3 && n !== 4 && fwd.connectPath === undefined && fwd.listenPath === undefined)
      return undefined;
    if (fwd.connectPort <= 0 && fwd.connectPath === undefined) return undefined;
  }
  if (fwd.listenPort < 0 && fwd.listenPath === undefined) return undefined;
  if (!remote && fwd.listenPort === 0) return undefined;
  // as ssh: host names shorter than NI_MAXHOST, socket paths than sun_path
  for (const host of [fwd.listenHost, fwd.connectHost])
    if (host !== undefined && host.length > MAX_SPEC_HOST) return undefined;
  for (const path of [fwd.listenPath, fwd.connectPath])
    if (path !== undefined && path.length > MAX_SOCKET_PATH) return undefined;
  return fwd;
}

/** Whether two forwards are the same (misc.c forward_equals), to skip duplicates. */
export function sameForward(a: Forward, b: Forward): boolean {
  return (
    a.listenHost === b.listenHost &&
    a.listenPort === b.listenPort &&
    a.listenPath === b.listenPath &&
    a.connectHost === b.connectHost &&
    a.connectPort === b.connectPort &&
    a.connectPath === b.connectPath
  );
}

/** `[user@]host[:port]` (misc.c parse_user_host_port); port -1 when absent. */
export function parseUserHostPort(
  s: string,
): { user?: string; host: string; port: number } | undefined {
  const at = s.lastIndexOf('@');
  let user: string | undefined;
  let rest = s;
  if (at >= 0) {
    if (at === 0) return undefined;
    user = s.slice(0, at);
    rest = s.slice(at + 1);
  }
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return undefined;
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return undefined;
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const m = /[:/]/.exec(rest);
    if (m && m[0] === '/') return undefined;
    host = m ? rest.slice(0, m.index) : rest;
    portText = m ? rest.slice(m.index + 1) : undefined;
  }
  if (host === '') return undefined;
  let port = -1;
  if (portText !== undefined && portText !== '') {
    const p = a2port(portText);
    if (p === undefined || p <= 0) return undefined;
    port = p;
  }
  return { ...(user !== undefined ? { user } : {}), host, port };
}

/** `ssh://[user[;params]@]host[:port]` (misc.c parse_uri "ssh"); null when not a URI. */
export function parseSshUri(
  s: string,
): { user?: string; host: string; port: number } | null | undefined {
  if (!s.startsWith('ssh://')) return null;
  let rest = s.slice(6);
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at).split(';')[0] ?? '';
    try {
      user = decodeURIComponent(user.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
    rest = rest.slice(at + 1);
  }
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest.includes('/')) return undefined;
  const hp = parseUserHostPort(rest);
  if (!hp || hp.user !== undefined) return undefined;
  if (user === '') return undefined;
  return { ...(user !== undefined ? { user } : {}), host: hp.host, port: hp.port };
}

/** A ProxyJump value: hops separated by commas; `none`. */
export interface JumpSpec {
  readonly user?: string;
  readonly host: string;
  readonly port: number;
  /** The hops before the last one, as written. */
  readonly extra?: string;
}

/** readconf.c parse_jump's syntax check; `none` → 'none'. */
export function parseJump(text: string): JumpSpec | 'none' | undefined {
  const s = (text.split('#')[0] ?? '').replace(/\s+$/, '');
  if (text.toLowerCase() === 'none') return 'none';
  const hops = s.split(',');
  let last: JumpSpec | undefined;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? '';
    const uri = parseSshUri(hop);
    const parsed = uri === null ? parseUserHostPort(hop) : uri;
    if (!parsed) return undefined;
    if (i === hops.length - 1) last = parsed;
  }
  if (!last) return undefined;
  const comma = text.lastIndexOf(',');
  return {
    ...(last.user !== undefined ? { user: last.user } : {}),
    host: last.host,
    port: last.port,
    ...(comma > 0 ? { extra: text.slice(0, comma) } : {}),
  };
}

/** misc.c valid_domain; the lower-cased name without a trailing dot, or an error text. */
export function validDomain(name: string): { ok: string } | { error: string } {
  if (name === '') return { error: 'empty domain name' };
  if (!/^[A-Za-z0-9]/.test(name))
    return { error: `domain name "${name}" starts with invalid character` };
  const lower = name.toLowerCase();
  if (lower.includes('..'))
    return { error: `domain name "${lower}" contains consecutive separators` };
  if (!/^[a-z0-9._-]+$/.test(lower))
    return { error: `domain name "${lower}" contains invalid characters` };
  return { ok: lower.endsWith('.') ? lower.slice(0, -1) : lower };
}

export const LOG_LEVELS = [
  'QUIET',
  'FATAL',
  'ERROR',
  'INFO',
  'VERBOSE',
  'DEBUG',
  'DEBUG1',
  'DEBUG2',
  'DEBUG3',
] as const;
/** The name `ssh -G` prints for a LogLevel word (DEBUG and DEBUG1 are one level). */
export function logLevelName(s: string): string | undefined {
  const u = s.toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(u)) return undefined;
  return u === 'DEBUG1' ? 'DEBUG' : u;
}

export const LOG_FACILITIES = [
  'DAEMON',
  'USER',
  'AUTH',
  'AUTHPRIV',
  'LOCAL0',
  'LOCAL1',
  'LOCAL2',
  'LOCAL3',
  'LOCAL4',
  'LOCAL5',
  'LOCAL6',
  'LOCAL7',
] as const;
export function logFacilityName(s: string): string | undefined {
  const u = s.toUpperCase();
  return (LOG_FACILITIES as readonly string[]).includes(u) ? u : undefined;
}
