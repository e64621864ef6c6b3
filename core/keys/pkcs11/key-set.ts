/**
 * The PKCS#11 key source: from a `pkcs11:` URI (RFC 7512) or a module path (ssh's
 * PKCS11Provider, ssh-keygen -D) to the matching keys of every matching token, as Signers.
 *
 * The module is the URI's module-path, else the given provider. Tokens are selected by the
 * URI's token attributes, keys by id, object and type. Listing needs no PIN; the PIN is asked
 * for (or taken from the URI) the first time a key of a token signs. close() closes every
 * session and finalises the module: call it when the connection ends.
 */
import { Pkcs11Error, Pkcs11KeyNotFoundError, redactPin } from './errors.js';
import { Pkcs11Module } from './module.js';
import type { PinCallback } from './pin.js';
import { readPublicKeys } from './public-keys.js';
import { Pkcs11Signer } from './signer.js';
import { Pkcs11Token } from './token.js';
import { listTokens, tokenMatches } from './tokens.js';
import { formatPkcs11Uri, isPkcs11Uri, parsePkcs11Uri, type Pkcs11Uri } from './uri.js';

export interface OpenPkcs11Options {
  /** The module when the URI names none (PKCS11Provider). */
  readonly provider?: string;
  /** Asks for a token's PIN when the URI carries none. */
  readonly askPin?: PinCallback;
  /** Told about token objects that cannot be SSH keys. */
  readonly warn?: (message: string) => void;
}

export interface Pkcs11KeySet {
  readonly modulePath: string;
  readonly keys: readonly Pkcs11Signer[];
  /** Ends every session and finalises the module. Idempotent. */
  close(): void;
}

/**
 * Opens `spec` (a pkcs11: URI, or a module path meaning every key of every token). Throws
 * Pkcs11UriError, Pkcs11ModuleError, or Pkcs11KeyNotFoundError when nothing matches.
 */
export function openPkcs11Keys(spec: string, o: OpenPkcs11Options = {}): Pkcs11KeySet {
  let uri: Pkcs11Uri | undefined;
  let modulePath: string | undefined;
  if (isPkcs11Uri(spec)) {
    uri = parsePkcs11Uri(spec);
    modulePath = uri.query['module-path'] ?? o.provider;
    if (modulePath === undefined) {
      throw new Pkcs11Error(
        'module',
        `${redactPin(spec)}: no module-path in the URI and no PKCS11Provider given`,
      );
    }
  } else {
    modulePath = spec;
  }
  const m = Pkcs11Module.open(modulePath);
  const tokens: Pkcs11Token[] = [];
  const close = (): void => {
    for (const t of tokens) t.close();
    m.close();
  };
  try {
    const keys: Pkcs11Signer[] = [];
    const present = listTokens(m).filter((t) => uri === undefined || tokenMatches(t, uri));
    for (const info of present) {
      const token = new Pkcs11Token(m, info, uri, o.askPin);
      tokens.push(token);
      for (const k of readPublicKeys(m, token.session, uri, o.warn ?? (() => {}))) {
        const keyUri = formatPkcs11Uri({
          id: k.id,
          ...(k.label !== '' ? { object: k.label } : {}),
          token: info.label,
          manufacturer: info.manufacturer,
          serial: info.serial,
          modulePath: m.path,
        });
        keys.push(new Pkcs11Signer(token, k, keyUri));
      }
    }
    if (keys.length === 0) {
      throw new Pkcs11KeyNotFoundError(
        present.length === 0
          ? `${redactPin(spec)}: no matching token in ${m.path}`
          : `${redactPin(spec)}: no matching RSA or ECDSA key on token '${present.map((t) => t.label).join("', '")}'`,
        { spec: redactPin(spec), modulePath: m.path },
      );
    }
    return { modulePath: m.path, keys, close };
  } catch (e) {
    close();
    throw e;
  }
}
