/**
 * authorized_keys files (sshd(8) AUTHORIZED_KEYS FILE FORMAT):
 *
 *   [options] keytype base64-key [comment]
 *
 * Blank lines and lines whose first non-blank character is `#` are comments. As sshd does, a
 * line is first read as a key without options (its first word is a key type); otherwise the
 * options run to the first space or tab outside double quotes (key-options.ts) and the key
 * follows. A line that cannot be used — a bad option, an unterminated quote, an unknown key type,
 * bad base64, a blob that is not a valid key of the named type — is skipped and reported as an
 * AuthorizedKeysError in `diagnostics` (sshd logs and ignores it); the other lines still count.
 *
 * Keys of the types the engine verifies (ed25519, ecdsa-nistp256/384/521, rsa) are parsed in
 * full through core/keys' public key reader, so a key OpenSSH would refuse (a point off the
 * curve, a short RSA modulus) is refused here too. FIDO (sk-*) keys and certificates are kept
 * by blob, with only the type inside the blob checked.
 */
import { AuthorizedKeysError, type AuthorizedKeysProblem } from '../errors.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { ENGINE_KEY_TYPES } from '../hosts/known-hosts.js';
import { decodeBase64 } from '../hosts/patterns.js';
import { readBounded } from '../keys/file-io.js';
import { parsePublicKeyText } from '../keys/public-key-file.js';
import { decodeUtf8 } from '../wire/bytes.js';
import { SshReader } from '../wire/reader.js';
import { defaultKeyOptions, parseKeyOptions, type AuthorizedKeyOptions } from './key-options.js';

export interface AuthorizedKeyEntry {
  /** The file it was read from, and its 1-based line number. */
  readonly file: string;
  readonly line: number;
  /** The options field as written ('' when there is none). */
  readonly optionsText: string;
  readonly options: AuthorizedKeyOptions;
  /** Key type as written on the line (and inside the blob). */
  readonly type: string;
  readonly blob: Uint8Array;
  /** The parsed key, for the types the engine verifies; undefined for sk-* and certificates. */
  readonly publicKey: PublicKey | undefined;
  readonly comment: string;
}

export interface AuthorizedKeysFile {
  readonly file: string;
  readonly entries: readonly AuthorizedKeyEntry[];
  /** Skipped lines (and, at line 0, a file that could not be read), in line order. */
  readonly diagnostics: readonly AuthorizedKeysError[];
}

/** Types kept by blob only: FIDO keys, and certificates (which authorize nothing as lines). */
export const OPAQUE_KEY_TYPES: ReadonlySet<string> = new Set([
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ssh-ed25519@openssh.com',
  'ssh-ed25519-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'ssh-rsa-cert-v01@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
]);

/** Key types sshd knows that the engine does not take. */
const UNSUPPORTED_KEY_TYPES: ReadonlyMap<string, string> = new Map([
  ['ssh-dss', 'DSA keys are not supported'],
  ['ssh-dss-cert-v01@openssh.com', 'DSA certificates are not supported'],
]);

/** Largest file read; a file of many thousands of keys is a few MiB. */
export const MAX_AUTHORIZED_KEYS_BYTES = 16 * 1024 * 1024;

type Parsed = Omit<AuthorizedKeyEntry, 'file' | 'line'>;
interface Problem {
  readonly kind: AuthorizedKeysProblem;
  readonly detail: string;
}

/** Splits off the first blank-delimited word: [word, rest after the blanks that follow]. */
function word(s: string): [string, string] {
  const m = /^([^ \t]*)[ \t]*(.*)$/s.exec(s);
  return m ? [m[1] ?? '', m[2] ?? ''] : [s, ''];
}

const isKnownType = (t: string): boolean => ENGINE_KEY_TYPES.has(t) || OPAQUE_KEY_TYPES.has(t);

/** Base64 as OpenSSH's b64_pton takes it: padded, canonical. */
function decodeKeyData(b64: string): Uint8Array | undefined {
  return b64.length % 4 === 0 ? decodeBase64(b64) : undefined;
}

/** The type name a blob starts with, or undefined when it does not start with one. */
function blobType(blob: Uint8Array): string | undefined {
  try {
    return new SshReader(blob, 'authorized_keys key blob').readAscii();
  } catch {
    return undefined;
  }
}

