/**
 * The options field of an authorized_keys line (sshd(8) AUTHORIZED_KEYS FILE FORMAT), read as
 * OpenSSH's sshauthopt_parse reads it:
 *
 *   option[,option…]      ends at the first space or tab outside double quotes
 *   flag                  agent-forwarding port-forwarding pty user-rc X11-forwarding
 *                         touch-required verify-required, each also with no- in front;
 *                         cert-authority restrict
 *   name="value"          command environment expiry-time from permitlisten permitopen
 *                         principals tunnel; inside the quotes only \" is an escape
 *
 * Names are case-insensitive. Flags apply left to right: `restrict` turns off forwarding, pty and
 * ~/.ssh/rc, and a later positive flag turns one back on. command, from and principals may be
 * given once; environment (first value of a name wins), permitopen and permitlisten
 * accumulate; of several expiry-times the earliest counts. A malformed option makes the whole
 * line unusable, as in sshd.
 */
import { asciiLower } from '../hosts/patterns.js';
import { checkAddressPatternList } from './address-match.js';
import { parseExpiryTime } from './expiry-time.js';

/** A permitopen / permitlisten destination. */
export interface PermitHostPort {
  /** As written, without IPv6 brackets; `*` for a permitlisten given as a bare port. */
  readonly host: string;
  /** 1–65535, or `*` for any port. */
  readonly port: number | '*';
}

export interface EnvironmentSetting {
  readonly name: string;
  readonly value: string;
}

/**
 * What a session authenticated by a line may do. The flags start true (sshd_config may still
 * forbid more); `restrict` and the no-* options turn them off.
 */
export interface KeyRestrictions {
  /** command="…": run instead of what the client asks for (shell, exec or subsystem). */
  readonly command?: string;
  readonly pty: boolean;
  readonly portForwarding: boolean;
  readonly agentForwarding: boolean;
  readonly x11Forwarding: boolean;
  /** Whether ~/.ssh/rc runs. */
  readonly userRc: boolean;
  /** ssh -L destinations allowed; empty means no permitopen= (no limit from this line). */
  readonly permitOpen: readonly PermitHostPort[];
  /** ssh -R listeners allowed; empty means no permitlisten= (no limit from this line). */
  readonly permitListen: readonly PermitHostPort[];
  /** environment="NAME=value", in order (honoured only when the server permits it). */
  readonly environment: readonly EnvironmentSetting[];
  /** tunnel="n": the tun device to use, or any. */
  readonly tunnel?: number | 'any';
  /** FIDO (sk-*) keys: no-touch-required and verify-required. */
  readonly noTouchRequired: boolean;
  readonly verifyRequired: boolean;
}

export interface AuthorizedKeyOptions {
  readonly restrictions: KeyRestrictions;
  /** The line names a CA for user certificates, not a key that may log in itself. */
  readonly certAuthority: boolean;
  /** `restrict` was given. */
  readonly restrict: boolean;
  /** from="pattern-list", checked against the client when the key is used. */
  readonly from?: string;
  /** principals="…" as written (a comma list), for cert-authority lines. */
  readonly principals?: string;
  /** The earliest expiry-time, in ms since the epoch: the line is refused after it. */
  readonly expiresAt?: number;
}

export type OptionsParse =
  | {
      readonly ok: true;
      readonly options: AuthorizedKeyOptions;
      /** The index just after the options: the blanks before the key type. */
      readonly end: number;
    }
  | { readonly ok: false; readonly kind: 'option' | 'quote'; readonly detail: string };

/** OpenSSH's SSH_AUTHOPT_PERMIT_MAX and SSH_AUTHOPT_ENV_MAX. */
export const MAX_PERMITS = 4096;
export const MAX_ENVIRONMENT = 1024;
/** SSH_TUNID_MAX: the largest tun device number. */
const MAX_TUNNEL = 0x7fffffff - 2;
/** NI_MAXHOST: a permit host must be shorter. */
const MAX_HOST = 1025;

interface Builder {
  restrictions: {
    command: string | undefined;
    pty: boolean;
    portForwarding: boolean;
    agentForwarding: boolean;
    x11Forwarding: boolean;
    userRc: boolean;
    permitOpen: PermitHostPort[];
    permitListen: PermitHostPort[];
    environment: EnvironmentSetting[];
    tunnel: number | 'any' | undefined;
    noTouchRequired: boolean;
    verifyRequired: boolean;
  };
  certAuthority: boolean;
  restrict: boolean;
  from: string | undefined;
  principals: string | undefined;
  expiresAt: number | undefined;
}

