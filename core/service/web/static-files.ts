/**
 * The browser host's HTTP side: GET/HEAD of the built renderer's files from one directory
 * (index.html for '/'), never outside it (the path is decoded, normalised and must stay under
 * the root; dot-files and symlinks out of the root are refused), with a strict CSP
 * (CONVENTIONS §12: default-src 'self', WebSocket only back to this host). When the renderer
 * is not built, '/' is a plain page that says so and how to build it.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

export const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Keyway</title></head>
<body><h1>Keyway</h1>
<p>The user interface is not built yet. The service is running and its WebSocket contract is
available; build the renderer (<code>npm run build</code>) and reload this page.</p>
</body></html>
`;

function securityHeaders(res: ServerResponse, wsOrigin: string): void {
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'self'; connect-src 'self' ${wsOrigin}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  head: boolean,
): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

/** The file under `root` a URL path names, or null (outside the root, a dot-file, bad escape). */
export function resolveUnder(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (rel.split(/[\\/]/).some((part) => part.startsWith('.'))) return null;
  const full = resolve(root, rel);
  return full.startsWith(resolve(root) + sep) ? full : null;
}

export function staticHandler(uiDir: string, wsOrigin: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    securityHeaders(res, wsOrigin);
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head)
      return send(res, 405, 'text/plain', 'method not allowed\n', head);
    const url = req.url ?? '/';
    let built: boolean;
    try {
      built = (await stat(join(uiDir, 'index.html'))).isFile();
    } catch {
      built = false;
    }
    if (!built) {
      if (url === '/' || url.startsWith('/?') || url === '/index.html')
        return send(res, 200, TYPES['.html'] ?? '', NOT_BUILT_PAGE, head);
      return send(res, 404, 'text/plain', 'not found\n', head);
    }
    const file = resolveUnder(uiDir, url);
    if (file === null) return send(res, 404, 'text/plain', 'not found\n', head);
    try {
      const real = await realpath(file);
      if (!real.startsWith((await realpath(uiDir)) + sep))
        return send(res, 404, 'text/plain', 'not found\n', head);
      const st = await stat(real);
      if (!st.isFile()) return send(res, 404, 'text/plain', 'not found\n', head);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-cache',
      });
      if (head) return void res.end();
      createReadStream(real)
        .on('error', () => res.destroy())
        .pipe(res);
    } catch {
      send(res, 404, 'text/plain', 'not found\n', head);
    }
  };
}
