/**
 * PuTTY private key files, .ppk versions 2 and 3 (PuTTY manual, appendix C "PPK file format"):
 *
 *   PuTTY-User-Key-File-<2|3>: <key type>
 *   Encryption: none | aes256-cbc
 *   Comment: <text>
 *   Public-Lines: <n>          then n lines of base64: the public key blob
 *   Key-Derivation: Argon2id | Argon2i | Argon2d       (v3, encrypted only, and then:)
 *   Argon2-Memory: <KiB>   Argon2-Passes: <t>   Argon2-Parallelism: <p>   Argon2-Salt: <hex>
 *   Private-Lines: <n>         then n lines of base64: the private blob (private-key.ts)
 *   Private-MAC: <hex>
 *
 * Keys (C.4, C.5.1): v3 runs Argon2 (no secret, no associated data) for 80 bytes: AES key ‖
 * IV ‖ MAC key; unencrypted, all three are empty. v2: AES key = first 32 bytes of
 * SHA-1(be32(0) ‖ pass) ‖ SHA-1(be32(1) ‖ pass), IV zero, MAC key = SHA-1("putty-private-key-
 * file-mac-key" ‖ pass), with pass empty when unencrypted.
 * MAC: HMAC-SHA-256 (v3) or HMAC-SHA-1 (v2) over string type ‖ string encryption ‖ string
 * comment ‖ string public blob ‖ string private blob (decrypted, with its padding). A MAC
 * mismatch is a wrong passphrase when encrypted, and corruption when not.
 *
 * Our bounds on Argon2 parameters from the file: memory ≤ 256 MiB, memory × passes ≤ 2^23
 * KiB (about 35 s here; puttygen's default, 8 MiB × ~20 passes, takes under a second).
 */
import { cbc } from '@noble/ciphers/aes.js';
import { argon2dAsync, argon2iAsync, argon2idAsync } from '@noble/hashes/argon2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { KeyFormatError } from '../errors.js';
import { hash } from '../crypto/hash.js';
import { parsePublicKey } from '../crypto/hostkey/parse.js';
import { concatBytes, constantTimeEqual, decodeUtf8, utf8, wipe } from '../wire/bytes.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';
import { decodeBase64Strict } from './armor.js';
import type { KeyFile, Unlocked } from './key-file.js';
import { readPpkPrivate, unsupportedTypeReason } from './private-key.js';

export const PPK_MAX_ARGON2_MEMORY_KIB = 256 * 1024;
export const PPK_MAX_ARGON2_WORK = 1 << 23;
const MAX_LINES = 1024;
const MAX_PARALLELISM = 64;

type Argon2Flavour = 'Argon2id' | 'Argon2i' | 'Argon2d';
const argon2: Readonly<Record<Argon2Flavour, typeof argon2idAsync>> = {
  Argon2id: argon2idAsync,
  Argon2i: argon2iAsync,
  Argon2d: argon2dAsync,
};

interface Argon2Params {
  readonly flavour: Argon2Flavour;
  readonly memory: number;
  readonly passes: number;
  readonly parallelism: number;
  readonly salt: Uint8Array;
}

/** The header lines of a .ppk file, read in their fixed order. */
class Lines {
  readonly #lines: string[];
  #at = 0;

  constructor(text: string) {
    this.#lines = text.split(/\r\n|\r|\n/);
    while (this.#lines.at(-1) === '') this.#lines.pop(); // the final newline, blank lines
  }

  /** The value of the next line, which must be "<name>: <value>". */
  header(name: string): string {
    const line = this.#lines[this.#at++];
    if (line === undefined) throw new KeyFormatError(`truncated: no "${name}" line`);
    if (!line.startsWith(`${name}: `)) {
      throw new KeyFormatError(
        `expected "${name}:" at line ${this.#at}, found "${line.slice(0, 40)}"`,
      );
    }
    return line.slice(name.length + 2);
  }

  peekIs(name: string): boolean {
    return this.#lines[this.#at]?.startsWith(`${name}: `) ?? false;
  }

  number(name: string, min: number, max: number): number {
    const v = this.header(name);
    const n = /^\d{1,10}$/.test(v) ? Number(v) : NaN;
    if (!(n >= min && n <= max)) throw new KeyFormatError(`${name} ${v} is not in ${min}..${max}`);
    return n;
  }

  /** "<name>-Lines: n" and the n lines of base64 after it. */
  blob(name: string): Uint8Array {
    const count = this.number(`${name}-Lines`, 1, MAX_LINES);
    const body = this.#lines.slice(this.#at, this.#at + count);
    if (body.length < count) throw new KeyFormatError(`truncated: ${name.toLowerCase()} key lines`);
    this.#at += count;
    return decodeBase64Strict(body.join(''), `${name.toLowerCase()} key`);
  }
}

/** Hex to bytes; exactly `length` bytes when given. */
function hexBytes(name: string, v: string, length?: number): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(v) || (length !== undefined && v.length !== 2 * length)) {
    throw new KeyFormatError(`${name} is not ${length ?? 'whole'} bytes of hex`);
  }
  return new Uint8Array(Buffer.from(v, 'hex'));
}

