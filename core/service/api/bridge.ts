/**
 * The Electron preload's `window.keyway` (electron/preload.cts) as the renderer sees it, typed
 * by the contract, and `bridgeClient()` that gives it the same shape as ServiceClient over the
 * browser host's WebSocket: `api.connect({ target })` with errors rebuilt as ServiceCallError
 * (same name, code, details), and `on(event, listener)`. So the renderer has one call site
 * whichever host it runs in.
 *
 * No Node imports: the renderer type-checks and bundles this with the DOM library alone.
 */
import type {
  EventName,
  MethodArgs,
  MethodName,
  PromptAnswer,
  ServiceApi,
  ServiceEvents,
} from './contract.js';
import { rebuildError } from './errors.js';

/** Menu commands the application menu sends to the page. */
export type MenuCommand = 'newTab' | 'closeTab' | 'zoomIn' | 'zoomOut' | 'zoomReset';

/** `window.keyway` in the Electron window. Rejections are plain WireError objects. */
export interface KeywayBridge {
  invoke(method: MethodName, args?: unknown): Promise<unknown>;
  on<E extends EventName>(event: E, listener: (payload: ServiceEvents[E]) => void): () => void;
  answerPrompt(promptId: string, answer: PromptAnswer): Promise<void>;
  /** Downloads a remote file to a temp file and starts the OS drag with it. */
  dragOut(connectionId: string, path: string): Promise<void>;
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

export interface BridgeClient {
  readonly api: ServiceApi;
  on<E extends EventName>(event: E, listener: (payload: ServiceEvents[E]) => void): () => void;
}

/** The bridge with contract-typed methods and typed errors. */
export function bridgeClient(bridge: KeywayBridge): BridgeClient {
  const call = async (method: MethodName, args: unknown): Promise<unknown> => {
    try {
      return await bridge.invoke(method, args);
    } catch (e) {
      throw rebuildError(e);
    }
  };
  const api = new Proxy({} as ServiceApi, {
    // 'then' stays undefined so that awaiting the api object does not send a call
    get: (_t, method) =>
      typeof method === 'string' && method !== 'then'
        ? (args: MethodArgs<MethodName>) => call(method as MethodName, args)
        : undefined,
  });
  return { api, on: (event, listener) => bridge.on(event, listener) };
}
