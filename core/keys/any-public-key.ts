/**
 * The public keys of any key file, for ssh-keygen -l style listings: a public key file
 * (one-line or RFC 4716), a file of such lines (authorized_keys with options, known_hosts:
 * each line that holds a key; blank and # lines skipped), or a private key file in any
 * format the loader reads (its public half when the file shows it without the passphrase,
 * else "<path>.pub"). The comment is the line's, the .pub's, or the unencrypted private key's.
 * A file that holds none of these is a KeyFormatError "… is not a public key file".
 */
import { KeyFormatError } from '../errors.js';
import { parsePublicKey } from '../crypto/hostkey/parse.js';
import { decodeUtf8 } from '../wire/bytes.js';
import { keyFileError } from './errors.js';
import { readBounded } from './file-io.js';
import { MAX_KEY_FILE_BYTES, readKeyFile } from './key-file.js';
import {
  loadPublicKeyFile,
  parsePublicKeyText,
  type PublicKeyWithComment,
} from './public-key-file.js';
import { FileSigner } from './signer.js';

/** A key inside one line of authorized_keys or known_hosts: from the first key-type word on. */
function keyInLine(line: string): PublicKeyWithComment | undefined {
  const words = line.split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    if (!/^(ssh-|ecdsa-sha2-|sk-)/.test(words[i] ?? '')) continue;
    try {
      return parsePublicKeyText(words.slice(i).join(' '));
    } catch {
      // an option value or host name that looks like a type: keep looking
    }
  }
  return undefined;
}

function publicKeysInText(text: string): PublicKeyWithComment[] {
  try {
    return [parsePublicKeyText(text)];
  } catch {
    // not one key: perhaps a file of lines
  }
  const out: PublicKeyWithComment[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const k = keyInLine(line);
    if (k !== undefined) out.push(k);
  }
  return out;
}

async function privateFilePublicKey(path: string, data: Uint8Array): Promise<PublicKeyWithComment> {
  const file = readKeyFile(data);
  const pub = await loadPublicKeyFile(`${path}.pub`).catch(() => undefined);
  if (file.publicBlob !== undefined) {
    const publicKey = parsePublicKey(file.publicBlob);
    if (pub !== undefined && Buffer.from(pub.publicKey.blob).equals(publicKey.blob)) return pub;
    if (file.encrypted) return { publicKey, comment: '' };
  }
  if (!file.encrypted) {
    const unlocked = await file.unlock(undefined);
    if (unlocked === undefined) throw new KeyFormatError('the file does not decode');
    const signer = FileSigner.create(unlocked.material, {
      comment: unlocked.comment,
      source: path,
      format: file.format,
    });
    return { publicKey: signer.publicKey, comment: signer.comment };
  }
  if (pub !== undefined) return pub;
  throw new KeyFormatError('encrypted, and no .pub file beside it');
}

export async function readAnyPublicKeys(path: string): Promise<PublicKeyWithComment[]> {
  const data = await readBounded(path, MAX_KEY_FILE_BYTES);
  try {
    if (data.length > MAX_KEY_FILE_BYTES) throw keyFileError(path, 'too large for a key file');
    const text = decodeUtf8(data);
    const keys = text === null ? [] : publicKeysInText(text);
    if (keys.length > 0) return keys;
    try {
      return [await privateFilePublicKey(path, data)];
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw keyFileError(path, `is not a public key file (${why})`, {}, { cause: e });
    }
  } finally {
    data.fill(0);
  }
}
