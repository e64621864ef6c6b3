/**
 * The application menu (Electron's Menu template), built without importing Electron so a
 * unit test can read it. Shortcuts follow terminal apps: on Linux and Windows, Ctrl+C, Ctrl+V,
 * Ctrl+T and Ctrl+W belong to the shell, so copy, paste, new tab and close tab take
 * Ctrl+Shift; on macOS they are Cmd+C, Cmd+V, Cmd+T, Cmd+W. Reload and the developer tools
 * exist only in development (an unpackaged app).
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from './ipc-channels.js';

export interface MenuOptions {
  readonly platform: NodeJS.Platform;
  readonly dev: boolean;
  /** Sends a command to the page (ipc-binding.ts sendMenuCommand). */
  readonly send: (command: MenuCommand) => void;
}

export function menuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const mac = o.platform === 'darwin';
  const key = (k: string) => (mac ? `Cmd+${k}` : `Ctrl+Shift+${k}`);
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: 'Keyway',
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push({
    label: 'File',
    submenu: [
      { id: 'newTab', label: 'New Tab', accelerator: key('T'), click: () => o.send('newTab') },
      {
        id: 'closeTab',
        label: 'Close Tab',
        accelerator: key('W'),
        click: () => o.send('closeTab'),
      },
      ...(mac
        ? []
        : [{ type: 'separator' } as const, { role: 'quit', accelerator: 'Ctrl+Q' } as const]),
    ],
  });
  template.push({
    label: 'Edit',
    submenu: [
      { role: 'copy', accelerator: key('C') },
      { role: 'paste', accelerator: key('V') },
      { type: 'separator' },
      { role: 'selectAll', accelerator: key('A') },
    ],
  });
  template.push({
    label: 'View',
    submenu: [
      ...(o.dev
        ? [
            { role: 'reload' } as const,
            { role: 'forceReload' } as const,
            { role: 'toggleDevTools' } as const,
            { type: 'separator' } as const,
          ]
        : []),
      // the terminal's font, not the page: the page's own zoom would scale the whole window
      {
        id: 'zoomReset',
        label: 'Actual Size',
        accelerator: 'CmdOrCtrl+0',
        click: () => o.send('zoomReset'),
      },
      {
        id: 'zoomIn',
        label: 'Larger Text',
        accelerator: 'CmdOrCtrl+=',
        click: () => o.send('zoomIn'),
      },
      {
        id: 'zoomOut',
        label: 'Smaller Text',
        accelerator: 'CmdOrCtrl+-',
        click: () => o.send('zoomOut'),
      },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  });
  // no 'close' role off macOS: its Ctrl+W belongs to the shell
  template.push({
    label: 'Window',
    submenu: [
      { role: 'minimize' },
      ...(mac ? [{ role: 'zoom' } as const, { role: 'front' } as const] : []),
    ],
  });
  return template;
}
