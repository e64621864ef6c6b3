// Starting Electron without the electron package's download fallback (electron/binary.ts),
// `npm start` failing with a clear message when the binary is absent (the built
// dist/electron/launch.js, so `npx tsc -b` first), and the demo's arguments and PATH lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findElectronBinary } from '../../../electron/binary.js';
import { onPath, parseDemoArgs } from '../../../electron/demo.js';
import { tempDir } from '../../support/temp-dir.js';

const launch = fileURLToPath(new URL('../../../dist/electron/launch.js', import.meta.url));

test('findElectronBinary: path.txt and dist/, the override, and what is missing', () => {
  const t = tempDir('electron-bin');
  try {
    const from = pathToFileURL(t.path('app/main.js')).href;
    const none = findElectronBinary({}, from);
    assert.ok(!none.ok && /not installed/.test(none.why));

    const pkg = t.path('app/node_modules/electron');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(`${pkg}/package.json`, '{"name":"electron","main":"index.js"}');
    const noPathTxt = findElectronBinary({}, from);
    assert.ok(!noPathTxt.ok && /path\.txt is missing/.test(noPathTxt.why));

    writeFileSync(`${pkg}/path.txt`, 'electron');
    const noBinary = findElectronBinary({}, from);
    assert.ok(!noBinary.ok && noBinary.why.endsWith('dist/electron is missing'));

    mkdirSync(`${pkg}/dist`);
    writeFileSync(`${pkg}/dist/electron`, '');
    assert.deepEqual(findElectronBinary({}, from), { ok: true, path: `${pkg}/dist/electron` });

    const override = findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: t.path('nowhere') }, from);
    assert.ok(!override.ok && /ELECTRON_OVERRIDE_DIST_PATH/.test(override.why));
  } finally {
    t.cleanup();
  }
});

test('npm start without the Electron binary: exit 1 with what to do, no download attempt', () => {
  const t = tempDir('electron-start');
  try {
    const r = spawnSync(process.execPath, [launch], {
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: t.path('no-electron') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Electron cannot run here: its binary is not installed/);
    assert.match(r.stderr, /npm run start:web/);
    assert.doesNotMatch(r.stdout + r.stderr, /Downloading/);
  } finally {
    t.cleanup();
  }
});

test('demo arguments and the PATH lookup for xdg-open', () => {
  assert.deepEqual(parseDemoArgs([]), { browser: false, open: true, port: 0 });
  assert.deepEqual(parseDemoArgs(['--browser', '--no-open', '--port', '8123']), {
    browser: true,
    open: false,
    port: 8123,
  });
  assert.throws(() => parseDemoArgs(['--port', 'x']), /not a port number; usage: demo/);
  assert.throws(() => parseDemoArgs(['--what']), /unknown argument --what; usage: demo/);
  assert.throws(() => parseDemoArgs(['--ui-dir', '/tmp']), /unknown argument --ui-dir/);

  const t = tempDir('on-path');
  try {
    mkdirSync(t.path('a'));
    mkdirSync(t.path('b'));
    writeFileSync(t.path('a/xdg-open'), '');
    writeFileSync(t.path('b/xdg-open'), '#!/bin/sh\n');
    chmodSync(t.path('b/xdg-open'), 0o755);
    const path = ['', t.path('a'), t.path('b')].join(':');
    assert.equal(onPath('xdg-open', path), t.path('b/xdg-open'));
    assert.equal(onPath('xdg-open', t.path('a')), null, 'not executable');
    assert.equal(onPath('nothing-here', path), null);
  } finally {
    t.cleanup();
  }
});
