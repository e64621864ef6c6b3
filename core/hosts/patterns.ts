/**
 * Host names and patterns in known_hosts (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT), matched as
 * OpenSSH does (match.c match_pattern, match_pattern_list; hostfile.c host_hash,
 * match_maybe_hashed; misc.c put_host_port):
 *
 * - A host is looked up as `host`, or `[host]:port` when the port is not 22, in lowercase.
 * - A host field is either a comma list of patterns (`*` any run, `?` one character, a leading
 *   `!` negates: a negated match rejects the line whatever else matches; brackets are literal),
 *   compared case-insensitively; or one hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt,
 *   name))` with a 20-byte salt.
 */
import { createHmac } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { randomBytes } from '../crypto/random.js';
import { utf8 } from '../wire/bytes.js';

/** OpenSSH's HASH_MAGIC; the only hashed form there is. */
export const HASH_MAGIC = '|1|';
const SHA1_LEN = 20;

/** ASCII-only lowercasing, as C's tolower() in OpenSSH's match code. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The name a host's keys are recorded under: `host` for port 22, else `[host]:port`. */
export function knownHostName(host: string, port = 22): string {
  const h = asciiLower(host);
  return port === 22 || port === 0 ? h : `[${h}]:${port}`;
}

/**
 * Characters that make a name unsafe to record: OpenSSH refuses to write a host containing any
 * of @?*#[]|'"\ (sshconnect.c check_host_key); we add the list and negation syntax and blanks.
 */
export function isRecordableHost(host: string): boolean {
  // eslint-disable-next-line no-control-regex
  return host !== '' && !/[@?*#[\]|'"\\,!\s\x00-\x1f\x7f]/.test(host);
}

/** Glob match of a whole string: `*` any run (also empty), `?` any one character. */
export function matchPattern(s: string, pattern: string): boolean {
  let si = 0;
  let pi = 0;
  let star = -1;
  let starSi = 0;
  while (si < s.length) {
    const pc = pattern[pi];
    if (pc === '*') {
      star = pi++;
      starSi = si;
    } else if (pc !== undefined && (pc === '?' || pc === s[si])) {
      pi++;
      si++;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++starSi;
    } else {
      return false;
    }
  }
  while (pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/**
 * A comma list of patterns, each possibly negated with `!`: -1 when a negated pattern matches,
 * 1 when a plain one does (and no negated one), 0 otherwise. Patterns are lowercased; `s`
 * should already be.
 */
export function matchPatternList(s: string, list: string): -1 | 0 | 1 {
  let positive = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = asciiLower(negated ? raw.slice(1) : raw);
    if (matchPattern(s, pattern)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

function hmacSha1(key: Uint8Array, data: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(createHmac('sha1', key).update(data).digest());
  } catch {
    // A runtime without HMAC-SHA1 in its crypto library (a FIPS build).
    return hmac(sha1, key, data);
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Strict base64: only the alphabet, padding at the end, and bits that round-trip. */
export function decodeBase64(s: string): Uint8Array | undefined {
  if (!BASE64.test(s) || s.length % 4 === 1) return undefined;
  const bytes = Buffer.from(s, 'base64');
  if (bytes.toString('base64').replace(/=+$/, '') !== s.replace(/=+$/, '')) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function b64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/** `|1|salt|hash` for `name` (as knownHostName gives it); a fresh salt unless one is given. */
export function hashHostName(name: string, salt: Uint8Array = randomBytes(SHA1_LEN)): string {
  if (salt.length !== SHA1_LEN) throw new RangeError('hashed host salt must be 20 bytes');
  return `${HASH_MAGIC}${b64(salt)}|${b64(hmacSha1(salt, utf8(name)))}`;
}

/** The salt of a hashed host field, or undefined when the field is not a valid one. */
export function hashedSalt(field: string): Uint8Array | undefined {
  if (!field.startsWith(HASH_MAGIC)) return undefined;
  const rest = field.slice(HASH_MAGIC.length);
  const bar = rest.indexOf('|');
  if (bar <= 0 || bar > 1024) return undefined;
  const salt = decodeBase64(rest.slice(0, bar));
  return salt !== undefined && salt.length === SHA1_LEN ? salt : undefined;
}

/**
 * Whether a host field (patterns or a hashed name) names `name` (lowercase, as knownHostName
 * gives it). A hashed field is compared as text against the hash recomputed with its salt.
 */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) {
    const salt = hashedSalt(field);
    return salt !== undefined && hashHostName(name, salt) === field;
  }
  return matchPatternList(name, field) === 1;
}
