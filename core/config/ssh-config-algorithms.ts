/**
 * Algorithm lists for ssh_config(5)'s Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms,
 * PubkeyAcceptedAlgorithms, HostbasedAcceptedAlgorithms and CASignatureAlgorithms, with the
 * `+` (append), `-` (remove), `^` (put first) prefixes and pattern lists, as OpenSSH 9.2's
 * kex.c kex_assemble_names does it. The default and "all supported" lists are those of
 * Debian bookworm's OpenSSH 9.2 (`ssh -Q …` and `ssh -G` there), so that `keyway ssh -G`
 * prints what `ssh -G` prints. Which of these Keyway can actually negotiate is the transport's
 * business: its own registry filters the resolved list.
 */
import { matchPattern } from '../hosts/index.js';

const list = (s: string): string[] => s.split(',');

/** `ssh -Q cipher|mac|kex|key-sig|sig` of OpenSSH 9.2 (Debian bookworm). */
export const ALL = {
  cipher: list(
    '3des-cbc,aes128-cbc,aes192-cbc,aes256-cbc,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com',
  ),
  mac: list(
    'hmac-sha1,hmac-sha1-96,hmac-sha2-256,hmac-sha2-512,hmac-md5,hmac-md5-96,umac-64@openssh.com,umac-128@openssh.com,hmac-sha1-etm@openssh.com,hmac-sha1-96-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-md5-etm@openssh.com,hmac-md5-96-etm@openssh.com,umac-64-etm@openssh.com,umac-128-etm@openssh.com',
  ),
  kex: list(
    'diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group14-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha1,diffie-hellman-group-exchange-sha256,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,curve25519-sha256,curve25519-sha256@libssh.org,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com',
  ),
  key: list(
    'ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,sk-ssh-ed25519@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com,ssh-dss,ssh-dss-cert-v01@openssh.com,ssh-rsa,ssh-rsa-cert-v01@openssh.com,rsa-sha2-256,rsa-sha2-256-cert-v01@openssh.com,rsa-sha2-512,rsa-sha2-512-cert-v01@openssh.com',
  ),
  sig: list(
    'ssh-ed25519,sk-ssh-ed25519@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ecdsa-sha2-nistp256@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com,ssh-dss,ssh-rsa,rsa-sha2-256,rsa-sha2-512',
  ),
} as const;

const DEFAULT_KEYS =
  'ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256';

/** OpenSSH 9.2's client defaults (myproposal.h), already filtered to what it supports. */
export const DEFAULTS = {
  cipher:
    'chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com',
  mac: 'umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1',
  kex: 'sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256',
  key: DEFAULT_KEYS,
  sig: 'ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256',
  gsskex:
    'gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,gss-curve25519-sha256-,gss-group14-sha1-,gss-gex-sha1-',
} as const;

/** GSSAPI key exchange names Debian's patch knows (kex names ending in `-`). */
const GSS_KEX = new Set([...DEFAULTS.gsskex.split(','), 'gss-group1-sha1-']);

export type AlgorithmSet = 'cipher' | 'mac' | 'kex' | 'key' | 'sig';

/** match.c match_pattern_list with dolower=0: 1 positive, -1 negated match, 0 none. */
export function patternListMatch(s: string, patterns: string, lower = false): -1 | 0 | 1 {
  let positive = false;
  for (const raw of patterns.split(',')) {
    const negated = raw.startsWith('!');
    let p = negated ? raw.slice(1) : raw;
    if (lower) p = p.replace(/[A-Z]/g, (c) => c.toLowerCase());
    if (matchPattern(s, p)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/**
 * Whether a value (after its +,-,^ prefix) names only known algorithms: exact names for
 * ciphers, MACs and KEX (ciphers_valid, mac_valid, kex_names_valid); key types may be
 * patterns (sshkey_names_valid2 with wildcards). A `-` list is not checked, as in OpenSSH.
 */
export function validAlgorithms(set: AlgorithmSet, value: string): boolean {
  if (value.startsWith('-')) return true;
  const names = value.replace(/^[+^]/, '');
  if (names === '') return false;
  const all: readonly string[] = ALL[set === 'sig' ? 'key' : set];
  return names.split(',').every((n) => {
    if (n === '') return false;
    if (set === 'key' || set === 'sig') {
      if (n.startsWith('!')) return false;
      return all.some((a) => matchPattern(a, n));
    }
    return all.includes(n);
  });
}

export function validGssKex(value: string): boolean {
  return value !== '' && value.split(',').every((n) => GSS_KEX.has(n));
}

/** kex.c kex_names_cat: a then b's names that a lacks. */
function namesCat(a: readonly string[], b: readonly string[]): string[] {
  const out = [...a];
  for (const n of b) if (n !== '' && !out.includes(n)) out.push(n);
  return out;
}

/**
 * kex_assemble_names: the list in effect for a configured value (undefined: the default).
 * Throws an Error naming the problem when the result would be empty.
 */
export function assembleAlgorithms(
  value: string | undefined,
  def: string,
  all: readonly string[],
): string {
  const defList = def.split(',');
  if (value === undefined || value === '') return def;
  let names: string[];
  if (value.startsWith('-')) {
    const out = defList.filter((n) => patternListMatch(n, value.slice(1)) !== 1);
    return out.join(',');
  } else if (value.startsWith('+')) {
    names = namesCat(defList, value.slice(1).split(','));
  } else if (value.startsWith('^')) {
    names = namesCat(value.slice(1).split(','), defList);
  } else {
    names = value.split(',');
  }
  let out: string[] = [];
  for (const p of names) {
    if (p.startsWith('!')) throw new Error(`negated algorithm "${p}" is not allowed here`);
    out = namesCat(
      out,
      all.filter((a) => patternListMatch(a, p) === 1),
    );
  }
  if (out.length === 0) throw new Error(`no algorithm left in "${value}"`);
  return out.join(',');
}

/** Which default and "all" lists an option's value is assembled against. */
export function algorithmLists(option: string): { def: string; all: readonly string[] } {
  switch (option) {
    case 'ciphers':
      return { def: DEFAULTS.cipher, all: ALL.cipher };
    case 'macs':
      return { def: DEFAULTS.mac, all: ALL.mac };
    case 'kexalgorithms':
      return { def: DEFAULTS.kex, all: ALL.kex };
    case 'casignaturealgorithms':
      return { def: DEFAULTS.sig, all: ALL.sig };
    default:
      return { def: DEFAULTS.key, all: ALL.key };
  }
}
