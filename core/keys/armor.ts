/**
 * Text framing of key files: strict base64 (RFC 4648 §4) and PEM armor (RFC 7468, with the
 * RFC 1421 encapsulated headers that legacy encrypted OpenSSL keys carry: "Proc-Type:
 * 4,ENCRYPTED" and "DEK-Info: AES-128-CBC,<iv hex>").
 *
 *   -----BEGIN <label>-----
 *   [Header: value]…  (then one blank line)
 *   base64 lines
 *   -----END <label>-----
 *
 * Problems throw KeyFormatError with the cause only; the loader adds the file name.
 */
import { KeyFormatError } from '../errors.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes base64, whitespace ignored; anything else that is not base64 is an error. */
export function decodeBase64Strict(text: string, what: string): Uint8Array {
  const clean = text.replace(/[ \t\r\n]+/g, '');
  if (clean.length === 0) throw new KeyFormatError(`${what}: no base64 data`);
  if (!BASE64.test(clean)) {
    throw new KeyFormatError(`${what}: invalid base64 (truncated or corrupt)`);
  }
  const b = Buffer.from(clean, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export interface PemBlock {
  readonly label: string;
  /** Encapsulated headers (RFC 1421 §4.6), names as written. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array;
  /** The block from its BEGIN line to its END line, with \n line ends: what node:crypto reads. */
  readonly text: string;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----\s*$/;
const HEADER = /^([A-Za-z0-9-]+):\s*(.*)$/;

/** The label of the first BEGIN line in `text`, or undefined when there is none. */
export function pemLabel(text: string): string | undefined {
  for (const line of text.split(/\r\n|\r|\n/)) {
    const m = BEGIN.exec(line.trim());
    if (m !== null) return m[1];
  }
  return undefined;
}

/** The first PEM block in `text`. Throws when it has no END line or its body is not base64. */
export function readPemBlock(text: string): PemBlock {
  const lines = text.split(/\r\n|\r|\n/).map((l) => l.trim());
  let i = 0;
  let label: string | undefined;
  for (; i < lines.length && label === undefined; i++) label = BEGIN.exec(lines[i] ?? '')?.[1];
  if (label === undefined) throw new KeyFormatError('no PEM BEGIN line');
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const endAt = lines.indexOf(end, i);
  if (endAt < 0) throw new KeyFormatError(`truncated: no "${end}" line`);
  let bodyLines = lines.slice(i, endAt);
  const headers = new Map<string, string>();
  if (bodyLines.some((l) => l.includes(':'))) {
    // Headers run up to the first blank line; a value may continue on indented lines, which
    // the trim above has flattened: join them back to the previous header.
    const blank = bodyLines.indexOf('');
    if (blank < 0) throw new KeyFormatError('PEM headers without the blank line after them');
    let last: string | undefined;
    for (const l of bodyLines.slice(0, blank)) {
      const m = HEADER.exec(l);
      if (m !== null && m[1] !== undefined) {
        last = m[1];
        headers.set(last, m[2] ?? '');
      } else if (last !== undefined) {
        headers.set(last, (headers.get(last) ?? '') + l);
      } else {
        throw new KeyFormatError(`malformed PEM header line "${l.slice(0, 40)}"`);
      }
    }
    bodyLines = bodyLines.slice(blank + 1);
  }
  const body = decodeBase64Strict(bodyLines.join(''), `PEM ${label}`);
  const headerText = [...headers].map(([k, v]) => `${k}: ${v}\n`).join('');
  const blockText =
    `${begin}\n` +
    (headerText === '' ? '' : `${headerText}\n`) +
    `${(
      Buffer.from(body)
        .toString('base64')
        .match(/.{1,64}/g) ?? []
    ).join('\n')}\n${end}\n`;
  return { label, headers, body, text: blockText };
}
