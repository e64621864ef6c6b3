/**
 * SFTP paths are byte strings on the wire (draft-ietf-secsh-filexfer-02 §6); version 3 says
 * nothing of their encoding and OpenSSH passes bytes through. The API takes a string (encoded
 * as UTF-8) or the raw bytes, so a name that is not UTF-8 can still be named exactly.
 */
export type SftpPath = string | Uint8Array;

export function pathBytes(p: SftpPath): Uint8Array {
  if (typeof p !== 'string') return p;
  return Buffer.from(p, 'utf8');
}

/** For display and error messages: UTF-8, with U+FFFD for bytes that are not. */
export function pathText(p: SftpPath): string {
  return typeof p === 'string' ? p : Buffer.from(p).toString('utf8');
}

/** Whether these bytes are valid UTF-8 (so a string round-trips them exactly). */
export function isUtf8Path(b: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}
