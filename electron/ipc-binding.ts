/**
 * The service's contract over Electron IPC (DESIGN.md runtime picture; CONVENTIONS §11–12,
 * Electron's security checklist item "validate the sender of all IPC messages").
 *
 * Every call is checked before anything else: it must come from the main window's webContents,
 * from its top frame (not an iframe), and that frame must show the app's own page (appUrl,
 * ignoring query and fragment). A refused call gets IpcSenderError and never reaches the
 * service. Accepted calls go through the service's dispatch, which validates the arguments
 * with the contract's zod schemas, so bad arguments get the same typed errors as over the
 * browser host's WebSocket. Replies are IpcReply envelopes (ipc-channels.ts); service events
 * are sent to the main window only, never broadcast.
 *
 * Electron is not imported here (types are structural), so unit tests drive it with a fake
 * ipcMain and webContents.
 */
import { SshError } from '../core/errors.js';
import type { EventName, ServiceEvents } from '../core/service/api/contract.js';
import { toWireError } from '../core/service/api/errors.js';
import type { Service } from '../core/service/service.js';
import {
  DRAG_OUT_CHANNEL,
  EVENT_CHANNEL,
  INVOKE_CHANNEL,
  type IpcReply,
  MENU_CHANNEL,
  type MenuCommand,
} from './ipc-channels.js';

/** A call from somewhere other than the app's own page in the main window's top frame. */
export class IpcSenderError extends SshError {
  override readonly code: string = 'IPC_SENDER_REFUSED';
}

/** What the binding needs of a frame (Electron's WebFrameMain). */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/** What the binding needs of an invoke event (Electron's IpcMainInvokeEvent). */
export interface InvokeEventLike {
  readonly sender: unknown;
  readonly senderFrame: FrameLike | null;
}

/** What the binding needs of ipcMain. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<IpcReply>,
  ): void;
  removeHandler(channel: string): void;
}

/** What the binding needs of the main window's webContents. */
export interface WindowContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface IpcBindingOptions {
  readonly ipcMain: IpcMainLike;
  /** The main window's webContents: the only sender admitted and the only receiver of events. */
  readonly contents: WindowContentsLike;
  /** The app page's URL, e.g. app://keyway/index.html. */
  readonly appUrl: string;
  readonly service: Pick<Service, 'dispatch' | 'events'>;
  /** Downloads a remote file and starts the OS drag with it (drag-out.ts); absent: refused. */
  readonly dragOut?: (args: unknown) => Promise<void>;
}

export interface IpcBinding {
  /** A menu command for the renderer (new tab, close tab). */
  sendMenuCommand(command: MenuCommand): void;
  /** Removes the handlers and stops forwarding events. */
  close(): void;
}

/** The URL without its query and fragment. */
function pageOf(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}

/** Why this event may not call, or null when it may. */
export function refusal(
  event: InvokeEventLike,
  contents: WindowContentsLike,
  appUrl: string,
): string | null {
  if (event.sender !== contents) return 'the call did not come from the main window';
  const frame = event.senderFrame;
  if (frame === null) return 'the calling frame is gone';
  if (frame.parent !== null) return 'the call came from a subframe';
  if (pageOf(frame.url) !== pageOf(appUrl))
    return `the calling page ${JSON.stringify(frame.url.slice(0, 200))} is not the app`;
  return null;
}

export function bindIpc(o: IpcBindingOptions): IpcBinding {
  let open = true;
  const post = (channel: string, ...args: unknown[]) => {
    if (open && !o.contents.isDestroyed()) o.contents.send(channel, ...args);
  };

  const guarded =
    (run: (...args: unknown[]) => Promise<unknown>) =>
    async (event: InvokeEventLike, ...args: unknown[]): Promise<IpcReply> => {
      const why = refusal(event, o.contents, o.appUrl);
      if (why !== null) {
        return { ok: false, error: toWireError(new IpcSenderError(`IPC call refused: ${why}`)) };
      }
      try {
        return { ok: true, value: (await run(...args)) ?? null };
      } catch (e) {
        return { ok: false, error: toWireError(e) };
      }
    };

  o.ipcMain.handle(
    INVOKE_CHANNEL,
    // a non-string method becomes a name no schema has: UNKNOWN_METHOD from the dispatch
    guarded((method, args) => o.service.dispatch(String(method), args)),
  );
  o.ipcMain.handle(
    DRAG_OUT_CHANNEL,
    guarded(async (args) => {
      if (!o.dragOut) throw new IpcSenderError('dragging files out is not available');
      await o.dragOut(args);
    }),
  );

  const unsubscribe = o.service.events.subscribe(
    <E extends EventName>(name: E, payload: ServiceEvents[E]) => post(EVENT_CHANNEL, name, payload),
  );

  return {
    sendMenuCommand: (command) => post(MENU_CHANNEL, command),
    close: () => {
      if (!open) return;
      open = false;
      unsubscribe();
      o.ipcMain.removeHandler(INVOKE_CHANNEL);
      o.ipcMain.removeHandler(DRAG_OUT_CHANNEL);
    },
  };
}
