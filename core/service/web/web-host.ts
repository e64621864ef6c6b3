/**
 * The browser host (DESIGN.md runtime picture): an HTTP server on 127.0.0.1 that serves the
 * built renderer (static-files.ts) and the service's contract over a WebSocket at /api
 * (binary frames, api/frames.ts), admitted only with the token and the host's own Origin
 * (access.ts). The URL to open carries the token in its fragment: http://127.0.0.1:PORT/#token=…
 * A frame that does not decode closes that socket (1007); the service goes on.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeClientFrame, encodeFrame, MAX_FRAME_BYTES } from '../api/frames.js';
import { bindClient } from '../binding.js';
import type { Service } from '../service.js';
import { checkUpgrade, newToken } from './access.js';
import { staticHandler } from './static-files.js';

export const API_PATH = '/api';
export const LOOPBACK = '127.0.0.1';

export interface WebHostOptions {
  readonly service: Pick<Service, 'dispatch' | 'events'>;
  /** 0 (default): a free port. */
  readonly port?: number;
  /** The built renderer's directory. */
  readonly uiDir: string;
  /** Default: a fresh random token. */
  readonly token?: string;
}

export interface WebHost {
  readonly port: number;
  readonly token: string;
  /** http://127.0.0.1:PORT/#token=TOKEN — what a person opens. */
  readonly url: string;
  /** http://127.0.0.1:PORT — the only Origin admitted. */
  readonly origin: string;
  /** ws://127.0.0.1:PORT/api?token=TOKEN */
  readonly wsUrl: string;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startWebHost(o: WebHostOptions): Promise<WebHost> {
  const token = o.token ?? newToken();
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const port = await listen(server, o.port ?? 0);
  const origin = `http://${LOOPBACK}:${port}`;
  const policy = { token, origins: [origin], hosts: [`${LOOPBACK}:${port}`] };
  const handler = staticHandler(o.uiDir, `ws://${LOOPBACK}:${port}`);
  server.on('request', (req, res) => void handler(req, res));

  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    const decision =
      path === API_PATH
        ? checkUpgrade(req, policy)
        : ({ ok: false, status: 404, why: 'not found' } as const);
    if (!decision.ok) {
      socket.end(
        `HTTP/1.1 ${decision.status} ${decision.status === 401 ? 'Unauthorized' : decision.status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });

  const serve = (ws: WebSocket) => {
    const binding = bindClient(o.service, (m) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeFrame(m));
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return ws.close(1003, 'binary frames only');
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      try {
        binding.handle(decodeClientFrame(bytes));
      } catch {
        ws.close(1007, 'malformed frame');
      }
    });
    ws.on('close', () => binding.close());
    ws.on('error', () => binding.close());
  };

  return {
    port,
    token,
    url: `${origin}/#token=${token}`,
    origin,
    wsUrl: `ws://${LOOPBACK}:${port}${API_PATH}?token=${token}`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
