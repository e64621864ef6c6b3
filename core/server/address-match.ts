/**
 * Address patterns of authorized_keys `from="pattern-list"` (sshd(8) AUTHORIZED_KEYS FILE
 * FORMAT; PATTERNS in ssh_config(5)), with OpenSSH's semantics (match_host_and_ip over
 * addr_match_list and match_hostname):
 *
 * - The list is split at commas; a leading `!` negates a pattern. An empty pattern, or a CIDR
 *   pattern whose mask is too long for its family or that has host bits set (`10.1.0.0/8`),
 *   makes the whole list invalid, and an invalid list denies every connection.
 * - A pattern that reads as an address, with an optional `/masklen` (a decimal number ≤ 128), is
 *   compared as a network; anything else is a `*`/`?` glob over the address text. Addresses read
 *   as glibc's getaddrinfo(AI_NUMERICHOST) reads them: IPv4 in inet_aton's forms (`10.1`,
 *   `0x7f.1`, octal `010.0.0.1`), IPv6 per inet_pton, an IPv4 tail allowed.
 * - The address result: -1 (a negated pattern matched) denies at once; otherwise the host name
 *   is matched against the same list, lowercased (match_hostname), and a negated match there
 *   denies too. Allowed when either matched positively.
 *
 * The client address is used as sshd uses it: an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, as
 * a dual-stack socket reports it) is taken as the IPv4 address. A zone (`fe80::1%eth0`) is
 * ignored for network matches; patterns with a zone are globs.
 */
import { asciiLower, matchPattern, matchPatternList } from '../hosts/patterns.js';

/** An IP address as its 4 or 16 bytes, network order. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

/** OpenSSH copies a pattern into a 64-byte buffer before reading it as an address. */
const MAX_ADDRESS_PATTERN = 63;

/** One inet_aton number: 0x… hex, 0… octal, else decimal; undefined if malformed. */
function atonPart(s: string): number | undefined {
  let m: RegExpExecArray | null;
  let n: number;
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(s)) !== null) n = parseInt(m[1] ?? '', 16);
  else if (/^0[0-7]*$/.test(s)) n = parseInt(s, 8);
  else if (/^[1-9][0-9]*$/.test(s)) n = parseInt(s, 10);
  else return undefined;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** IPv4 as inet_aton reads it: a, a.b (8.24 bits), a.b.c (8.8.16) or a.b.c.d. */
export function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    const n = atonPart(p);
    if (n === undefined) return undefined;
    nums.push(n);
  }
  const last = nums.pop() ?? 0;
  if (nums.some((n) => n > 255)) return undefined;
  const lastBits = 8 * (4 - nums.length);
  if (last >= 2 ** lastBits) return undefined;
  const out = new Uint8Array(4);
  nums.forEach((n, i) => (out[i] = n));
  for (let i = 3, v = last; i >= nums.length; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
}

/** Strict dotted quad (inet_pton's IPv4: four decimals ≤ 255, no leading zeros). */
function parseDottedQuad(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(?:0|[1-9][0-9]{0,2})$/.test(p))) {
    return undefined;
  }
  const nums = parts.map(Number);
  return nums.every((n) => n <= 255) ? Uint8Array.from(nums) : undefined;
}

/** IPv6 as inet_pton reads it: hex groups, at most one `::`, an optional dotted-quad tail. */
export function parseIpv6(s: string): Uint8Array | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  // An IPv4 tail may end the address, nowhere else.
  const groups = (half: string, last: boolean): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      if (last && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseDottedQuad(p);
        if (v4 === undefined) return undefined;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1] ?? '', true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const n = head.length + tail.length;
  if (halves.length === 2 ? n > 7 : n !== 8) return undefined;
  const all = [...head, ...new Array<number>(8 - n).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** An address as getaddrinfo(AI_NUMERICHOST) reads it, or undefined. No zone. */
export function parseIpAddress(s: string): IpAddress | undefined {
  if (s.includes(':')) {
    const bytes = parseIpv6(s);
    return bytes && { family: 6, bytes };
  }
  const bytes = parseIpv4(s);
  return bytes && { family: 4, bytes };
}

/**
 * The client address as sshd matches it: `::ffff:a.b.c.d` becomes `a.b.c.d`; anything else is
 * returned as given.
 */
export function normalizeClientAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] !== undefined && parseDottedQuad(m[1]) !== undefined ? m[1] : address;
}

