/**
 * Electron main process (thin; DESIGN.md runtime picture, CONVENTIONS §11–12): one instance,
 * one window with the security baseline (sandbox, contextIsolation, no nodeIntegration, CSP
 * by header on the app:// scheme, navigation, new windows, webviews and permissions denied),
 * the application service in this process, and the IPC binding that checks the sender of every
 * call. The logic lives in the modules it wires: app-protocol.ts, ipc-binding.ts,
 * drag-out.ts, menu.ts. Only electron/ imports `electron`.
 */
import { app, BrowserWindow, ipcMain, Menu, protocol, session, shell } from 'electron';
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appDataDir } from '../core/config/app-dirs.js';
import { applyRuntimeTuning } from '../core/runtime-tuning.js';
import { createService, type Service } from '../core/service/service.js';
import { APP_SCHEME, APP_URL, externalUrlAllowed, serveAppRequest } from './app-protocol.js';
import { downloadForDrag } from './drag-out.js';
import { bindIpc, type IpcBinding } from './ipc-binding.js';
import { menuTemplate } from './menu.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The renderer's build output (dist/ui beside dist/electron). */
const UI_DIR = join(here, '..', 'ui');
const dev = !app.isPackaged;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let mainWindow: BrowserWindow | null = null;
let binding: IpcBinding | null = null;

function openMainWindow(service: Service, tempRoot: string): void {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'Keyway',
    show: false,
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  mainWindow = win;
  const contents = win.webContents;
  binding = bindIpc({
    ipcMain,
    contents,
    appUrl: APP_URL,
    service,
    dragOut: async (args) => {
      const file = await downloadForDrag(service, args, tempRoot);
      if (contents.isDestroyed()) return;
      contents.startDrag({ file, icon: await app.getFileIcon(file) });
    },
  });
  const menuBinding = binding;
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        platform: process.platform,
        dev,
        send: (c) => menuBinding.sendMenuCommand(c),
      }),
    ),
  );
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    menuBinding.close();
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(APP_URL);
}

applyRuntimeTuning();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // every webContents: no navigation away, no new windows (http(s) links go to the system
  // browser after the allowlist check), no <webview>
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (externalUrlAllowed(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  void app.whenReady().then(() => {
    const tempRoot = mkdtempSync(join(app.getPath('temp'), 'keyway-'));
    const service = createService({
      // the directory the CLI and `npm run demo` use too (userData would follow the
      // package name's case)
      dataDir: appDataDir(),
      onWarning: (m) => process.stderr.write(`keyway: ${m}\n`),
    });
    protocol.handle(APP_SCHEME, (request) => serveAppRequest(UI_DIR, request));
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    openMainWindow(service, tempRoot);

    app.on('activate', () => {
      if (!mainWindow) openMainWindow(service, tempRoot);
    });
    app.on('will-quit', () => {
      binding?.close();
      service.close();
      rmSync(tempRoot, { recursive: true, force: true });
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