/** `keytype base64 [comment]`, the part after the options. */
function parseKey(text: string): Omit<Parsed, 'optionsText' | 'options'> | Problem {
  const [type, afterType] = word(text);
  if (type === '' || type.startsWith('#')) return { kind: 'missing-key', detail: 'no key' };
  const unsupported = UNSUPPORTED_KEY_TYPES.get(type);
  if (unsupported !== undefined) return { kind: 'key-type', detail: unsupported };
  if (!isKnownType(type)) {
    return { kind: 'key-type', detail: `unknown key type "${type.slice(0, 64)}"` };
  }
  const [b64, rest] = word(afterType);
  if (b64 === '') return { kind: 'missing-key', detail: `no key data after ${type}` };
  const blob = decodeKeyData(b64);
  if (blob === undefined) return { kind: 'base64', detail: `${type} key data is not base64` };
  const comment = rest.replace(/[ \t]+$/, '');
  if (ENGINE_KEY_TYPES.has(type)) {
    try {
      const { publicKey } = parsePublicKeyText(`${type} ${b64}`);
      return { type, blob: publicKey.blob, publicKey, comment };
    } catch (e) {
      return { kind: 'key', detail: `${type} key: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  const inner = blobType(blob);
  if (inner !== type) {
    const found = inner === undefined ? 'no key type' : `"${inner.slice(0, 64)}"`;
    return { kind: 'key', detail: `the line says ${type} but the key data has ${found}` };
  }
  return { type, blob, publicKey: undefined, comment };
}

/** Why a line that failed as options may really be a key of a type we do not know. */
function unknownKeyType(s: string): Problem | undefined {
  const [first, rest] = word(s);
  if (/^[0-9]+$/.test(first)) {
    return { kind: 'key-type', detail: 'SSH-1 RSA key (no longer supported)' };
  }
  const blob = decodeKeyData(word(rest)[0]);
  if (blob !== undefined && blobType(blob) === first) {
    return { kind: 'key-type', detail: `unknown key type "${first.slice(0, 64)}"` };
  }
  return undefined;
}

function parseLine(text: string): Parsed | Problem | undefined {
  const s = text.replace(/^[ \t]+/, '');
  if (s === '' || s.startsWith('#')) return undefined;
  const [first] = word(s);
  if (isKnownType(first) || UNSUPPORTED_KEY_TYPES.has(first)) {
    const key = parseKey(s);
    return 'kind' in key ? key : { ...key, optionsText: '', options: defaultKeyOptions() };
  }
  const opts = parseKeyOptions(s);
  if (!opts.ok) return unknownKeyType(s) ?? { kind: opts.kind, detail: opts.detail };
  const key = parseKey(s.slice(opts.end).replace(/^[ \t]+/, ''));
  if ('kind' in key) return key;
  return { ...key, optionsText: s.slice(0, opts.end), options: opts.options };
}

/** A line of bytes as text; a comment in another encoding as '#'; null for other non-UTF-8. */
function decodeLine(bytes: Uint8Array): string | null {
  const text = decodeUtf8(bytes);
  if (text !== null) return text;
  const first = bytes.find((b) => b !== 0x20 && b !== 0x09);
  return first === 0x23 ? '#' : null;
}

/** Lines of text, or of bytes decoded one by one (null for a line that is not UTF-8). */
function splitLines(input: string | Uint8Array): (string | null)[] {
  let lines: (string | null)[];
  if (typeof input === 'string') {
    lines = input.split('\n');
  } else {
    lines = [];
    let start = 0;
    for (let i = 0; i <= input.length; i++) {
      if (i === input.length || input[i] === 0x0a) {
        lines.push(decodeLine(input.subarray(start, i)));
        start = i + 1;
      }
    }
  }
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l !== null && l.endsWith('\r') ? l.slice(0, -1) : l));
}

/**
 * Parses authorized_keys text (or the file's bytes, each line decoded as UTF-8 on its own).
 * `file` names it in entries and diagnostics.
 */
export function parseAuthorizedKeys(
  input: string | Uint8Array,
  file = '(authorized_keys)',
): AuthorizedKeysFile {
  const entries: AuthorizedKeyEntry[] = [];
  const diagnostics: AuthorizedKeysError[] = [];
  splitLines(input).forEach((text, i) => {
    const where = { file, line: i + 1 };
    const r =
      text === null
        ? { kind: 'encoding' as const, detail: 'the line is not UTF-8 text' }
        : parseLine(text);
    if (r === undefined) return;
    if ('kind' in r) diagnostics.push(new AuthorizedKeysError(r.kind, r.detail, where));
    else entries.push({ ...where, ...r });
  });
  return { file, entries, diagnostics };
}

/**
 * Reads and parses an authorized_keys file. A file that does not exist holds no keys (as for
 * sshd); one that cannot be read or is too large holds none, with a diagnostic at line 0.
 */
export async function readAuthorizedKeysFile(path: string): Promise<AuthorizedKeysFile> {
  const fail = (detail: string): AuthorizedKeysFile => ({
    file: path,
    entries: [],
    diagnostics: [new AuthorizedKeysError('file', detail, { file: path, line: 0 })],
  });
  let bytes: Uint8Array;
  try {
    bytes = await readBounded(path, MAX_AUTHORIZED_KEYS_BYTES);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { file: path, entries: [], diagnostics: [] };
    return fail(`cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (bytes.length > MAX_AUTHORIZED_KEYS_BYTES) {
    return fail(`larger than ${MAX_AUTHORIZED_KEYS_BYTES} bytes; not read`);
  }
  return parseAuthorizedKeys(bytes, path);
}
