// The Electron shell's pure parts: the app:// scheme serves dist/ui with the CSP header and
// nothing outside it (electron/app-protocol.ts), which URLs may open externally, and the
// application menu (electron/menu.ts): shortcuts, dev-only items, commands sent to the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import type { MenuItemConstructorOptions } from 'electron';
import {
  APP_CSP,
  APP_URL,
  externalUrlAllowed,
  serveAppRequest,
} from '../../../electron/app-protocol.js';
import { menuTemplate } from '../../../electron/menu.js';
import type { MenuCommand } from '../../../electron/ipc-channels.js';
import { tempDir } from '../../support/temp-dir.js';

test('app:// serves the built UI with the CSP header and refuses everything else', async () => {
  const t = tempDir('app-protocol');
  try {
    const ui = t.path('ui');
    const get = (url: string, method = 'GET') => serveAppRequest(ui, new Request(url, { method }));
    // not built yet: a page saying so, still under the CSP
    mkdirSync(ui);
    let r = await get(APP_URL);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /not built/);
    assert.equal(r.headers.get('content-security-policy'), APP_CSP);

    writeFileSync(t.path('ui/index.html'), '<!doctype html><title>Keyway</title>');
    mkdirSync(t.path('ui/assets'));
    writeFileSync(t.path('ui/assets/app.js'), 'console.log(1)');
    writeFileSync(t.path('secret.txt'), 'outside');
    symlinkSync(t.path('secret.txt'), t.path('ui/assets/link.txt'));
    r = await get(APP_URL);
    assert.equal(await r.text(), '<!doctype html><title>Keyway</title>');
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    r = await get('app://keyway/assets/app.js');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /javascript/);
    assert.equal(r.headers.get('content-security-policy'), APP_CSP);

    for (const bad of [
      'app://keyway/../secret.txt',
      'app://keyway/%2e%2e/secret.txt',
      'app://keyway/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://keyway/assets/link.txt',
      'app://keyway/assets',
      'app://keyway/.hidden',
      'app://other/index.html',
      'app://keyway/missing.js',
    ]) {
      assert.equal((await get(bad)).status, 404, bad);
    }
    assert.equal((await get(APP_URL, 'POST')).status, 405);
    assert.match(APP_CSP, /default-src 'self'/);
    assert.match(APP_CSP, /script-src 'self'(;|$)/);
    assert.match(APP_CSP, /object-src 'none'/);
    assert.match(APP_CSP, /frame-ancestors 'none'/);
  } finally {
    t.cleanup();
  }
});

test('only plain http(s) links may open in the system browser', () => {
  assert.equal(externalUrlAllowed('https://example.org/a?b#c'), true);
  assert.equal(externalUrlAllowed('http://example.org/'), true);
  for (const bad of [
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://host/share',
    'app://keyway/index.html',
    'https://user:pw@example.org/',
    'not a url',
  ]) {
    assert.equal(externalUrlAllowed(bad), false, bad);
  }
});

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((m) => [m, ...(Array.isArray(m.submenu) ? items(m.submenu) : [])]);
}

test('the menu: tab commands reach the page, terminal-friendly shortcuts, dev-only tools', () => {
  const sent: MenuCommand[] = [];
  const linux = items(menuTemplate({ platform: 'linux', dev: false, send: (c) => sent.push(c) }));
  const byId = (id: string) => linux.find((i) => i.id === id);
  const byRole = (role: string, list = linux) => list.find((i) => i.role === role);
  assert.equal(byId('newTab')?.accelerator, 'Ctrl+Shift+T');
  assert.equal(byId('closeTab')?.accelerator, 'Ctrl+Shift+W');
  assert.equal(byRole('copy')?.accelerator, 'Ctrl+Shift+C');
  assert.equal(byRole('paste')?.accelerator, 'Ctrl+Shift+V');
  assert.equal(byRole('quit')?.accelerator, 'Ctrl+Q');
  assert.equal(byRole('close'), undefined, 'no Ctrl+W window close off macOS');
  (byId('newTab')?.click as () => void)();
  (byId('closeTab')?.click as () => void)();
  assert.deepEqual(sent, ['newTab', 'closeTab']);
  // zoom is the terminal's font size (the page), not Electron's page zoom
  assert.equal(byRole('zoomIn'), undefined);
  for (const id of ['zoomIn', 'zoomOut', 'zoomReset'] as const) (byId(id)?.click as () => void)();
  assert.deepEqual(sent.slice(2), ['zoomIn', 'zoomOut', 'zoomReset']);
  assert.equal(byId('zoomIn')?.accelerator, 'CmdOrCtrl+=');
  assert.equal(byRole('reload'), undefined);
  assert.equal(byRole('toggleDevTools'), undefined);

  const dev = items(menuTemplate({ platform: 'linux', dev: true, send: () => {} }));
  assert.ok(byRole('reload', dev));
  assert.ok(byRole('toggleDevTools', dev));

  const mac = items(menuTemplate({ platform: 'darwin', dev: false, send: () => {} }));
  assert.equal(mac.find((i) => i.id === 'newTab')?.accelerator, 'Cmd+T');
  assert.equal(byRole('copy', mac)?.accelerator, 'Cmd+C');
  assert.ok(byRole('quit', mac));
});
