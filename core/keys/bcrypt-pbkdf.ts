/**
 * bcrypt_pbkdf, the passphrase KDF of openssh-key-v1 files (OpenSSH PROTOCOL.key; OpenBSD
 * bcrypt_pbkdf(3), openbsd-compat/bcrypt_pbkdf.c in OpenSSH portable).
 *
 * PBKDF2's structure with a bcrypt-derived hash in place of HMAC:
 *   - the passphrase is collapsed to SHA-512(pass); each output block b = 1, 2, … starts from
 *     SHA-512(salt ‖ be32(b)), and every later round from SHA-512(previous hash output);
 *   - bhash(P, S): EksBlowfish with ExpandKey(S, P), then 64 × (ExpandKey(0, S),
 *     ExpandKey(0, P)), then encrypts "OxychromaticBlowfishSwatDynamite" 64 times (ECB) and
 *     outputs its eight words little-endian (32 bytes);
 *   - a block is the XOR of its rounds' outputs;
 *   - unlike PBKDF2 the blocks are interleaved, not concatenated: with stride = ⌈len / 32⌉
 *     blocks, output byte k is byte ⌊k / stride⌋ of block (k mod stride) + 1.
 * Limits as OpenSSH's: rounds ≥ 1, a non-empty passphrase and salt, salt ≤ 1 MiB, output
 * ≤ 1024 bytes. And ours: rounds ≤ BCRYPT_PBKDF_MAX_ROUNDS (see there).
 *
 * One bhash costs about 4 ms here (OpenSSH's C: about 3 ms), so the work is a generator that
 * yields between hashes: bcryptPbkdf() gives the event loop a turn every SLICE_MS, and
 * bcryptPbkdfSync() does not.
 */
import { hash } from '../crypto/hash.js';
import { utf8, wipe } from '../wire/bytes.js';
import { Blowfish } from './blowfish.js';

/**
 * The most rounds we run, read from a file we did not write. OpenSSH accepts any uint32,
 * which a hostile file would turn into days of CPU. ssh-keygen writes 16 by default and
 * guides suggest `-a 100` (about 0.9 s here for an aes256-ctr key: 2 blocks × 100 × ~4 ms).
 * 2^12 = 4096 rounds cost about 35 s, the longest we let a key file make anyone wait; the
 * event loop keeps running meanwhile (bcryptPbkdf), so the app stays responsive.
 */
export const BCRYPT_PBKDF_MAX_ROUNDS = 4096;

const HASH_BYTES = 32;
const MAX_KEY_BYTES = HASH_BYTES * HASH_BYTES;
const MAX_SALT_BYTES = 1 << 20;
const MAGIC = utf8('OxychromaticBlowfishSwatDynamite');

/** bhash: 32 bytes from SHA-512(pass) and SHA-512(salt). */
function bcryptHash(sha2pass: Uint8Array, sha2salt: Uint8Array): Uint8Array {
  const bf = new Blowfish();
  bf.expandState(sha2salt, sha2pass);
  for (let i = 0; i < 64; i++) {
    bf.expandZeroState(sha2salt);
    bf.expandZeroState(sha2pass);
  }
  const words = new Uint32Array(HASH_BYTES / 4);
  const view = new DataView(MAGIC.buffer, MAGIC.byteOffset, MAGIC.byteLength);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(4 * i, false);
  for (let i = 0; i < 64; i++) bf.encryptWords(words);
  bf.wipe();
  const out = new Uint8Array(HASH_BYTES);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) outView.setUint32(4 * i, words[i] ?? 0, true);
  words.fill(0);
  return out;
}

function check(pass: Uint8Array, salt: Uint8Array, keyLength: number, rounds: number): void {
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > BCRYPT_PBKDF_MAX_ROUNDS) {
    throw new RangeError(`bcrypt_pbkdf: rounds must be 1..${BCRYPT_PBKDF_MAX_ROUNDS}`);
  }
  if (!Number.isInteger(keyLength) || keyLength < 1 || keyLength > MAX_KEY_BYTES) {
    throw new RangeError(`bcrypt_pbkdf: key length must be 1..${MAX_KEY_BYTES}`);
  }
  if (pass.length === 0) throw new RangeError('bcrypt_pbkdf: empty passphrase');
  if (salt.length === 0 || salt.length > MAX_SALT_BYTES) {
    throw new RangeError('bcrypt_pbkdf: salt must be 1 byte to 1 MiB');
  }
}

/** The derivation, yielding after every bhash; returns the key. */
function* derive(
  pass: Uint8Array,
  salt: Uint8Array,
  keyLength: number,
  rounds: number,
): Generator<void, Uint8Array> {
  check(pass, salt, keyLength, rounds);
  const stride = Math.ceil(keyLength / HASH_BYTES);
  const key = new Uint8Array(keyLength);
  const sha2pass = hash('sha512', pass);
  const countSalt = new Uint8Array(salt.length + 4);
  countSalt.set(salt);
  const block = new Uint8Array(HASH_BYTES);
  for (let b = 1; b <= stride; b++) {
    new DataView(countSalt.buffer).setUint32(salt.length, b, false);
    let tmp = bcryptHash(sha2pass, hash('sha512', countSalt));
    block.set(tmp);
    yield;
    for (let r = 1; r < rounds; r++) {
      const next = bcryptHash(sha2pass, hash('sha512', tmp));
      wipe(tmp);
      tmp = next;
      for (let j = 0; j < HASH_BYTES; j++) block[j] = (block[j] ?? 0) ^ (tmp[j] ?? 0);
      yield;
    }
    wipe(tmp);
    // Byte i of block b goes to key[i·stride + b − 1].
    for (let i = 0; i * stride + b - 1 < keyLength; i++) key[i * stride + b - 1] = block[i] ?? 0;
  }
  wipe(sha2pass, block);
  return key;
}

/** bcrypt_pbkdf in one go, blocking the thread (about 4 ms × rounds × ⌈keyLength / 32⌉). */
export function bcryptPbkdfSync(
  pass: Uint8Array,
  salt: Uint8Array,
  keyLength: number,
  rounds: number,
): Uint8Array {
  const steps = derive(pass, salt, keyLength, rounds);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/** Milliseconds of work between turns of the event loop. */
const SLICE_MS = 20;

/** bcrypt_pbkdf, giving the event loop a turn every SLICE_MS of work. */
export async function bcryptPbkdf(
  pass: Uint8Array,
  salt: Uint8Array,
  keyLength: number,
  rounds: number,
): Promise<Uint8Array> {
  const steps = derive(pass, salt, keyLength, rounds);
  let sliceStart = Date.now();
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    if (Date.now() - sliceStart >= SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = Date.now();
    }
  }
}
