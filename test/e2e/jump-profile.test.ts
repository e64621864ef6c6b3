/**
 * A saved host with a jump host, in Debian's Chromium against the browser host: the Add host
 * form takes ssh -J's syntax and refuses a malformed list in the dialog; the saved host shows
 * its route; connecting goes through the jump host (keyway sshd as both hop and target: two
 * logins for one connection) and the terminal works.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { addHostForm, startUiRig, until, type UiRig } from '../support/e2e-ui.js';

let rig: UiRig;

before(async () => {
  rig = await startUiRig('jump');
});

after(async () => {
  await rig?.close();
});

test('a host with a jump host: the form checks it, the connection goes through it', async () => {
  const { page, sshd } = rig;
  await page.goto(rig.url);
  const form = await addHostForm(page, {
    name: 'Behind the hop',
    host: '127.0.0.1',
    port: sshd.port,
  });
  const jump = form.getByLabel('Jump hosts (ProxyJump)');
  await jump.fill('hop,,other');
  await form.getByRole('button', { name: 'Save' }).click();
  assert.match(await form.getByRole('alert').innerText(), /bad jump host/);
  await jump.fill(`127.0.0.1:${sshd.port}`);
  await form.getByRole('button', { name: 'Save' }).click();
  await form.waitFor({ state: 'detached' });

  const saved = page.getByRole('button', { name: 'Connect to Behind the hop' });
  assert.match(await saved.innerText(), new RegExp(`via 127\\.0\\.0\\.1:${sshd.port}`));
  const from = sshd.err().length;
  const since = () => sshd.err().slice(from);
  await saved.click();
  // the jump host's key first; the target is the same server, so its key is then known
  const dialog = page.getByRole('dialog', { name: 'Unknown host key' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Accept and save' }).click();
  await rig.readyTerminal();
  const word = `jumped-${randomBytes(4).toString('hex')}`;
  await page.keyboard.type(`echo ${word}\n`);
  await rig.waitTerminal(new RegExp(`^${word}$`, 'm'), 'the echo output');
  await until(
    async () => (since().match(/accepted publickey for /g) ?? []).length === 2,
    'a login on the hop and one on the target',
  );
  assert.match(since(), new RegExp(`direct-tcpip from .* to 127\\.0\\.0\\.1 port ${sshd.port}\\b`));
});
