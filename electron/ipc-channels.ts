/**
 * The IPC channel names and reply envelope shared by electron/main (ipc-binding.ts) and the
 * preload (preload.cts keeps its own copy of these strings: a sandboxed preload cannot require
 * a local module; a unit test checks the two agree).
 *
 *   renderer → main   invoke  'keyway:invoke'  (method: string, args: unknown) → IpcReply
 *                     invoke  'keyway:drag-out' ({connectionId, path}) → IpcReply (void)
 *   main → renderer   send    'keyway:event'   (name: string, payload: unknown)
 *                     send    'keyway:menu'    (command: MenuCommand)
 *
 * Replies are envelopes, not thrown errors: Electron reduces an error thrown in a handler to a
 * message string, and the contract's errors must keep {name, code, message, details}.
 */
import type { WireError } from '../core/service/api/contract.js';

export const INVOKE_CHANNEL = 'keyway:invoke';
export const DRAG_OUT_CHANNEL = 'keyway:drag-out';
export const EVENT_CHANNEL = 'keyway:event';
export const MENU_CHANNEL = 'keyway:menu';

export type IpcReply =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: WireError };

/** Menu items the renderer acts on (the rest are roles Electron handles itself). */
export const MENU_COMMANDS = ['newTab', 'closeTab', 'zoomIn', 'zoomOut', 'zoomReset'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];
