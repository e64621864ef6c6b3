/**
 * Proves both directions of an encrypted transport without the auth layer: SERVICE_REQUEST
 * ssh-userauth → SERVICE_ACCEPT, then USERAUTH_REQUEST method "none" → USERAUTH_FAILURE with
 * the server's method list (RFC 4252 §5.2).
 */
import type { Transport } from '../../core/transport/transport.js';
import { Msg } from '../../core/wire/messages.js';
import { noneRequest, publickeyRequest, publickeySignedData } from '../../core/auth/messages.js';
import { SshReader } from '../../core/wire/reader.js';
import { SshWriter } from '../../core/wire/writer.js';

/** Sends a "none" auth request and resolves with the methods the server lists. */
export function authNone(t: Transport, user = 'root', timeoutMs = 10_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no USERAUTH_FAILURE')), timeoutMs);
    const prevClose = t.onClose;
    t.onClose = (e) => {
      clearTimeout(timer);
      reject(e ?? new Error('closed'));
      prevClose(e);
    };
    t.onMessage = (p) => {
      if (p[0] === Msg.USERAUTH_BANNER) return;
      clearTimeout(timer);
      t.onClose = prevClose;
      if (p[0] !== Msg.USERAUTH_FAILURE)
        return reject(new Error(`expected USERAUTH_FAILURE, got ${p[0]}`));
      const r = new SshReader(p);
      r.readByte();
      resolve(r.readNameList());
    };
    t.send(noneRequest(user));
  });
}

export async function probe(t: Transport, user = 'root'): Promise<string[]> {
  await t.requestService('ssh-userauth');
  return authNone(t, user);
}

/** Runs tasks with at most `limit` in flight; returns their results in order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Logs in with a publickey signature (RFC 4252 §7), for tests that need an authenticated
 * connection before the auth layer exists: OpenSSH starts no rekey before authentication.
 * `key` is a HostKeyPair used as a user key; its public line must be in authorized_keys.
 */
export async function loginPublickey(
  t: Transport,
  key: {
    publicKey: { blob: Uint8Array };
    algorithms: readonly string[];
    sign(alg: string, data: Uint8Array): Uint8Array;
  },
  user = 'root',
): Promise<void> {
  await t.requestService('ssh-userauth');
  const sessionId = t.sessionId;
  if (!sessionId) throw new Error('no session id');
  const alg = key.algorithms[0] ?? '';
  const blob = key.publicKey.blob;
  const signature = key.sign(alg, publickeySignedData(sessionId, user, alg, blob));
  const request = publickeyRequest(user, alg, blob, signature);
  await new Promise<void>((resolve, reject) => {
    t.onMessage = (p) => {
      if (p[0] === Msg.USERAUTH_BANNER) return;
      if (p[0] === Msg.USERAUTH_SUCCESS) resolve();
      else reject(new Error(`publickey login refused (message ${p[0]})`));
    };
    t.send(request);
  });
}

/** A global request with want-reply (keepalive@openssh.com): resolves with the reply type. */
export function globalRequest(t: Transport, name = 'keepalive@openssh.com'): Promise<number> {
  return new Promise((resolve) => {
    t.onMessage = (p) => {
      // OpenSSH announces hostkeys-00@openssh.com (no reply wanted) after login: not our answer.
      if (p[0] !== Msg.GLOBAL_REQUEST) resolve(p[0] ?? 0);
    };
    t.send(
      new SshWriter().writeByte(Msg.GLOBAL_REQUEST).writeString(name).writeBoolean(true).toBytes(),
    );
  });
}
