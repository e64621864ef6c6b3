/**
 * A changed host key in the UI (issue 6, Tests) in Debian's Chromium against the browser host:
 * keyway sshd's key is accepted and saved through Quick connect; the server is restarted on the
 * same port with a new host key; connecting again shows the blocking warning with the recorded
 * and the presented fingerprints, offers no "Accept and save", cannot be accepted with one
 * click, and Cancel leaves no connection and no terminal tab (known_hosts unchanged).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKeywaySshd } from '../support/keyway-sshd.js';
import { quickConnect, startUiRig, type UiRig } from '../support/e2e-ui.js';

let rig: UiRig;

before(async () => {
  rig = await startUiRig('host-key');
});

after(async () => {
  await rig?.close();
});

test('a changed host key shows the blocking warning and does not connect', async () => {
  const { page } = rig;
  const port = rig.sshd.port;
  await page.goto(rig.url);
  await quickConnect(rig, `127.0.0.1:${port}`);
  await page.getByRole('tablist').getByRole('tab').first().waitFor();
  const knownHosts = join(rig.home, '.ssh', 'known_hosts');
  const known = readFileSync(knownHosts, 'utf8');
  assert.match(known, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${port} ssh-ed25519 `, 'm'));
  await page.getByRole('button', { name: 'Disconnect' }).click();

  // the same port, a new data directory: a new host key
  await rig.sshd.stop();
  rig.sshd = await startKeywaySshd({ authorizedKeys: [rig.publicKey], port });
  assert.equal(rig.sshd.port, port);

  await page.getByRole('textbox', { name: 'Quick connect' }).fill(`127.0.0.1:${port}`);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const warning = page.getByRole('dialog', { name: 'Warning: the host key has changed' });
  await warning.waitFor();
  await rig.shot('01-changed-key', 'host-key-changed');
  const text = await warning.innerText();
  const prints = text.match(/SHA256:[A-Za-z0-9+/]{43}/g) ?? [];
  assert.equal(new Set(prints).size, 2, `old and new fingerprints shown:\n${text}`);
  assert.match(await warning.getByRole('alert').innerText(), /man-in-the-middle/);
  assert.equal(await warning.getByRole('button', { name: 'Accept and save' }).count(), 0);
  assert.equal(await warning.getByRole('button', { name: 'Accept once' }).count(), 0);
  assert.ok(await warning.getByRole('button', { name: 'Connect once anyway' }).isDisabled());

  await warning.getByRole('button', { name: 'Cancel' }).click();
  await warning.waitFor({ state: 'detached' });
  const errors = page.getByRole('list', { name: 'Errors' });
  await errors.getByText(/REMOTE HOST IDENTIFICATION HAS CHANGED/).waitFor();
  // the ended session's tab sends nothing more to its terminal (no "no terminal" errors)
  assert.doesNotMatch(await errors.innerText(), /no terminal/);
  // still one tab (the first, disconnected session's), and no connection came up
  assert.equal(await page.getByRole('tablist').getByRole('tab').count(), 1);
  const connections = page.getByRole('region', { name: 'Connections' });
  assert.equal(await connections.getByText('connected', { exact: true }).count(), 0);
  assert.equal(readFileSync(knownHosts, 'utf8'), known);
  await rig.shot('02-refused');
});