export type CidrPattern =
  | { readonly kind: 'network'; readonly network: IpAddress; readonly bits: number }
  /** Not an address: the pattern is a glob. */
  | { readonly kind: 'glob' }
  /** An address whose mask does not fit it: the list it is in is invalid. */
  | { readonly kind: 'invalid'; readonly detail: string };

/** Reads one pattern (without its `!`) as addr_pton_cidr does. */
export function parseCidrPattern(pattern: string): CidrPattern {
  if (pattern.length > MAX_ADDRESS_PATTERN || pattern.includes('%')) return { kind: 'glob' };
  const slash = pattern.indexOf('/');
  const addrText = slash < 0 ? pattern : pattern.slice(0, slash);
  let bits: number | undefined;
  if (slash >= 0) {
    const maskText = pattern.slice(slash + 1);
    if (!/^[0-9]+$/.test(maskText)) return { kind: 'glob' };
    bits = Number(maskText);
    if (bits > 128) return { kind: 'glob' };
  }
  const network = parseIpAddress(addrText);
  if (network === undefined) return { kind: 'glob' };
  const width = network.bytes.length * 8;
  bits ??= width;
  if (bits > width) {
    return { kind: 'invalid', detail: `mask /${bits} is too long for "${addrText}"` };
  }
  if (!network.bytes.every((b, i) => (b & ~prefixMask(bits, i)) === 0)) {
    return { kind: 'invalid', detail: `"${pattern}" has address bits set beyond its /${bits}` };
  }
  return { kind: 'network', network, bits };
}

/** Byte `i` of a `bits`-long prefix mask. */
function prefixMask(bits: number, i: number): number {
  const n = Math.max(0, Math.min(8, bits - 8 * i));
  return (0xff << (8 - n)) & 0xff;
}

/** Whether `address` lies in `network`/`bits`; families must agree. */
export function addressInNetwork(address: IpAddress, network: IpAddress, bits: number): boolean {
  if (address.family !== network.family) return false;
  return network.bytes.every(
    (b, i) => ((address.bytes[i] ?? 0) & prefixMask(bits, i)) === (b & prefixMask(bits, i)),
  );
}

/** Whether a pattern list can be used; the reason when it cannot (it would deny everyone). */
export function checkAddressPatternList(list: string): string | undefined {
  for (const raw of list.split(',')) {
    const pattern = raw.startsWith('!') ? raw.slice(1) : raw;
    if (pattern === '') return `empty pattern in "${list}"`;
    const p = parseCidrPattern(pattern);
    if (p.kind === 'invalid') return p.detail;
  }
  return undefined;
}

/**
 * addr_match_list: 1 when a pattern matches the address and no negated one does before it
 * (the walk stops at the first negated match), -1 for a negated match, 0 for none, 'invalid'
 * when the walk reaches an empty or inconsistent pattern. An address that does not parse
 * matches nothing.
 */
export function matchAddressList(address: string, list: string): 1 | 0 | -1 | 'invalid' {
  const addr = parseIpAddress(address.replace(/%.*$/s, ''));
  if (addr === undefined) return 0;
  let result: 1 | 0 = 0;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (pattern === '') return 'invalid';
    const p = parseCidrPattern(pattern);
    if (p.kind === 'invalid') return 'invalid';
    const hit =
      p.kind === 'network'
        ? addressInNetwork(addr, p.network, p.bits)
        : matchPattern(address, pattern);
    if (hit) {
      if (negated) return -1;
      result = 1;
    }
  }
  return result;
}

/**
 * match_host_and_ip: whether a connection from `address` (and `hostName`, its verified
 * canonical name if the server resolved one; without it the address stands in for the name, as
 * sshd with UseDNS no) passes a from= list. 1 allowed, 0 not listed, -1 denied (a negated
 * match, or an invalid list).
 */
export function matchHostAndAddress(
  hostName: string | undefined,
  address: string,
  list: string,
): 1 | 0 | -1 {
  const ip = normalizeClientAddress(address);
  const byAddress = matchAddressList(ip, list);
  if (byAddress === 'invalid' || byAddress === -1) return -1;
  const byName = matchPatternList(asciiLower(hostName ?? ip), list);
  if (byName === -1) return -1;
  return byAddress === 1 || byName === 1 ? 1 : 0;
}
