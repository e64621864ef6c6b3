/**
 * The password method, server side (RFC 4252 §8). A password change request (§8's
 * PASSWD_CHANGEREQ dance) is refused without asking: the bundled sshd manages no passwords.
 * The password bytes are our copy of the payload and are wiped once decoded.
 */
import { decodeUtf8, wipe } from '../wire/bytes.js';
import type { ServerAuthOptions } from './server-options.js';

/** Longest password put to the callback; a longer one fails unasked (bounded work per try). */
export const MAX_PASSWORD_BYTES = 8 * 1024;

export async function checkPassword(
  user: string,
  req: { readonly password: Uint8Array; readonly change: boolean },
  policy: NonNullable<ServerAuthOptions['password']>,
): Promise<{ readonly ok: true } | { readonly ok: false; readonly detail: string }> {
  const bytes = req.password;
  if (req.change) return { ok: false, detail: 'password change is not supported' };
  if (bytes.length > MAX_PASSWORD_BYTES) return { ok: false, detail: 'password too long' };
  const password = decodeUtf8(bytes);
  wipe(bytes);
  if (password === null) return { ok: false, detail: 'password is not valid UTF-8' };
  return (await policy(user, password)) === true
    ? { ok: true }
    : { ok: false, detail: 'wrong password' };
}