function readArgon2(lines: Lines): Argon2Params {
  const flavour = lines.header('Key-Derivation');
  if (flavour !== 'Argon2id' && flavour !== 'Argon2i' && flavour !== 'Argon2d') {
    throw new KeyFormatError(`unsupported key derivation "${flavour}"`);
  }
  const memory = lines.number('Argon2-Memory', 8, PPK_MAX_ARGON2_MEMORY_KIB);
  const passes = lines.number('Argon2-Passes', 1, PPK_MAX_ARGON2_WORK);
  const parallelism = lines.number('Argon2-Parallelism', 1, MAX_PARALLELISM);
  const salt = hexBytes('Argon2-Salt', lines.header('Argon2-Salt'));
  if (memory * passes > PPK_MAX_ARGON2_WORK) {
    throw new KeyFormatError(
      `Argon2 cost ${memory} KiB × ${passes} passes is over ${PPK_MAX_ARGON2_WORK} (refused: it would take too long)`,
    );
  }
  if (memory < 8 * parallelism || salt.length < 8 || salt.length > 1024) {
    throw new KeyFormatError('Argon2 parameters are invalid');
  }
  return { flavour, memory, passes, parallelism, salt };
}

/** v2's SHA-1 derivations (C.5.1). */
function v2Keys(pass: Uint8Array): { key: Uint8Array; iv: Uint8Array; macKey: Uint8Array } {
  const h0 = hash('sha1', Uint8Array.of(0, 0, 0, 0), pass);
  const h1 = hash('sha1', Uint8Array.of(0, 0, 0, 1), pass);
  const key = concatBytes(h0, h1).slice(0, 32);
  wipe(h0, h1);
  const macKey = hash('sha1', utf8('putty-private-key-file-mac-key'), pass);
  return { key, iv: new Uint8Array(16), macKey };
}

export function readPpkFile(text: string): KeyFile {
  const lines = new Lines(text);
  const first = /^PuTTY-User-Key-File-(\d+): (.*)$/.exec(text.split(/\r\n|\r|\n/, 1)[0] ?? '');
  const version = first?.[1];
  if (version !== '2' && version !== '3') {
    throw new KeyFormatError(`unsupported PuTTY key file version ${version ?? '?'} (2 and 3 are)`);
  }
  const algorithm = lines.header(`PuTTY-User-Key-File-${version}`);
  const encryption = lines.header('Encryption');
  if (encryption !== 'none' && encryption !== 'aes256-cbc') {
    throw new KeyFormatError(`unsupported PuTTY key encryption "${encryption}"`);
  }
  const encrypted = encryption !== 'none';
  // The text was decoded as latin1, so this gives back the comment's exact bytes.
  const commentBytes = new Uint8Array(Buffer.from(lines.header('Comment'), 'latin1'));
  const publicBlob = lines.blob('Public');
  const kdf = version === '3' && encrypted ? readArgon2(lines) : undefined;
  const privateBlob = lines.blob('Private');
  const mac = hexBytes('Private-MAC', lines.header('Private-MAC'), version === '3' ? 32 : 20);
  if (lines.peekIs('Private-MAC')) throw new KeyFormatError('two Private-MAC lines');

  const type = new SshReader(publicBlob, 'public key blob').readAscii();
  const unsupported = unsupportedTypeReason(type);
  if (unsupported !== undefined) throw new KeyFormatError(unsupported, { type });
  if (type !== algorithm) {
    throw new KeyFormatError(`the header says ${algorithm} but the public key is ${type}`);
  }
  parsePublicKey(publicBlob);
  if (encrypted && privateBlob.length % 16 !== 0) {
    throw new KeyFormatError(
      `encrypted private blob of ${privateBlob.length} bytes is not whole AES blocks`,
    );
  }

  const verify = (macKey: Uint8Array, plain: Uint8Array): boolean => {
    const data = new SshWriter(plain.length + publicBlob.length + 128)
      .writeString(algorithm)
      .writeString(encryption)
      .writeString(commentBytes)
      .writeString(publicBlob)
      .writeString(plain)
      .toBytes();
    const expected = hmac(version === '3' ? sha256 : sha1, macKey, data);
    wipe(data);
    return constantTimeEqual(expected, mac);
  };

  const finish = (plain: Uint8Array): Unlocked => {
    const r = new SshReader(plain, 'PuTTY private blob');
    const parts = readPpkPrivate(publicBlob, r);
    if (r.remaining >= (encrypted ? 16 : 1)) {
      throw new KeyFormatError('trailing bytes after the private key');
    }
    const comment = decodeUtf8(commentBytes) ?? Buffer.from(commentBytes).toString('latin1');
    return { material: { kind: 'parts', parts }, comment };
  };

  return {
    format: 'ppk',
    encrypted,
    publicBlob,
    async unlock(passphrase) {
      if (!encrypted) {
        if (
          !verify(
            version === '3' ? new Uint8Array(0) : v2Keys(new Uint8Array(0)).macKey,
            privateBlob,
          )
        ) {
          throw new KeyFormatError('MAC mismatch: the file is corrupt or was modified');
        }
        return finish(privateBlob);
      }
      const pass = utf8(passphrase ?? '');
      let keys: { key: Uint8Array; iv: Uint8Array; macKey: Uint8Array };
      if (kdf === undefined) {
        keys = v2Keys(pass);
      } else {
        const out = await argon2[kdf.flavour](pass, kdf.salt, {
          t: kdf.passes,
          m: kdf.memory,
          p: kdf.parallelism,
          dkLen: 80,
          asyncTick: 20,
        });
        keys = { key: out.slice(0, 32), iv: out.slice(32, 48), macKey: out.slice(48, 80) };
        wipe(out);
      }
      wipe(pass);
      const plain = cbc(keys.key, keys.iv, { disablePadding: true }).decrypt(privateBlob);
      const ok = verify(keys.macKey, plain);
      wipe(keys.key, keys.iv, keys.macKey);
      try {
        return ok ? finish(plain) : undefined;
      } finally {
        wipe(plain);
      }
    },
  };
}
