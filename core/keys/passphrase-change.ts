/**
 * Changing a private key file's passphrase, as ssh-keygen -p does: the key is read in any
 * format the loader reads (openssh-key-v1, PEM, PKCS#8, .ppk), decrypted with the old
 * passphrase (asked through the callback), and written back over the same path in
 * openssh-key-v1 form (OpenSSH PROTOCOL.key) with the new one, aes256-ctr under bcrypt-pbkdf,
 * or unencrypted when the new passphrase is empty. The comment is kept. The file is replaced
 * atomically with mode 0600; the .pub file is left alone, as ssh-keygen leaves it.
 */
import { KeyFormatError } from '../errors.js';
import { utf8 } from '../wire/bytes.js';
import { readBounded } from './file-io.js';
import { partsFromKeyObject } from './generate.js';
import { MAX_KEY_FILE_BYTES, readKeyFile } from './key-file.js';
import { named, unlockWithPrompts, type LoadPrivateKeyOptions } from './load.js';
import { placeNew } from './new-key-file.js';
import { formatOpenSshPrivateKey } from './openssh-key-writer.js';
import { wipeParts } from './private-key.js';

export interface PassphraseChange extends LoadPrivateKeyOptions {
  /** The new passphrase; '' writes the key unencrypted. */
  readonly newPassphrase: string;
  /** bcrypt-pbkdf rounds for the new file (ssh-keygen -a). */
  readonly rounds?: number;
}

/** Rewrites `path` under a new passphrase; resolves the key's comment. */
export async function changeKeyFilePassphrase(
  path: string,
  o: PassphraseChange,
): Promise<{ comment: string }> {
  const data = await readBounded(path, MAX_KEY_FILE_BYTES, { privateKey: true });
  let text: string;
  let comment: string;
  try {
    const unlocked = await unlockWithPrompts(readKeyFile(data), path, o);
    const m = unlocked.material;
    const parts = m.kind === 'parts' ? m.parts : partsFromKeyObject(m.key);
    comment = unlocked.comment;
    try {
      text = await formatOpenSshPrivateKey(parts, {
        comment,
        passphrase: o.newPassphrase,
        ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
      });
    } finally {
      wipeParts(parts);
    }
  } catch (e) {
    throw named(path, e instanceof RangeError ? new KeyFormatError(e.message) : e);
  } finally {
    data.fill(0);
  }
  await placeNew(path, utf8(text), 0o600, true);
  return { comment };
}
