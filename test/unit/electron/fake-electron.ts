/**
 * Fakes of the parts of Electron the IPC binding and the preload use: an ipcMain whose
 * handlers a test invokes with a chosen sender and frame, webContents that record what is
 * sent to them, and an ipcRenderer joined to both so that a preload API built on it talks to
 * a real binding, as in the app (structured clone aside).
 */
import { join } from 'node:path';
import { APP_URL } from '../../../electron/app-protocol.js';
import {
  bindIpc,
  type FrameLike,
  type InvokeEventLike,
  type IpcMainLike,
  type WindowContentsLike,
} from '../../../electron/ipc-binding.js';
import { createService } from '../../../core/service/service.js';
import { tempDir } from '../../support/temp-dir.js';
import type { IpcReply } from '../../../electron/ipc-channels.js';

type Handler = (event: InvokeEventLike, ...args: unknown[]) => Promise<IpcReply>;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();

  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What ipcRenderer.invoke(channel, ...args) gets, from `sender` and `frame`. */
  invoke(
    channel: string,
    sender: unknown,
    frame: FrameLike | null,
    ...args: unknown[]
  ): Promise<IpcReply> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h({ sender, senderFrame: frame }, ...args);
  }
}

export class FakeContents implements WindowContentsLike {
  readonly sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;
  /** Where send() also delivers (the fake ipcRenderer's listeners). */
  deliver: (channel: string, args: unknown[]) => void = () => {};

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
    this.deliver(channel, args);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export const topFrame = (url: string): FrameLike => ({ url, parent: null });

type RendererListener = (event: unknown, ...args: unknown[]) => void;

/** ipcRenderer of `contents`' page, calling `ipcMain` from `frame`. */
export function fakeIpcRenderer(ipcMain: FakeIpcMain, contents: FakeContents, frame: FrameLike) {
  const listeners = new Map<string, RendererListener[]>();
  const rendererEvent = { sender: 'the ipcRenderer itself' };
  contents.deliver = (channel, args) => {
    for (const l of listeners.get(channel) ?? []) l(rendererEvent, ...args);
  };
  return {
    invoke: (channel: string, ...args: unknown[]) =>
      ipcMain.invoke(channel, contents, frame, ...args),
    on(channel: string, listener: RendererListener) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
      return this;
    },
  };
}

/**
 * The real service (in a temp home, no agent) bound to a fake ipcMain and main window;
 * `dispatched` records the methods that reached the dispatch.
 */
export function boundService(dragOut?: (args: unknown) => Promise<void>) {
  const t = tempDir('electron-ipc');
  const real = createService({
    home: t.dir,
    dataDir: join(t.dir, 'data'),
    agentPath: null,
    globalKnownHostsFiles: [],
  });
  const dispatched: string[] = [];
  const service = {
    events: real.events,
    dispatch: (method: string, args: unknown) => {
      dispatched.push(method);
      return real.dispatch(method, args);
    },
  };
  const ipcMain = new FakeIpcMain();
  const contents = new FakeContents();
  const binding = bindIpc({
    ipcMain,
    contents,
    appUrl: APP_URL,
    service,
    ...(dragOut ? { dragOut } : {}),
  });
  return {
    ipcMain,
    contents,
    binding,
    dispatched,
    events: real.events,
    done: () => {
      binding.close();
      real.close();
      t.cleanup();
    },
  };
}
