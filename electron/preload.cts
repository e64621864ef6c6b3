/**
 * Preload (sandboxed; CommonJS, as Electron requires for sandboxed preloads, which also cannot
 * require local modules: the channel names are repeated from ipc-channels.ts and a unit test
 * keeps them equal). Exposes one frozen API, `window.keyway`, through contextBridge — the same
 * contract the browser host's WebSocket carries (core/service/api/bridge.ts types it and turns
 * it into a ServiceClient-like `api`):
 *
 *   invoke(method, args)          one contract method; resolves with its result, rejects with
 *                                 the service's error as a plain {name, code, message, details}
 *                                 (contextBridge would strip an Error's code)
 *   on(event, listener)           one service event stream; returns the unsubscribe function
 *   answerPrompt(promptId, answer)
 *   dragOut(connectionId, path)   download a remote file and start the OS drag with it
 *   onMenuCommand(listener)       'newTab' | 'closeTab' | 'zoom*' from the application menu
 *   pathForFile(file)             the local path of a File dropped from the desktop
 *                                 (webUtils.getPathForFile), for uploads by drag and drop
 *
 * No ipcRenderer, no IpcRendererEvent (whose `sender` is ipcRenderer) reaches the page:
 * listeners get the payload only.
 */
import type { ContextBridge, IpcRenderer, WebUtils } from 'electron';

type ElectronModule = {
  contextBridge: ContextBridge;
  ipcRenderer: IpcRenderer;
  webUtils: WebUtils;
};
type WebUtilsLike = Pick<WebUtils, 'getPathForFile'>;

const INVOKE_CHANNEL = 'keyway:invoke';
const DRAG_OUT_CHANNEL = 'keyway:drag-out';
const EVENT_CHANNEL = 'keyway:event';
const MENU_CHANNEL = 'keyway:menu';
// the contract's ServiceEvents names (a unit test checks the list is complete)
const EVENT_NAMES =
  'connectionState prompt promptClosed terminalData terminalExit transfer hostsChanged tunnelState'.split(
    ' ',
  );
const MENU_COMMANDS = ['newTab', 'closeTab', 'zoomIn', 'zoomOut', 'zoomReset'];

type Reply =
  | { ok: true; value: unknown }
  | { ok: false; error: { name: string; code: string; message: string; details: unknown } };

type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on'>;

interface KeywayPreloadApi {
  invoke(method: string, args?: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  answerPrompt(promptId: string, answer: unknown): Promise<void>;
  dragOut(connectionId: string, path: string): Promise<void>;
  onMenuCommand(listener: (command: string) => void): () => void;
  pathForFile(file: File): string;
}

function unwrap(reply: unknown): unknown {
  const r = reply as Reply | null;
  if (r !== null && typeof r === 'object' && r.ok === true) return r.value;
  const e =
    r !== null && typeof r === 'object' && r.ok === false
      ? r.error
      : { name: 'Error', code: 'INTERNAL_ERROR', message: 'malformed IPC reply', details: {} };
  throw Object.freeze({ name: e.name, code: e.code, message: e.message, details: e.details });
}

/** A set of listeners fed from one ipcRenderer channel; a throwing listener hurts no other. */
function fanOut(ipc: IpcRendererLike, channel: string) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  ipc.on(channel, (_event, key: unknown, payload: unknown) => {
    for (const l of listeners.get(String(key)) ?? []) {
      try {
        l(payload);
      } catch (e) {
        console.error(e);
      }
    }
  });
  return (key: string, listener: (payload: unknown) => void): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    let set = listeners.get(key);
    if (!set) listeners.set(key, (set = new Set()));
    const l = (p: unknown) => listener(p);
    set.add(l);
    return () => void set.delete(l);
  };
}

/** The API object the page gets (frozen; functions only). */
function buildKeywayApi(ipc: IpcRendererLike, webUtils: WebUtilsLike): KeywayPreloadApi {
  const onEvent = fanOut(ipc, EVENT_CHANNEL);
  const menuListeners = new Set<(command: string) => void>();
  ipc.on(MENU_CHANNEL, (_event, command: unknown) => {
    if (typeof command !== 'string' || !MENU_COMMANDS.includes(command)) return;
    for (const l of menuListeners) l(command);
  });
  const invoke = async (method: string, args?: unknown) =>
    unwrap(await ipc.invoke(INVOKE_CHANNEL, String(method), args ?? {}));
  return Object.freeze({
    invoke,
    on: (event: string, listener: (payload: unknown) => void) => {
      if (!EVENT_NAMES.includes(event)) throw new TypeError(`no event ${String(event)}`);
      return onEvent(event, listener);
    },
    answerPrompt: async (promptId: string, answer: unknown) => {
      await invoke('answerPrompt', { promptId, answer });
    },
    dragOut: async (connectionId: string, path: string) => {
      unwrap(await ipc.invoke(DRAG_OUT_CHANNEL, { connectionId, path }));
    },
    onMenuCommand: (listener: (command: string) => void) => {
      const l = (c: string) => listener(c);
      menuListeners.add(l);
      return () => void menuListeners.delete(l);
    },
    // '' for a File that is not on disk (made by the page itself)
    pathForFile: (file: File) => webUtils.getPathForFile(file),
  });
}

/** Puts the API on the page as `window.keyway`. */
function exposeKeywayApi(
  bridge: Pick<ContextBridge, 'exposeInMainWorld'>,
  ipc: IpcRendererLike,
  webUtils: WebUtilsLike,
): void {
  bridge.exposeInMainWorld('keyway', buildKeywayApi(ipc, webUtils));
}

// In the sandboxed renderer only (tests import the functions above without Electron).
if ((process as { type?: string }).type === 'renderer') {
  const electron = require('electron') as ElectronModule;
  exposeKeywayApi(electron.contextBridge, electron.ipcRenderer, electron.webUtils);
}

export = {
  buildKeywayApi,
  exposeKeywayApi,
  channels: { INVOKE_CHANNEL, DRAG_OUT_CHANNEL, EVENT_CHANNEL, MENU_CHANNEL },
  eventNames: EVENT_NAMES,
  menuCommands: MENU_COMMANDS,
};
