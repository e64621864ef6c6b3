/**
 * The renderer's one seam to the service (DESIGN.md runtime picture): in the Electron app the
 * preload's `window.keyway` carries the contract; in a browser tab (start:web, the e2e tests)
 * a WebSocket back to the page's own host, admitted with the token from the URL fragment
 * (#token=…), carries the same frames (api/frames.ts) to a ServiceClient (api/client.ts).
 * Everything else in the renderer sees only `ServiceConnection`.
 */
import type { EventName, ServiceApi, ServiceEvents } from '../../core/service/api/contract.js';
import {
  bridgeClient,
  type KeywayBridge,
  type MenuCommand,
} from '../../core/service/api/bridge.js';
import { ServiceClient } from '../../core/service/api/client.js';

export interface ServiceConnection {
  readonly api: ServiceApi;
  on<E extends EventName>(name: E, listener: (payload: ServiceEvents[E]) => void): () => void;
  /** Called once if the channel to the service goes away (the page must be reloaded). */
  onClosed(listener: (reason: string) => void): void;
  /** The application menu's commands (Electron); a browser tab has no menu. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

/** Electron's preload (electron/preload.cts), absent in a browser tab. */
type PreloadApi = KeywayBridge & { readonly pathForFile?: (file: File) => string };

function preloadApi(): PreloadApi | undefined {
  const k = (window as unknown as { keyway?: PreloadApi }).keyway;
  return typeof k?.invoke === 'function' ? k : undefined;
}

/** The token in `#token=…`, or null. */
export function tokenFromHash(hash: string): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]{1,256})(?:&|$)/.exec(hash);
  return m?.[1] ?? null;
}

function openWebSocket(): Promise<ServiceConnection> {
  const token = tokenFromHash(location.hash);
  if (token === null)
    return Promise.reject(
      new Error(
        'This page was opened without its access token. Open the full URL that `npm run start:web` printed (it ends with #token=…).',
      ),
    );
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`);
  ws.binaryType = 'arraybuffer';
  const client = new ServiceClient((frame) => ws.send(frame));
  const closedListeners: ((reason: string) => void)[] = [];
  let opened = false;
  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => {
      opened = true;
      resolve({
        api: client.api,
        on: (name, listener) => client.on(name, listener),
        onClosed: (l) => closedListeners.push(l),
        onMenuCommand: () => () => {},
      });
    });
    ws.addEventListener('message', (ev: MessageEvent<unknown>) => {
      if (!(ev.data instanceof ArrayBuffer)) return;
      try {
        client.receive(new Uint8Array(ev.data));
      } catch {
        ws.close(1007, 'malformed frame');
      }
    });
    ws.addEventListener('close', (ev) => {
      const reason = ev.reason || `the connection to the Keyway service closed (code ${ev.code})`;
      client.close(reason);
      if (!opened)
        reject(new Error(`Cannot reach the Keyway service at ${location.host}: ${reason}`));
      for (const l of closedListeners) l(reason);
    });
  });
}

/** Opens the channel to the service: Electron's preload when present, else the WebSocket. */
export function connectService(): Promise<ServiceConnection> {
  const preload = preloadApi();
  if (preload === undefined) return openWebSocket();
  const b = bridgeClient(preload);
  return Promise.resolve({
    api: b.api,
    on: (name, listener) => b.on(name, listener),
    // the IPC channel lives as long as the window
    onClosed: () => {},
    onMenuCommand: (listener) => preload.onMenuCommand(listener),
  });
}

/**
 * The local path of a file dropped from the desktop: Electron's preload can tell it
 * (webUtils.getPathForFile); a browser tab cannot, and gets null.
 */
export function localPathOfDroppedFile(file: File): string | null {
  const path = preloadApi()?.pathForFile?.(file);
  return typeof path === 'string' && path !== '' ? path : null;
}