type Restrictions = Builder['restrictions'];

/** Flags that also take a no- prefix: what each sets, given on (plain) or off (no-). */
const NEGATABLE: ReadonlyMap<string, (r: Restrictions, on: boolean) => void> = new Map([
  ['pty', (r, on) => (r.pty = on)],
  ['port-forwarding', (r, on) => (r.portForwarding = on)],
  ['agent-forwarding', (r, on) => (r.agentForwarding = on)],
  ['x11-forwarding', (r, on) => (r.x11Forwarding = on)],
  ['user-rc', (r, on) => (r.userRc = on)],
  ['touch-required', (r, on) => (r.noTouchRequired = !on)],
  ['verify-required', (r, on) => (r.verifyRequired = on)],
]);

/** What `restrict` turns off. */
const RESTRICTED = ['pty', 'port-forwarding', 'agent-forwarding', 'x11-forwarding', 'user-rc'];

function isFlag(name: string): boolean {
  return (
    NEGATABLE.has(name) ||
    (name.startsWith('no-') && NEGATABLE.has(name.slice(3))) ||
    name === 'restrict' ||
    name === 'cert-authority'
  );
}

/** Applies a flag option; false when `name` is none. */
function applyFlag(b: Builder, name: string): boolean {
  const r = b.restrictions;
  const plain = NEGATABLE.get(name);
  const negated = name.startsWith('no-') ? NEGATABLE.get(name.slice(3)) : undefined;
  if (plain !== undefined) plain(r, true);
  else if (negated !== undefined) negated(r, false);
  else if (name === 'restrict') {
    b.restrict = true;
    for (const f of RESTRICTED) NEGATABLE.get(f)?.(r, false);
  } else if (name === 'cert-authority') b.certAuthority = true;
  else return false;
  return true;
}

/** `[host]:port`, `host:port` or `host/port`; a bare port in permitlisten means any host. */
function parsePermit(text: string, bareIsAnyHost: boolean): PermitHostPort | string {
  const t = bareIsAnyHost && !text.includes(':') ? `*:${text}` : text;
  let host: string;
  let portText: string;
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close < 0) return 'no "]" after the address';
    const sep = t.charAt(close + 1);
    if (sep !== ':' && sep !== '/') return 'expected [address]:port';
    host = t.slice(1, close);
    portText = t.slice(close + 2);
  } else {
    const sep = t.search(/[:/]/);
    if (sep < 0) return 'expected host:port';
    host = t.slice(0, sep);
    portText = t.slice(sep + 1);
  }
  if (host === '') return 'no host';
  if (host.length >= MAX_HOST) return 'host name too long';
  if (portText === '*') return { host, port: '*' };
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65535) return `invalid port "${portText.slice(0, 20)}"`;
  return { host, port };
}

/** Applies one name="value" option; an error text, or undefined when it applied. */
function applyValue(b: Builder, name: string, value: string): string | undefined {
  const r = b.restrictions;
  switch (name) {
    case 'command':
      if (r.command !== undefined) return 'given more than once';
      r.command = value;
      return undefined;
    case 'principals':
      if (b.principals !== undefined) return 'given more than once';
      b.principals = value;
      return undefined;
    case 'from': {
      if (b.from !== undefined) return 'given more than once';
      const bad = checkAddressPatternList(value);
      if (bad !== undefined) return bad;
      b.from = value;
      return undefined;
    }
    case 'expiry-time': {
      const at = parseExpiryTime(value);
      if (at === undefined) return 'not a YYYYMMDD[HHMM[SS]][Z] time after 1970';
      if (b.expiresAt === undefined || at < b.expiresAt) b.expiresAt = at;
      return undefined;
    }
    case 'environment': {
      const eq = value.indexOf('=');
      const envName = eq < 0 ? '' : value.slice(0, eq);
      if (!/^[A-Za-z0-9_]+$/.test(envName)) return 'expected NAME=value';
      if (r.environment.length >= MAX_ENVIRONMENT) return 'too many environment options';
      if (!r.environment.some((e) => e.name === envName)) {
        r.environment.push({ name: envName, value: value.slice(eq + 1) });
      }
      return undefined;
    }
    case 'permitopen':
    case 'permitlisten': {
      const list = name === 'permitopen' ? r.permitOpen : r.permitListen;
      if (list.length >= MAX_PERMITS) return `more than ${MAX_PERMITS} ${name} options`;
      const p = parsePermit(value, name === 'permitlisten');
      if (typeof p === 'string') return p;
      list.push(p);
      return undefined;
    }
    case 'tunnel': {
      if (asciiLower(value) === 'any') r.tunnel = 'any';
      else if (/^[0-9]{1,10}$/.test(value) && Number(value) <= MAX_TUNNEL) r.tunnel = Number(value);
      else return 'not a tun device number';
      return undefined;
    }
    default:
      return `unknown option "${name}"`;
  }
}

