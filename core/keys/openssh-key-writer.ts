/**
 * Writes openssh-key-v1 private key files (OpenSSH PROTOCOL.key; layout in openssh-key.ts), as
 * ssh-keygen writes them: one key, random check integers, padding 1, 2, 3, …; unencrypted
 * ("none"), or with a passphrase as aes256-ctr under bcrypt-pbkdf (16-byte salt, 16 rounds by
 * default, ssh-keygen's -a).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { utf8, wipe } from '../wire/bytes.js';
import { SshWriter } from '../wire/writer.js';
import { BCRYPT_PBKDF_MAX_ROUNDS, bcryptPbkdf } from './bcrypt-pbkdf.js';
import { partsBlob, type PrivateKeyParts } from './private-key.js';

const MAGIC = 'openssh-key-v1\0';
/** ssh-keygen's default bcrypt rounds (-a). */
export const DEFAULT_KDF_ROUNDS = 16;

export interface WriteOpenSshKeyOptions {
  readonly comment?: string;
  /** Encrypts with aes256-ctr and bcrypt-pbkdf when non-empty. */
  readonly passphrase?: string;
  readonly rounds?: number;
}

function writePrivate(w: SshWriter, k: PrivateKeyParts): void {
  w.writeString(k.type);
  if (k.type === 'ssh-ed25519') {
    const sk = new Uint8Array(64);
    sk.set(k.seed);
    sk.set(k.publicKey, 32);
    w.writeString(k.publicKey).writeString(sk);
    wipe(sk);
  } else if (k.type === 'ssh-rsa') {
    w.writeMpintBytes(k.n).writeMpintBytes(k.e).writeMpintBytes(k.d);
    w.writeMpintBytes(k.iqmp).writeMpintBytes(k.p).writeMpintBytes(k.q);
  } else {
    w.writeString(k.curve.id).writeString(k.q).writeMpintBytes(k.d);
  }
}

/** The armoured text of an openssh-key-v1 file holding `key`. */
export async function formatOpenSshPrivateKey(
  key: PrivateKeyParts,
  o: WriteOpenSshKeyOptions = {},
): Promise<string> {
  const encrypted = (o.passphrase ?? '') !== '';
  const rounds = o.rounds ?? DEFAULT_KDF_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > BCRYPT_PBKDF_MAX_ROUNDS) {
    throw new RangeError(`bcrypt rounds must be 1…${BCRYPT_PBKDF_MAX_ROUNDS}, got ${rounds}`);
  }
  const blockSize = encrypted ? 16 : 8;
  const check = randomBytes(4).readUInt32BE(0);
  const section = new SshWriter().writeUint32(check).writeUint32(check);
  writePrivate(section, key);
  section.writeString(o.comment ?? '');
  for (let pad = 1; section.length % blockSize !== 0; pad++) section.writeByte(pad);
  let body = section.toBytes();

  const salt = randomBytes(16);
  const kdfOptions = encrypted
    ? new SshWriter().writeString(salt).writeUint32(rounds).toBytes()
    : new Uint8Array(0);
  if (encrypted) {
    const pass = utf8(o.passphrase ?? '');
    const kiv = await bcryptPbkdf(pass, salt, 48, rounds);
    wipe(pass);
    const cipher = createCipheriv('aes-256-ctr', kiv.subarray(0, 32), kiv.subarray(32, 48));
    const plain = body;
    body = new Uint8Array(Buffer.concat([cipher.update(plain), cipher.final()]));
    wipe(kiv, plain);
  }
  const file = new SshWriter()
    .writeBytes(utf8(MAGIC))
    .writeString(encrypted ? 'aes256-ctr' : 'none')
    .writeString(encrypted ? 'bcrypt' : 'none')
    .writeString(kdfOptions)
    .writeUint32(1)
    .writeString(partsBlob(key))
    .writeString(body)
    .toBytes();
  wipe(body);
  const b64 = Buffer.from(file).toString('base64');
  const lines = b64.match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}
