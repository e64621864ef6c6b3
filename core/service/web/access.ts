/**
 * Who may use the browser host's WebSocket (DESIGN.md runtime picture: 127.0.0.1 only, a
 * random token, an Origin check). The token is made per start, shown only in the URL's
 * fragment (which browsers never send to a server or put in a Referer), and the page sends it
 * back in the WebSocket URL's query. An upgrade is let through only with
 *   - the token (compared in constant time),
 *   - an Origin header equal to the host's own origin (another site's page is refused even
 *     on the same machine; a missing Origin is refused too), and
 *   - a Host header naming the loopback address and port (against DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export type AccessDecision =
  { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly why: string };

export interface AccessPolicy {
  readonly token: string;
  /** Origins allowed, e.g. http://127.0.0.1:8123 */
  readonly origins: readonly string[];
  /** Host header values allowed, e.g. 127.0.0.1:8123 */
  readonly hosts: readonly string[];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function checkUpgrade(
  req: Pick<IncomingMessage, 'headers' | 'url'>,
  p: AccessPolicy,
): AccessDecision {
  const host = req.headers.host ?? '';
  if (!p.hosts.includes(host))
    return { ok: false, status: 403, why: `Host ${JSON.stringify(host)} refused` };
  const origin = req.headers.origin;
  if (origin === undefined || !p.origins.includes(origin)) {
    return { ok: false, status: 403, why: `Origin ${JSON.stringify(origin ?? null)} refused` };
  }
  let token: string | null;
  try {
    token = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('token');
  } catch {
    token = null;
  }
  if (token === null || !sameSecret(token, p.token))
    return { ok: false, status: 401, why: 'missing or wrong token' };
  return { ok: true };
}
