/**
 * known_hosts files (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT; OpenSSH hostfile.c
 * hostkeys_foreach_file, check_markers):
 *
 *   [@cert-authority | @revoked] hosts keytype base64-blob [comment]
 *
 * Blank lines and lines starting with `#` are comments. A malformed line is skipped and
 * reported in `bad` with its number and the cause; it never makes the file unusable. Key blobs
 * are checked cheaply here (strict base64, the blob names the same key type as the line); the
 * full key is parsed only for lines that match a host being looked up (lookup.ts), as OpenSSH
 * does.
 */
import { readFile } from 'node:fs/promises';
import { SshReader } from '../wire/reader.js';
import { decodeBase64, hashedSalt } from './patterns.js';

export type KnownHostsMarker = 'cert-authority' | 'revoked';

export interface KnownHostsEntry {
  /** The file it was read from, and its 1-based line number. */
  readonly file: string;
  readonly line: number;
  /** `@cert-authority` or `@revoked`, or undefined for a plain host key. */
  readonly marker: KnownHostsMarker | undefined;
  /** The host field as written: a comma list of patterns, or one `|1|salt|hash`. */
  readonly hosts: string;
  readonly hashed: boolean;
  /** Key type as written on the line (and inside the blob). */
  readonly type: string;
  readonly blob: Uint8Array;
  readonly comment: string;
}

export interface KnownHostsBadLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface KnownHostsFile {
  readonly file: string;
  readonly entries: readonly KnownHostsEntry[];
  readonly bad: readonly KnownHostsBadLine[];
}

/** Key types the engine can parse and verify; their lines are parsed in full when matched. */
export const ENGINE_KEY_TYPES: ReadonlySet<string> = new Set([
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
]);

/**
 * Types OpenSSH records that the engine cannot verify: kept as opaque known keys (compared by
 * blob), so that they still count as "a key is known for this host". Other type words are bad
 * lines, as in OpenSSH (sshkey_type_from_name gives KEY_UNSPEC).
 */
export const OPAQUE_KEY_TYPES: ReadonlySet<string> = new Set([
  'ssh-dss',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ssh-ed25519@openssh.com',
]);

/** Largest file read (known_hosts of many thousands of hosts are a few MiB). */
export const MAX_KNOWN_HOSTS_BYTES = 64 * 1024 * 1024;

type Parsed = Omit<KnownHostsEntry, 'file' | 'line'>;

/** Splits off the first blank-delimited word: [word, rest after the blanks that follow]. */
function word(s: string): [string, string] {
  const m = /^([^ \t]*)[ \t]*(.*)$/s.exec(s);
  return m ? [m[1] ?? '', m[2] ?? ''] : [s, ''];
}

function parseLine(text: string): Parsed | string | undefined {
  const s = text.replace(/^[ \t]+/, '');
  if (s === '' || s.startsWith('#')) return undefined;
  let rest = s;
  let marker: KnownHostsMarker | undefined;
  if (rest.startsWith('@')) {
    const [m, after] = word(rest);
    if (m === '@cert-authority') marker = 'cert-authority';
    else if (m === '@revoked') marker = 'revoked';
    else return `unknown marker "${m.slice(0, 40)}"`;
    if (after.startsWith('@')) return 'more than one marker';
    rest = after;
  }
  const [hosts, afterHosts] = word(rest);
  if (hosts === '') return 'no host field';
  if (afterHosts === '' || afterHosts.startsWith('#')) return 'no key after the host field';
  const hashed = hosts.startsWith('|');
  if (hashed && hashedSalt(hosts) === undefined) return 'malformed hashed host name';
  const [type, afterType] = word(afterHosts);
  if (/^[0-9]{1,7}$/.test(type)) return 'SSH-1 RSA key (no longer supported)';
  if (!ENGINE_KEY_TYPES.has(type) && !OPAQUE_KEY_TYPES.has(type)) {
    return `unknown key type "${type.slice(0, 64)}"`;
  }
  const [b64, comment] = word(afterType);
  if (b64 === '' || b64.startsWith('#')) return 'no key data after the key type';
  const blob = decodeBase64(b64);
  if (blob === undefined) return 'key data is not valid base64';
  let inner: string;
  try {
    inner = new SshReader(blob, 'known_hosts key blob').readAscii();
  } catch {
    return 'key data is not a key blob';
  }
  if (inner !== type)
    return `key type "${type}" does not match the key data ("${inner.slice(0, 64)}")`;
  return { marker, hosts, hashed, type, blob, comment: comment.replace(/[ \t]+$/, '') };
}

/** Parses known_hosts text. `file` names it in entries and messages. */
export function parseKnownHosts(text: string, file = '(known_hosts)'): KnownHostsFile {
  const entries: KnownHostsEntry[] = [];
  const bad: KnownHostsBadLine[] = [];
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const r = parseLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (r === undefined) return;
    if (typeof r === 'string') bad.push({ file, line: i + 1, reason: r });
    else entries.push({ file, line: i + 1, ...r });
  });
  return { file, entries, bad };
}

/**
 * Reads and parses a known_hosts file. A file that does not exist is empty (as for OpenSSH);
 * one that cannot be read or is too large is empty with a bad "line 0" saying why.
 */
export async function readKnownHosts(path: string): Promise<KnownHostsFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { file: path, entries: [], bad: [] };
    return {
      file: path,
      entries: [],
      bad: [{ file: path, line: 0, reason: `cannot read: ${String(e)}` }],
    };
  }
  if (bytes.length > MAX_KNOWN_HOSTS_BYTES) {
    return {
      file: path,
      entries: [],
      bad: [
        { file: path, line: 0, reason: `larger than ${MAX_KNOWN_HOSTS_BYTES} bytes; not read` },
      ],
    };
  }
  return parseKnownHosts(bytes.toString('utf8'), path);
}