const VALUE_OPTIONS: ReadonlySet<string> = new Set([
  'command',
  'environment',
  'expiry-time',
  'from',
  'permitlisten',
  'permitopen',
  'principals',
  'tunnel',
]);

/** The text of a double-quoted value opening at `open`, and the index after its closing quote. */
function readQuoted(s: string, open: number): { value: string; end: number } | undefined {
  let value = '';
  for (let j = open + 1; j < s.length; j++) {
    const c = s.charAt(j);
    if (c === '\\' && s.charAt(j + 1) === '"') {
      value += '"';
      j++;
    } else if (c === '"') {
      return { value, end: j + 1 };
    } else {
      value += c;
    }
  }
  return undefined;
}

function build(b: Builder): AuthorizedKeyOptions {
  const { command, tunnel, ...r } = b.restrictions;
  return {
    restrictions: {
      ...r,
      ...(command !== undefined ? { command } : {}),
      ...(tunnel !== undefined ? { tunnel } : {}),
    },
    certAuthority: b.certAuthority,
    restrict: b.restrict,
    ...(b.from !== undefined ? { from: b.from } : {}),
    ...(b.principals !== undefined ? { principals: b.principals } : {}),
    ...(b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {}),
  };
}

function show(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** The options of a line without any: everything permitted. */
export function defaultKeyOptions(): AuthorizedKeyOptions {
  return build(newBuilder());
}

function newBuilder(): Builder {
  return {
    restrictions: {
      command: undefined,
      pty: true,
      portForwarding: true,
      agentForwarding: true,
      x11Forwarding: true,
      userRc: true,
      permitOpen: [],
      permitListen: [],
      environment: [],
      tunnel: undefined,
      noTouchRequired: false,
      verifyRequired: false,
    },
    certAuthority: false,
    restrict: false,
    from: undefined,
    principals: undefined,
    expiresAt: undefined,
  };
}

/** Reads the options at the start of `s` (a line without its leading blanks). */
export function parseKeyOptions(s: string): OptionsParse {
  const b = newBuilder();
  let i = 0;
  for (;;) {
    const start = i;
    while (i < s.length && !'=, \t'.includes(s.charAt(i))) i++;
    const written = s.slice(start, i);
    const name = asciiLower(written);
    if (s.charAt(i) === '=') {
      if (!VALUE_OPTIONS.has(name)) {
        const detail = isFlag(name)
          ? `${name} takes no value`
          : `unknown option "${show(written)}"`;
        return { ok: false, kind: 'option', detail };
      }
      if (s.charAt(i + 1) !== '"') {
        return { ok: false, kind: 'option', detail: `${name}= needs a value in double quotes` };
      }
      const q = readQuoted(s, i + 1);
      if (q === undefined) {
        return { ok: false, kind: 'quote', detail: `${name}= has no closing quote` };
      }
      const bad = applyValue(b, name, q.value);
      if (bad !== undefined) {
        return { ok: false, kind: 'option', detail: `${name}="${show(q.value)}": ${bad}` };
      }
      i = q.end;
    } else if (!applyFlag(b, name)) {
      const detail = written === '' ? 'empty option' : `unknown option "${show(written)}"`;
      return { ok: false, kind: 'option', detail };
    }
    const c = s.charAt(i);
    if (c === '' || c === ' ' || c === '\t') return { ok: true, options: build(b), end: i };
    if (c !== ',') {
      return { ok: false, kind: 'option', detail: `unexpected "${c}" after ${name}` };
    }
    i++;
  }
}

/**
 * A value as it must be written between double quotes (the quotes included). Values sshd's
 * syntax cannot hold — line breaks, or a backslash at the end, which would escape the closing
 * quote — are refused with a RangeError.
 */
export function quoteOptionValue(value: string): string {
  if (/[\r\n]/.test(value) || value.endsWith('\\')) {
    throw new RangeError('an authorized_keys option value cannot hold a line break or end in "\\"');
  }
  return `"${value.replace(/"/g, '\\"')}"`;
}
