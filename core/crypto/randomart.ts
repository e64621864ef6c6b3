/**
 * The "drunken bishop" random art that ssh-keygen -lv and VisualHostKey draw (OpenSSH
 * sshkey.c fingerprint_randomart; Loss, Limmer, von Gernler, "The drunken bishop", 2009).
 *
 * A bishop starts in the middle of a 17 × 9 field and reads the digest byte by byte, two bits
 * at a time from the least significant: bit 0 moves it right (1) or left (0), bit 1 down (1) or
 * up (0); at a wall that component of the move is dropped. Each visit raises the square's count
 * (capped below 'S'), drawn with " .o+=*BOX@%&#/^"; S marks the start and E the end.
 * The top border carries "[TYPE BITS]" and the bottom "[HASH]", centred as OpenSSH does:
 * each label is cut to 16 characters (the C buffer holds 17 with the NUL), and when
 * "[TYPE BITS]" would need more than 17 the title is "[TYPE]" alone.
 */
import { hash } from './hash.js';

const FIELD_W = 17;
const FIELD_H = 9;
const SYMBOLS = ' .o+=*BOX@%&#/^SE';
const START = SYMBOLS.length - 2;
const END = SYMBOLS.length - 1;

export type RandomartHash = 'SHA256' | 'MD5';

/** snprintf(buf, 17, …) as fingerprint_randomart uses it: at most 16 characters. */
function clip(label: string): string {
  return label.slice(0, FIELD_W - 1);
}

function border(label: string): string {
  const left = Math.floor((FIELD_W - label.length) / 2);
  return '+' + '-'.repeat(left) + label + '-'.repeat(FIELD_W - left - label.length) + '+';
}

/** The picture for a digest (no trailing newline). */
export function randomartOfDigest(digest: Uint8Array, title: string, hashLabel: string): string {
  const field: number[] = new Array<number>(FIELD_W * FIELD_H).fill(0);
  let x = FIELD_W >> 1;
  let y = FIELD_H >> 1;
  for (const byte of digest) {
    let input = byte;
    for (let step = 0; step < 4; step++) {
      x = Math.min(Math.max(x + (input & 1 ? 1 : -1), 0), FIELD_W - 1);
      y = Math.min(Math.max(y + (input & 2 ? 1 : -1), 0), FIELD_H - 1);
      const i = y * FIELD_W + x;
      const v = field[i] ?? 0;
      if (v < START - 1) field[i] = v + 1;
      input >>= 2;
    }
  }
  field[(FIELD_H >> 1) * FIELD_W + (FIELD_W >> 1)] = START;
  field[y * FIELD_W + x] = END;

  const rows = [border(title)];
  for (let row = 0; row < FIELD_H; row++) {
    let line = '|';
    for (let col = 0; col < FIELD_W; col++) line += SYMBOLS[field[row * FIELD_W + col] ?? 0];
    rows.push(line + '|');
  }
  rows.push(border(hashLabel));
  return rows.join('\n');
}

/**
 * The picture ssh-keygen -lv draws for a public key blob (no trailing newline).
 * keyTypeLabel is OpenSSH's short name: ED25519, ECDSA, RSA; bits as ssh-keygen -l prints.
 */
export function randomart(
  blob: Uint8Array,
  keyTypeLabel: string,
  bits: number,
  hashAlg: RandomartHash = 'SHA256',
): string {
  const digest = hash(hashAlg === 'MD5' ? 'md5' : 'sha256', blob);
  let title = `[${keyTypeLabel} ${bits}]`;
  if (title.length > FIELD_W) title = `[${keyTypeLabel}]`;
  return randomartOfDigest(digest, clip(title), clip(`[${hashAlg}]`));
}

/** The key-type word ssh-keygen puts in the title and after the fingerprint. */
export function randomartKeyLabel(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (keyType === 'ssh-rsa') return 'RSA';
  return keyType.toUpperCase();
}
