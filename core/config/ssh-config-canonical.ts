/**
 * CanonicalizeHostname (ssh_config(5); OpenSSH 9.2 ssh.c resolve_canonicalize): an address
 * is put in its canonical form; otherwise, when asked for and the connection is direct (or
 * `always`), a name with at most CanonicalizeMaxDots dots is tried with each CanonicalDomains
 * suffix, and a trailing-dot name is looked up as it is. With CanonicalizeFallbackLocal no,
 * a name that resolves nowhere is an error. CNAME following needs the resolver to report
 * canonical names; node:dns lookup does not, so the default lookup never follows one.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ConfigError } from '../errors.js';
import { patternListMatch } from './ssh-config-algorithms.js';
import type { ConfigState } from './ssh-config-state.js';

/** Resolves a name: its canonical name ("" when not reported), or undefined if none. */
export type HostLookup = (name: string) => Promise<{ canonicalName: string } | undefined>;

export const defaultLookup: HostLookup = async (name) => {
  try {
    await dnsLookup(name);
    return { canonicalName: '' };
  } catch {
    return undefined;
  }
};

function ipv6Canonical(addr: string): string {
  const u = new URL(`http://[${addr}]/`);
  return u.hostname.slice(1, -1);
}

function direct(st: ConfigState): boolean {
  const pc = st.str('proxycommand');
  return (
    (pc === undefined || pc.toLowerCase() === 'none') &&
    (st.jump === undefined || st.jump === 'none')
  );
}

function followCname(st: ConfigState, isDirect: boolean, name: string, cname: string): string {
  const rules = st.permittedCnames.filter(
    (r) => !(r.source.toLowerCase() === 'none' && r.target === ''),
  );
  if (cname === '' || rules.length === 0 || name === cname) return name;
  const mode = st.num('canonicalizehostname') ?? 0;
  if (mode === 0 || (!isDirect && mode !== 2)) return name;
  for (const r of rules) {
    if (
      patternListMatch(name, r.source, true) === 1 &&
      patternListMatch(cname, r.target, true) === 1
    )
      return cname;
  }
  return name;
}

/**
 * The host name after canonicalization and, when CanonicalizePermittedCNAMEs is set but no
 * canonical name was found, after looking the name up as it is (ssh.c: fatal when direct).
 */
export async function canonicalizeHost(
  st: ConfigState,
  host: string,
  lookup: HostLookup = defaultLookup,
): Promise<string> {
  const r = await canonicalizeOnly(st, host, lookup);
  if (r.found) return r.host;
  const rules = st.permittedCnames.filter(
    (c) => !(c.source.toLowerCase() === 'none' && c.target === ''),
  );
  const isDirect = direct(st);
  if (rules.length === 0 || !(isDirect || st.num('canonicalizehostname') === 2)) return r.host;
  const found = await lookup(r.host);
  if (!found) {
    if (isDirect)
      throw new ConfigError(`Could not resolve hostname ${r.host}: Name or service not known`);
    return r.host;
  }
  return followCname(st, isDirect, r.host, found.canonicalName);
}

async function canonicalizeOnly(
  st: ConfigState,
  host: string,
  lookup: HostLookup = defaultLookup,
): Promise<{ host: string; found: boolean }> {
  const family = isIP(host);
  if (family === 6) return { host: ipv6Canonical(host), found: true };
  if (family === 4) return { host, found: true };
  const mode = st.num('canonicalizehostname') ?? 0;
  const no = { host, found: false };
  if (mode === 0) return no;
  const isDirect = direct(st);
  if (!isDirect && mode !== 2) return no;
  const tryName = async (full: string): Promise<string | undefined> => {
    const r = await lookup(full);
    if (!r) return undefined;
    const name = full.slice(0, -1);
    return followCname(st, isDirect, name, r.canonicalName);
  };
  if (host.endsWith('.')) {
    const found = await tryName(host);
    if (found !== undefined) return { host: found, found: true };
  } else {
    const dots = host.split('.').length - 1;
    if (dots > (st.num('canonicalizemaxdots') ?? 1)) return no;
    for (const d of st.lists.get('canonicaldomains') ?? []) {
      if (d.toLowerCase() === 'none') break;
      const found = await tryName(`${host}.${d}.`);
      if (found !== undefined) return { host: found, found: true };
    }
  }
  if ((st.num('canonicalizefallbacklocal') ?? 1) === 0)
    throw new ConfigError(`Could not resolve host "${host}"`);
  return no;
}
