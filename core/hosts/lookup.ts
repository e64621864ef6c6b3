/**
 * Looking a server's host key up in known_hosts files, with OpenSSH's answers
 * (hostfile.c check_hostkeys_by_key_or_type and check_key_not_revoked; sshconnect.c
 * check_host_key):
 *
 * - revoked:  an `@revoked` line for this host lists the key. Wins over everything else.
 * - match:    a plain line for this host has exactly this key.
 * - mismatch: plain lines for this host exist, and none has this key. Whatever their type: a
 *             host known by an RSA key that now shows an Ed25519 one has "changed", exactly as
 *             for OpenSSH ("Offending RSA key in …"); that is why clients prefer the known types
 *             when they negotiate (see knownKeyTypes).
 * - unknown:  no plain line for this host.
 * For a port other than 22 the name is `[host]:port`; when that is unknown, the key recorded
 * for the bare host is accepted too (OpenSSH's "checking without port identifier"), but only
 * as a match: a different key there does not make a mismatch.
 *
 * `@cert-authority` lines are parsed and kept but do not vouch for plain keys (host
 * certificates come later). A matched line whose key does not parse is skipped as a bad line.
 */
import { parsePublicKey } from '../crypto/hostkey/parse.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { fingerprintSha256 } from '../crypto/fingerprint.js';
import {
  readKnownHosts,
  ENGINE_KEY_TYPES,
  type KnownHostsEntry,
  type KnownHostsFile,
} from './known-hosts.js';
import { hostFieldMatches, knownHostName } from './patterns.js';

/** A known_hosts line that names the host, with its key's fingerprint. */
export interface KnownKey extends KnownHostsEntry {
  /** SHA256:… as ssh-keygen -l prints it. */
  readonly fingerprint: string;
}

export type HostKeyStatus = 'match' | 'mismatch' | 'unknown' | 'revoked';

export interface HostKeyLookup {
  readonly status: HostKeyStatus;
  /** The name looked up: `host` or `[host]:port`, lowercase. */
  readonly name: string;
  /**
   * revoked: the `@revoked` lines that list the key. Otherwise every plain key recorded for
   * the name, in file order (for mismatch, the keys the server should have shown).
   */
  readonly known: readonly KnownKey[];
  /** match: the line with this key (maybe recorded for the bare host, see above). */
  readonly found: KnownKey | undefined;
  /** Lines skipped as malformed in the files consulted (for a warning). */
  readonly badLines: number;
}

/** The key being checked: its blob is what known_hosts stores. */
export type PresentedKey = Pick<PublicKey, 'blob'>;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function known(e: KnownHostsEntry): KnownKey {
  return { ...e, fingerprint: fingerprintSha256(e.blob) };
}

/** Whether a matched line's key is usable: the engine's types must parse in full. */
function keyParses(e: KnownHostsEntry): boolean {
  if (!ENGINE_KEY_TYPES.has(e.type)) return true;
  try {
    parsePublicKey(e.blob);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every line whose host field names `name` (as knownHostName gives it), markers included, in
 * file order: what `ssh-keygen -F name` lists.
 */
export function findHost(files: readonly KnownHostsFile[], name: string): KnownHostsEntry[] {
  return files.flatMap((f) => f.entries.filter((e) => hostFieldMatches(e.hosts, name)));
}

interface Scan {
  readonly plain: KnownKey[];
  readonly revoking: KnownKey[];
  readonly bad: number;
}

function scan(files: readonly KnownHostsFile[], name: string, key: PresentedKey): Scan {
  const plain: KnownKey[] = [];
  const revoking: KnownKey[] = [];
  let bad = 0;
  for (const e of findHost(files, name)) {
    if (e.marker === 'cert-authority') continue;
    if (!keyParses(e)) {
      bad++;
      continue;
    }
    if (e.marker === 'revoked') {
      if (sameBytes(e.blob, key.blob)) revoking.push(known(e));
    } else {
      plain.push(known(e));
    }
  }
  return { plain, revoking, bad };
}

/** Looks `key` up for host:port in already parsed files. */
export function lookupIn(
  files: readonly KnownHostsFile[],
  host: string,
  port: number,
  key: PresentedKey,
): HostKeyLookup {
  const name = knownHostName(host, port);
  const badInFiles = files.reduce((n, f) => n + f.bad.length, 0);
  const main = scan(files, name, key);
  const bare = port !== 22 && port !== 0 ? scan(files, knownHostName(host, 22), key) : undefined;
  const badLines = badInFiles + main.bad;
  const revoking = [...main.revoking, ...(bare?.revoking ?? [])];
  if (revoking.length > 0)
    return { status: 'revoked', name, known: revoking, found: undefined, badLines };
  const hit = main.plain.find((k) => sameBytes(k.blob, key.blob));
  if (hit) return { status: 'match', name, known: main.plain, found: hit, badLines };
  if (main.plain.length > 0)
    return { status: 'mismatch', name, known: main.plain, found: undefined, badLines };
  const bareHit = bare?.plain.find((k) => sameBytes(k.blob, key.blob));
  if (bareHit) return { status: 'match', name, known: [], found: bareHit, badLines };
  return { status: 'unknown', name, known: [], found: undefined, badLines };
}

/** Reads the files (missing ones are empty) and looks `key` up for host:port. */
export async function lookup(
  paths: readonly string[],
  host: string,
  port: number,
  key: PresentedKey,
): Promise<HostKeyLookup> {
  return lookupIn(await Promise.all(paths.map(readKnownHosts)), host, port, key);
}

/**
 * Plain lines that record this same key under names other than `name`: OpenSSH's "This host
 * key is known by the following other names/addresses", for a prompt about an unknown host.
 */
export function otherNames(
  files: readonly KnownHostsFile[],
  name: string,
  key: PresentedKey,
): KnownKey[] {
  return files.flatMap((f) =>
    f.entries
      .filter(
        (e) =>
          e.marker === undefined && sameBytes(e.blob, key.blob) && !hostFieldMatches(e.hosts, name),
      )
      .map(known),
  );
}

/**
 * Key types recorded for host:port (plain lines, file order, no repeats), so a client can put
 * those host-key algorithms first and not trip over a "changed" key of another type
 * (OpenSSH's order_hostkeyalgs).
 */
export function knownKeyTypes(
  files: readonly KnownHostsFile[],
  host: string,
  port: number,
): string[] {
  const types = findHost(files, knownHostName(host, port))
    .filter((e) => e.marker === undefined)
    .map((e) => e.type);
  return [...new Set(types)];
}
