/**
 * Public key text, the two forms ssh-keygen reads and writes:
 *
 *   OpenSSH one-line (sshd(8) AUTHORIZED_KEYS FILE FORMAT without options; id_*.pub):
 *     <type> <base64 of the key blob> [comment]
 *   RFC 4716 "SSH Public Key File Format" (ssh-keygen -e / -i):
 *     ---- BEGIN SSH2 PUBLIC KEY ----
 *     Comment: "text"           headers: tag ":" SP value; a value continues on the next
 *     x-other: value            line when its line ends in "\" (§3.3); lines ≤ 72 bytes
 *     base64 lines
 *     ---- END SSH2 PUBLIC KEY ----
 *
 * The key blob goes through core/crypto/hostkey's parsePublicKey. Problems are KeyFormatError;
 * loadPublicKeyFile's name the file.
 */
import { KeyFormatError, ProtocolError } from '../errors.js';
import { parsePublicKey } from '../crypto/hostkey/parse.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { decodeUtf8 } from '../wire/bytes.js';
import { decodeBase64Strict } from './armor.js';
import { keyFileError } from './errors.js';
import { readBounded } from './file-io.js';

export interface PublicKeyWithComment {
  readonly publicKey: PublicKey;
  /** The comment ('' when there is none). */
  readonly comment: string;
}

const RFC4716_BEGIN = '---- BEGIN SSH2 PUBLIC KEY ----';
const RFC4716_END = '---- END SSH2 PUBLIC KEY ----';
/** RFC 4716 §3: "Each line in the file MUST NOT be longer than 72 8-bit bytes". */
const RFC4716_LINE = 72;
const MAX_PUBLIC_FILE_BYTES = 64 * 1024;

function parseOneLine(line: string): PublicKeyWithComment {
  const m = /^(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
  if (m === null || m[1] === undefined || m[2] === undefined) {
    throw new KeyFormatError('expected "<type> <base64> [comment]"');
  }
  const type = m[1];
  const blob = decodeBase64Strict(m[2], `${type} public key`);
  const publicKey = parsePublicKey(blob);
  if (publicKey.type !== type) {
    throw new KeyFormatError(`the line says ${type} but the key is ${publicKey.type}`, { type });
  }
  return { publicKey, comment: (m[3] ?? '').trim() };
}

function parseRfc4716(lines: readonly string[]): PublicKeyWithComment {
  const end = lines.findIndex((l) => l.trim() === RFC4716_END);
  if (end < 0) throw new KeyFormatError(`truncated: no "${RFC4716_END}" line`);
  const headers = new Map<string, string>();
  let i = 1;
  while (i < end && (lines[i] ?? '').includes(':')) {
    let line = lines[i++] ?? '';
    while (line.endsWith('\\') && i < end) line = line.slice(0, -1) + (lines[i++] ?? '');
    const colon = line.indexOf(':');
    const tag = line.slice(0, colon);
    if (tag.length === 0 || tag.length > 64 || !/^[\x21-\x39\x3b-\x7e]+$/.test(tag)) {
      throw new KeyFormatError(`bad RFC 4716 header "${line.slice(0, 40)}"`);
    }
    // Header tags are case-insensitive (§3.3); the first of a repeated tag wins.
    const key = tag.toLowerCase();
    if (!headers.has(key)) headers.set(key, line.slice(colon + 1).trim());
  }
  const blob = decodeBase64Strict(lines.slice(i, end).join(''), 'RFC 4716 public key');
  let comment = headers.get('comment') ?? '';
  if (comment.length >= 2 && comment.startsWith('"') && comment.endsWith('"')) {
    comment = comment.slice(1, -1);
  }
  return { publicKey: parsePublicKey(blob), comment };
}

/**
 * Parses a public key in either form. In OpenSSH form the first line that is not blank or a
 * "#" comment is the key.
 */
export function parsePublicKeyText(text: string): PublicKeyWithComment {
  // Only trailing white space is dropped: an RFC 4716 continuation line may start with a space.
  const lines = text.split(/\r\n|\r|\n/).map((l) => l.trimEnd());
  const first = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const line = lines[first]?.trim();
  if (line === undefined) throw new KeyFormatError('no public key in the text');
  if (line === RFC4716_BEGIN) return parseRfc4716(lines.slice(first));
  if (line.startsWith('-----BEGIN ') || line.startsWith('PuTTY-User-Key-File-')) {
    throw new KeyFormatError('this is a private key file, not a public key');
  }
  return parseOneLine(line);
}

/** The OpenSSH one-line form: "<type> <base64>[ <comment>]", no newline. */
export function formatOpenSshPublicKey(key: PublicKey, comment = ''): string {
  const c = comment.replace(/[\r\n]+/g, ' ').trim();
  const line = `${key.type} ${Buffer.from(key.blob).toString('base64')}`;
  return c === '' ? line : `${line} ${c}`;
}

/** Splits one header line into ≤ 72-byte lines joined by "\" continuations (§3.3). */
function wrapHeader(line: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const ch of line) {
    // Room for the continuation backslash on every line but the last.
    if (Buffer.byteLength(current + ch) > RFC4716_LINE - 1) {
      out.push(`${current}\\`);
      current = '';
    }
    current += ch;
  }
  out.push(current);
  return out;
}

/** The RFC 4716 form, base64 in lines of 70 as ssh-keygen -e writes it, ending in "\n". */
export function formatRfc4716PublicKey(key: PublicKey, comment = ''): string {
  const lines = [RFC4716_BEGIN];
  const c = comment.replace(/[\r\n"]+/g, ' ').trim();
  if (c !== '') lines.push(...wrapHeader(`Comment: "${c}"`));
  lines.push(
    ...(Buffer.from(key.blob)
      .toString('base64')
      .match(/.{1,70}/g) ?? []),
  );
  lines.push(RFC4716_END);
  return lines.join('\n') + '\n';
}

/** Parses a public key file (id_ed25519.pub, or an RFC 4716 export). */
export async function loadPublicKeyFile(path: string): Promise<PublicKeyWithComment> {
  const data = await readBounded(path, MAX_PUBLIC_FILE_BYTES);
  try {
    if (data.length > MAX_PUBLIC_FILE_BYTES) {
      throw new KeyFormatError('too large for a public key file');
    }
    const text = decodeUtf8(data);
    if (text === null) throw new KeyFormatError('not UTF-8 text');
    return parsePublicKeyText(text);
  } catch (e) {
    if (e instanceof KeyFormatError || e instanceof ProtocolError) {
      throw keyFileError(path, e.message, e.details, { cause: e });
    }
    throw e;
  }
}
