/**
 * Where a token's user PIN comes from (RFC 7512 §2.3): the URI's `pin-value`, or its
 * `pin-source` naming a file (`file:` URI or a plain path; its first line is the PIN), or else a
 * callback that asks a person, told the token's label and what the token says about the PIN
 * (count low, final try). A `|command` pin-source is refused: running programs named in a URI
 * that may come from a config file is not something a key source should do.
 */
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../errors.js';
import { readBounded } from '../file-io.js';
import type { PinStatus } from './errors.js';
import type { Pkcs11Uri } from './uri.js';

/** A PIN never needs more than this (PKCS#11 tokens cap ulMaxPinLen far below). */
const PIN_FILE_LIMIT = 1024;

export interface PinPrompt {
  /** The token's label (CK_TOKEN_INFO.label, trimmed). */
  readonly token: string;
  readonly status: PinStatus;
}

/** Answers the PIN, or null when the person declines. */
export type PinCallback = (prompt: PinPrompt) => Promise<string | null>;

/** The PIN the URI carries (pin-value, or read from pin-source), or undefined for none. */
export async function pinFromUri(uri: Pkcs11Uri | undefined): Promise<string | undefined> {
  const value = uri?.query['pin-value'];
  if (value !== undefined) return value;
  const source = uri?.query['pin-source'];
  if (source === undefined) return undefined;
  if (source.startsWith('|')) {
    throw new ConfigError('pin-source commands ("|…") are not run; name a file', { source });
  }
  const path = source.startsWith('file:') ? fileURLToPath(source) : source;
  let bytes: Uint8Array;
  try {
    bytes = await readBounded(path, PIN_FILE_LIMIT, { privateKey: true });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ConfigError(`pin-source ${path}: ${why}`, { path }, { cause: e });
  }
  if (bytes.length > PIN_FILE_LIMIT) {
    throw new ConfigError(`pin-source ${path}: longer than ${PIN_FILE_LIMIT} bytes`, { path });
  }
  return (Buffer.from(bytes).toString('utf8').split(/\r?\n/)[0] ?? '').trimEnd();
}
