/**
 * PKCS#11 URIs (RFC 7512): `pkcs11:` path attributes separated by `;`, an optional `?` and
 * query attributes separated by `&`, values percent-encoded (RFC 3986 §2.1).
 *
 *   path   token, manufacturer, serial, model, library-manufacturer, library-description,
 *          library-version, object, type, id, slot-manufacturer, slot-description, slot-id
 *   query  pin-value, pin-source, module-name, module-path
 *
 * An attribute appears at most once (§2.3). `id` is raw bytes (usually all percent-encoded,
 * `id=%01`); every other value is UTF-8 text. Vendor attributes (`x-…`) are kept as text and
 * otherwise ignored. Unknown standard attributes, bad percent-encoding, bad UTF-8 and repeated
 * attributes are a Pkcs11UriError naming what was wrong, as is a URI longer than 4 KiB.
 * formatPkcs11Uri writes the canonical form OpenSSH's ssh-pkcs11-uri.c writes: id, object,
 * token, manufacturer, serial (those present) and module-path in the query.
 */
import { decodeUtf8, utf8 } from '../../wire/bytes.js';
import { Pkcs11UriError } from './errors.js';

export const PKCS11_URI_MAX_LENGTH = 4096;

const PATH_TEXT = [
  'token',
  'manufacturer',
  'serial',
  'model',
  'library-manufacturer',
  'library-description',
  'library-version',
  'object',
  'slot-manufacturer',
  'slot-description',
  'slot-id',
] as const;
const QUERY_TEXT = ['pin-value', 'pin-source', 'module-name', 'module-path'] as const;
const OBJECT_TYPES = ['public', 'private', 'cert', 'secret-key', 'data'] as const;

export type Pkcs11PathAttribute = (typeof PATH_TEXT)[number];
export type Pkcs11QueryAttribute = (typeof QUERY_TEXT)[number];
export type Pkcs11ObjectType = (typeof OBJECT_TYPES)[number];

export interface Pkcs11Uri {
  /** Text path attributes that were given, decoded. */
  readonly path: Readonly<Partial<Record<Pkcs11PathAttribute, string>>>;
  /** CKA_ID, when given. */
  readonly id?: Uint8Array;
  readonly type?: Pkcs11ObjectType;
  readonly query: Readonly<Partial<Record<Pkcs11QueryAttribute, string>>>;
  /** Vendor-specific attributes (`x-…`), path and query together. */
  readonly vendor: Readonly<Record<string, string>>;
}

/** Decodes %XX escapes; a `%` not followed by two hex digits is an error. */
function percentDecode(text: string, uri: string, attr: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new Pkcs11UriError(uri, `bad percent-encoding in ${attr}`);
      }
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (c > 0x7e || c < 0x21) {
      // RFC 3986: only printable ASCII may appear literally; the rest must be encoded
      throw new Pkcs11UriError(uri, `character that must be percent-encoded in ${attr}`);
    } else {
      out.push(c);
    }
  }
  return Uint8Array.from(out);
}

function decodeText(text: string, uri: string, attr: string): string {
  const s = decodeUtf8(percentDecode(text, uri, attr));
  if (s === null) throw new Pkcs11UriError(uri, `${attr} is not UTF-8`);
  return s;
}

function isOneOf<T extends string>(v: string, list: readonly T[]): v is T {
  return (list as readonly string[]).includes(v);
}

export function isPkcs11Uri(text: string): boolean {
  return /^pkcs11:/i.test(text);
}

