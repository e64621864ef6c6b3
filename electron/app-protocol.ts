/**
 * The app's own scheme, app://keyway/…, serving the built renderer (dist/ui) to the Electron
 * window with a strict Content-Security-Policy header (CONVENTIONS §12; Electron's security
 * checklist items "define a CSP" and "use a custom protocol instead of file://").
 *
 * Why a custom scheme and a header rather than file:// and a <meta> tag: a file:// page's
 * origin covers the whole disk (any file:// URL counts as same-origin), and a meta CSP only
 * applies once the HTML has been parsed up to it and cannot set frame-ancestors. Here every
 * response carries the policy, the page's origin is app://keyway alone, and paths resolve only
 * under the UI directory (the browser host's resolveUnder: no '..', no dot-files).
 *
 * `'unsafe-inline'` for styles only: xterm.js and React set inline styles; scripts stay 'self'.
 * The renderer talks to main over IPC, so connect-src is 'self' (no network from the page).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { NOT_BUILT_PAGE, resolveUnder, TYPES } from '../core/service/web/static-files.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'keyway';
/** The page the main window loads; the IPC binding admits calls from it only. */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function respond(
  status: number,
  type: string,
  body: ConstructorParameters<typeof Response>[0],
): Response {
  return new Response(body, {
    status,
    headers: {
      'Content-Type': type,
      'Content-Security-Policy': APP_CSP,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

const notFound = () => respond(404, 'text/plain', 'not found\n');

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The response to one app:// request (GET only), from `uiDir`. */
export async function serveAppRequest(uiDir: string, request: Request): Promise<Response> {
  if (request.method !== 'GET') return respond(405, 'text/plain', 'method not allowed\n');
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return notFound();
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return notFound();
  if (!(await isFile(join(uiDir, 'index.html')))) {
    return url.pathname === '/' || url.pathname === '/index.html'
      ? respond(200, TYPES['.html'] ?? '', NOT_BUILT_PAGE)
      : notFound();
  }
  const file = resolveUnder(uiDir, url.pathname);
  if (file === null) return notFound();
  try {
    const real = await realpath(file);
    if (!real.startsWith((await realpath(uiDir)) + sep) || !(await isFile(real))) return notFound();
    const body = await readFile(real);
    return respond(200, TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream', body);
  } catch {
    return notFound();
  }
}

/** URLs a click in the page may open in the system browser (shell.openExternal). */
export function externalUrlAllowed(url: string): boolean {
  try {
    const u = new URL(url);
    return (
      (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === ''
    );
  } catch {
    return false;
  }
}
