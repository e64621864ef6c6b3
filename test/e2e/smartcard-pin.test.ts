/**
 * A smartcard in the UI, in Debian's Chromium against the browser host: a host in ~/.ssh/config
 * whose key is on a SoftHSM2 token (PKCS11Provider). Quick connect asks for the host key, then
 * for the token's PIN in a dialog that names the token and does not show what is typed; the
 * PIN given, the terminal runs a command on the card's key.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { CHROMIUM_ARGS, startUiRig, type UiRig } from '../support/e2e-ui.js';
import { createSoftHsmToken, SOFTHSM_MODULE, type SoftHsmToken } from '../support/softhsm.js';

let token: SoftHsmToken;
let card: KeywaySshd;
let rig: UiRig;

before(async () => {
  token = createSoftHsmToken({
    label: 'work card',
    keys: [{ keyType: 'EC:prime256v1', id: '01', label: 'ec key' }],
  });
  card = await startKeywaySshd({ authorizedKeys: token.opensshKeys() });
  rig = await startUiRig('smartcard', CHROMIUM_ARGS, token.env);
  writeFileSync(
    join(rig.home, '.ssh', 'config'),
    [
      'Host card',
      '  HostName 127.0.0.1',
      `  Port ${card.port}`,
      `  PKCS11Provider ${SOFTHSM_MODULE}`,
      '  IdentitiesOnly yes',
      '  PasswordAuthentication no',
      '',
    ].join('\n'),
  );
});

after(async () => {
  await rig?.close();
  await card?.stop();
  token?.cleanup();
});

test('the token PIN is asked for in a dialog naming the token; the card key logs in', async () => {
  const { page } = rig;
  await page.goto(rig.url);
  await page.getByRole('textbox', { name: 'Quick connect' }).fill('card');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const hostKey = page.getByRole('dialog', { name: 'Unknown host key' });
  await hostKey.waitFor();
  await hostKey.getByRole('button', { name: 'Accept and save' }).click();

  const dialog = page.getByRole('dialog', { name: 'Smartcard PIN' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Enter the PIN of the token 'work card'\./);
  const field = dialog.getByLabel('PIN');
  assert.equal(await field.getAttribute('type'), 'password');
  await field.fill(token.pin);
  await rig.shot('pin');
  await dialog.getByRole('button', { name: 'OK' }).click();
  await dialog.waitFor({ state: 'detached' });

  await rig.readyTerminal();
  await page.keyboard.type('echo card-$((6*7))\n');
  await rig.waitTerminal(/card-42/, 'the command run on the card key');
  assert.ok(!(await page.content()).includes(token.pin), 'the PIN is nowhere in the page');
});