export function parsePkcs11Uri(uri: string): Pkcs11Uri {
  if (uri.length > PKCS11_URI_MAX_LENGTH) {
    throw new Pkcs11UriError(uri.slice(0, 64) + '…', `longer than ${PKCS11_URI_MAX_LENGTH}`);
  }
  if (!isPkcs11Uri(uri)) throw new Pkcs11UriError(uri, 'does not start with "pkcs11:"');
  const body = uri.slice('pkcs11:'.length);
  const q = body.indexOf('?');
  const pathText = q < 0 ? body : body.slice(0, q);
  const queryText = q < 0 ? '' : body.slice(q + 1);
  const seen = new Set<string>();
  const path: Partial<Record<Pkcs11PathAttribute, string>> = {};
  const query: Partial<Record<Pkcs11QueryAttribute, string>> = {};
  const vendor: Record<string, string> = {};
  let id: Uint8Array | undefined;
  let type: Pkcs11ObjectType | undefined;

  const split = (text: string, sep: string): [string, string][] =>
    text === ''
      ? []
      : text.split(sep).map((part) => {
          const eq = part.indexOf('=');
          if (eq <= 0) throw new Pkcs11UriError(uri, `"${part}" is not name=value`);
          const name = part.slice(0, eq).toLowerCase();
          if (seen.has(name)) throw new Pkcs11UriError(uri, `${name} is given twice`);
          seen.add(name);
          return [name, part.slice(eq + 1)];
        });

  for (const [name, raw] of split(pathText, ';')) {
    if (name === 'id') id = percentDecode(raw, uri, name);
    else if (name === 'type') {
      const t = decodeText(raw, uri, name);
      if (!isOneOf(t, OBJECT_TYPES)) throw new Pkcs11UriError(uri, `unknown object type "${t}"`);
      type = t;
    } else if (isOneOf(name, PATH_TEXT)) path[name] = decodeText(raw, uri, name);
    else if (name.startsWith('x-')) vendor[name] = decodeText(raw, uri, name);
    else throw new Pkcs11UriError(uri, `unknown path attribute "${name}"`);
  }
  for (const [name, raw] of split(queryText, '&')) {
    if (isOneOf(name, QUERY_TEXT)) query[name] = decodeText(raw, uri, name);
    else if (name.startsWith('x-')) vendor[name] = decodeText(raw, uri, name);
    else throw new Pkcs11UriError(uri, `unknown query attribute "${name}"`);
  }
  if (query['pin-value'] !== undefined && query['pin-source'] !== undefined) {
    throw new Pkcs11UriError(uri, 'pin-value and pin-source exclude each other');
  }
  return {
    path,
    ...(id !== undefined ? { id } : {}),
    ...(type !== undefined ? { type } : {}),
    query,
    vendor,
  };
}

/** Characters that stay literal in a value: RFC 7512 pk11-pchar, and pk11-qchar for queries. */
const PATH_LITERAL = /[A-Za-z0-9\-._~:[\]@!$'()*+,=]/;
const QUERY_LITERAL = /[A-Za-z0-9\-._~:[\]@!$'()*+,=/?|]/;

function encodeValue(value: string | Uint8Array, literal: RegExp | null): string {
  const bytes = typeof value === 'string' ? utf8(value) : value;
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += literal?.test(ch) ? ch : `%${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export interface Pkcs11UriParts {
  readonly id?: Uint8Array;
  readonly object?: string;
  readonly token?: string;
  readonly manufacturer?: string;
  readonly serial?: string;
  readonly modulePath?: string;
}

/** `pkcs11:id=%01;object=…;token=…;manufacturer=…;serial=…?module-path=…`. */
export function formatPkcs11Uri(p: Pkcs11UriParts): string {
  const path: string[] = [];
  if (p.id !== undefined && p.id.length > 0) path.push(`id=${encodeValue(p.id, null)}`);
  if (p.object !== undefined) path.push(`object=${encodeValue(p.object, PATH_LITERAL)}`);
  if (p.token !== undefined) path.push(`token=${encodeValue(p.token, PATH_LITERAL)}`);
  if (p.manufacturer !== undefined) {
    path.push(`manufacturer=${encodeValue(p.manufacturer, PATH_LITERAL)}`);
  }
  if (p.serial !== undefined) path.push(`serial=${encodeValue(p.serial, PATH_LITERAL)}`);
  const query =
    p.modulePath !== undefined ? `?module-path=${encodeValue(p.modulePath, QUERY_LITERAL)}` : '';
  return `pkcs11:${path.join(';')}${query}`;
}
