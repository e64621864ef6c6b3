/**
 * Making a new key pair on disk, as ssh-keygen does: the private key in openssh-key-v1 form
 * (mode 0600) and `<path>.pub` (0644) holding `type base64 comment`. Each file is written to a
 * temporary name in the same directory, fsynced, then linked into place, so a file is either
 * absent or complete, and an existing key is never overwritten.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { parsePublicKey } from '../crypto/hostkey/parse.js';
import type { PublicKey } from '../crypto/hostkey/types.js';
import { utf8 } from '../wire/bytes.js';
import { generateKeyParts, type GeneratedKeyType } from './generate.js';
import { formatOpenSshPrivateKey } from './openssh-key-writer.js';
import { partsBlob, wipeParts } from './private-key.js';
import { formatOpenSshPublicKey } from './public-key-file.js';

export interface NewKeyFileOptions {
  /** RSA: modulus bits (default 3072); ECDSA: the curve's bits if given. */
  readonly bits?: number;
  readonly comment?: string;
  readonly passphrase?: string;
  /** bcrypt-pbkdf rounds when a passphrase is given. */
  readonly rounds?: number;
  /** Replace existing files (the user agreed to overwrite); each is still replaced atomically. */
  readonly replace?: boolean;
}

export interface NewKeyFile {
  readonly path: string;
  readonly publicPath: string;
  readonly publicKey: PublicKey;
  /** The .pub file's line, without its newline. */
  readonly publicLine: string;
}

/** Thrown when the key file (or its .pub) is already there. */
export class KeyFileExistsError extends ConfigError {
  override readonly code: string = 'KEY_FILE_EXISTS';
  constructor(path: string) {
    super(`${path} already exists`, { path });
  }
}

/**
 * Writes `data` to `path` atomically with `mode`: a temporary file in the same directory,
 * fsynced, then linked into place (failing if `path` exists) or, with `replace`, renamed over it.
 */
export async function placeNew(
  path: string,
  data: Uint8Array,
  mode: number,
  replace = false,
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fsp.open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode); // the umask may have narrowed or (for .pub) not mattered
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (replace) {
    try {
      await fsp.rename(temp, path);
    } catch (e) {
      await fsp.unlink(temp).catch(() => {});
      throw e;
    }
    return;
  }
  try {
    await fsp.link(temp, path); // fails with EEXIST rather than replacing a key
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'EEXIST')
      throw new KeyFileExistsError(path);
    throw e;
  } finally {
    await fsp.unlink(temp).catch(() => {});
  }
}

/** Generates a key of `type` and writes `path` and `path.pub`. */
export async function writeNewKeyFile(
  path: string,
  type: GeneratedKeyType,
  o: NewKeyFileOptions = {},
): Promise<NewKeyFile> {
  const publicPath = `${path}.pub`;
  for (const p of o.replace === true ? [] : [path, publicPath]) {
    const there = await fsp.lstat(p).then(
      () => true,
      () => false,
    );
    if (there) throw new KeyFileExistsError(p);
  }
  const parts = generateKeyParts(type, o.bits);
  try {
    const publicKey = parsePublicKey(partsBlob(parts));
    const text = await formatOpenSshPrivateKey(parts, {
      ...(o.comment !== undefined ? { comment: o.comment } : {}),
      ...(o.passphrase !== undefined ? { passphrase: o.passphrase } : {}),
      ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
    });
    const publicLine = formatOpenSshPublicKey(publicKey, o.comment ?? '').trimEnd();
    await placeNew(path, utf8(text), 0o600, o.replace);
    await placeNew(publicPath, utf8(`${publicLine}\n`), 0o644, o.replace);
    return { path, publicPath, publicKey, publicLine };
  } finally {
    wipeParts(parts);
  }
}
