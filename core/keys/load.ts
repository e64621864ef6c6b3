/**
 * Loading a private key file into a FileSigner: read (bounded), recognise the format
 * (key-file.ts), ask for a passphrase when the file is encrypted, decrypt, and prove the key
 * by signing (signer.ts).
 *
 * Passphrases come through a callback, asked again after a wrong one, up to `attempts` times
 * (default 3, ssh's NumberOfPasswordPrompts). Outcomes, all naming the file:
 *   WrongPassphraseError      every passphrase tried was wrong
 *   PassphraseCancelledError  the callback answered null
 *   PassphraseRequiredError   the file is encrypted and there is no callback
 *   KeyFormatError            malformed, truncated, corrupt or unsupported, with the cause
 * A file that cannot be read rejects with node's own error (code ENOENT, EACCES, …), so
 * callers can skip absent default identities as ssh does.
 */
import { KeyFormatError, ProtocolError } from '../errors.js';
import { readBounded } from './file-io.js';
import {
  keyFileError,
  PassphraseCancelledError,
  PassphraseRequiredError,
  WrongPassphraseError,
} from './errors.js';
import { MAX_KEY_FILE_BYTES, readKeyFile, type KeyFile, type Unlocked } from './key-file.js';
import { parsePublicKey } from '../crypto/hostkey/parse.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { FileSigner, type KeyFileFormat } from './signer.js';

export interface PassphrasePrompt {
  /** The file (or source) being unlocked. */
  readonly path: string;
  /** 1 for the first ask, 2 after one wrong passphrase, … */
  readonly attempt: number;
}

/** Answers a passphrase, or null when the user gives up on this key. */
export type PassphraseCallback = (prompt: PassphrasePrompt) => Promise<string | null>;

export interface LoadPrivateKeyOptions {
  readonly passphrase?: PassphraseCallback;
  /** Passphrases to try before WrongPassphraseError; default 3. */
  readonly attempts?: number;
}

export interface ParsePrivateKeyOptions extends LoadPrivateKeyOptions {
  /** Names the key in errors, prompts and Signer.source; default "private key". */
  readonly source?: string;
}

export const DEFAULT_PASSPHRASE_ATTEMPTS = 3;

/** KeyFormatError and the SshReader's ProtocolError, restated to name the file. */
export function named(source: string, e: unknown): unknown {
  if (e instanceof KeyFormatError || e instanceof ProtocolError) {
    return keyFileError(source, e.message, e.details, { cause: e });
  }
  return e;
}

/** Decrypts a key file, asking for its passphrase as the options say (see the header). */
export async function unlockWithPrompts(
  file: KeyFile,
  source: string,
  options: LoadPrivateKeyOptions,
): Promise<Unlocked> {
  if (!file.encrypted) {
    const unlocked = await file.unlock(undefined);
    if (unlocked === undefined) throw new KeyFormatError('the file does not decode');
    return unlocked;
  }
  const ask = options.passphrase;
  if (ask === undefined) throw new PassphraseRequiredError(source);
  const attempts = options.attempts ?? DEFAULT_PASSPHRASE_ATTEMPTS;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`attempts must be ≥ 1, got ${attempts}`);
  }
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const passphrase = await ask({ path: source, attempt });
    if (passphrase === null) throw new PassphraseCancelledError(source);
    const unlocked = await file.unlock(passphrase);
    if (unlocked !== undefined) return unlocked;
  }
  throw new WrongPassphraseError(source, attempts);
}

async function signerOf(
  file: KeyFile,
  source: string,
  options: LoadPrivateKeyOptions,
): Promise<FileSigner> {
  const unlocked = await unlockWithPrompts(file, source, options);
  return FileSigner.create(unlocked.material, {
    comment: unlocked.comment,
    source,
    format: file.format,
  });
}

/** A private key from the bytes (or text) of a key file. */
export async function parsePrivateKey(
  data: Uint8Array | string,
  options: ParsePrivateKeyOptions = {},
): Promise<FileSigner> {
  const source = options.source ?? 'private key';
  const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'utf8')) : data;
  try {
    return await signerOf(readKeyFile(bytes), source, options);
  } catch (e) {
    throw named(source, e);
  }
}

/** A private key from a file; errors and prompts name `path`. */
export async function loadPrivateKeyFile(
  path: string,
  options: LoadPrivateKeyOptions = {},
): Promise<FileSigner> {
  const data = await readBounded(path, MAX_KEY_FILE_BYTES, { privateKey: true });
  try {
    return await parsePrivateKey(data, { ...options, source: path });
  } finally {
    data.fill(0);
  }
}

export interface PrivateKeyFileInfo {
  readonly path: string;
  readonly format: KeyFileFormat;
  readonly encrypted: boolean;
  /**
   * The public key when it can be had without a passphrase: openssh-key-v1 and .ppk files
   * show it in the clear, and an unencrypted PEM key yields it. Undefined for an encrypted
   * PEM key: look for "<path>.pub", as ssh does.
   */
  readonly publicKey: PublicKey | undefined;
}

/**
 * What a private key file is, without asking for a passphrase: so that a client can offer the
 * public key first and ask for the passphrase only once the server accepts it, as ssh does.
 */
export async function readPrivateKeyFileInfo(path: string): Promise<PrivateKeyFileInfo> {
  const data = await readBounded(path, MAX_KEY_FILE_BYTES);
  try {
    const file = readKeyFile(data);
    let publicKey: PublicKey | undefined;
    if (file.publicBlob !== undefined) publicKey = parsePublicKey(file.publicBlob);
    else if (!file.encrypted) publicKey = (await signerOf(file, path, {})).publicKey;
    return { path, format: file.format, encrypted: file.encrypted, publicKey };
  } catch (e) {
    throw named(path, e);
  } finally {
    data.fill(0);
  }
}
