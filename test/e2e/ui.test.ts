/**
 * The renderer end to end (issue 6, Tests), on the rig of test/support/e2e-ui.ts (the browser
 * host, keyway sshd, Debian's Chromium): add a host, connect, accept the host key, run a
 * command in a terminal tab and find its output in xterm's rows, open the SFTP pane, upload a
 * file and download it back (sha256 equal), rename and delete it, and see the error of a bad
 * action. Quick connect, resizing, the terminal's keys, file-chooser and drop uploads and a
 * changed host key are in terminal.test.ts, files.test.ts and host-key.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { addHostForm, startUiRig, type UiRig } from '../support/e2e-ui.js';
import { waitFor } from '../support/wait.js';

let rig: UiRig;
let page: Page;
let tmp: UiRig['tmp'];
let sshd: UiRig['sshd'];

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const shot = (name: string) => rig.shot(name);

before(async () => {
  rig = await startUiRig('ui');
  ({ page, tmp, sshd } = rig);
});

after(async () => {
  await rig?.close();
});

test('add a host, connect, accept the host key, run a command', async () => {
  await page.goto(rig.url);
  const form = await addHostForm(page, { name: 'Local sshd', host: '127.0.0.1', port: sshd.port });
  await shot('01-add-host');
  await form.getByRole('button', { name: 'Save' }).click();
  const saved = page.getByRole('button', { name: 'Connect to Local sshd' });
  await saved.waitFor();
  await saved.click();

  const dialog = page.getByRole('dialog', { name: 'Unknown host key' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /SHA256:[A-Za-z0-9+/]{43}/);
  assert.match(await dialog.getByLabel('Randomart').innerText(), /^\+-+\[ED25519 256\]/);
  await shot('02-host-key');
  await dialog.getByRole('button', { name: 'Accept and save' }).click();

  const tab = page.getByRole('tab', { name: new RegExp(`@127\\.0\\.0\\.1:${sshd.port}$`) });
  await tab.waitFor();
  const known = readFileSync(join(rig.home, '.ssh', 'known_hosts'), 'utf8');
  assert.match(known, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `, 'm'));

  const word = `hello-${randomBytes(4).toString('hex')}`;
  await rig.readyTerminal();
  await page.keyboard.type(`echo ${word}\n`);
  await rig.waitTerminal(new RegExp(`^${word}$`, 'm'), 'the echo output');

  await shot('03-terminal');
});

test('SFTP pane: upload, download back, rename, delete, and an error shown', async () => {
  const local = tmp.path('local');
  mkdirSync(local);
  const payload = join(local, 'payload.bin');
  writeFileSync(payload, randomBytes(300_000));
  await page.getByRole('button', { name: 'Files', exact: true }).click();
  const remote = page.getByRole('region', { name: 'Remote files' });
  const localPane = page.getByRole('region', { name: 'Local files' });
  await remote.locator('tbody').waitFor();

  await localPane.getByLabel('Local files location').fill(local);
  await localPane.getByLabel('Local files location').press('Enter');
  await localPane.getByRole('cell', { name: 'payload.bin' }).click();
  const remoteDir = tmp.path('remote');
  mkdirSync(remoteDir);
  await remote.getByLabel('Remote files location').fill(remoteDir);
  await remote.getByLabel('Remote files location').press('Enter');
  await remote.getByText('This folder is empty.').waitFor();
  await localPane.getByRole('button', { name: 'Upload' }).click();
  await remote.getByRole('cell', { name: 'payload.bin' }).waitFor();
  await waitFor(() => existsSync(join(remoteDir, 'payload.bin')), 'the upload');
  assert.equal(sha256(join(remoteDir, 'payload.bin')), sha256(payload));
  const transfers = page.getByRole('list', { name: 'Transfers' });
  await transfers.getByRole('listitem', { name: 'upload payload.bin done' }).waitFor();

  // download into another local folder, by dragging from the remote pane to the local one
  const back = tmp.path('back');
  mkdirSync(back);
  await localPane.getByLabel('Local files location').fill(back);
  await localPane.getByLabel('Local files location').press('Enter');
  await localPane.getByText('This folder is empty.').waitFor();
  await remote.getByRole('cell', { name: 'payload.bin' }).dragTo(localPane.locator('.table-wrap'));
  await transfers.getByRole('listitem', { name: 'download payload.bin done' }).waitFor();
  assert.equal(sha256(join(back, 'payload.bin')), sha256(payload));
  await shot('04-sftp');

  await remote.getByRole('cell', { name: 'payload.bin' }).click();
  await remote.getByRole('button', { name: 'Rename' }).click();
  const rename = page.getByRole('dialog', { name: 'Rename payload.bin' });
  await rename.getByLabel('New name').fill('renamed.bin');
  await rename.getByRole('button', { name: 'Rename' }).click();
  await remote.getByRole('cell', { name: 'renamed.bin' }).waitFor();
  assert.ok(existsSync(join(remoteDir, 'renamed.bin')));

  await remote.getByRole('cell', { name: 'renamed.bin' }).click();
  await remote.getByRole('button', { name: 'Delete' }).click();
  await page
    .getByRole('dialog', { name: 'Delete renamed.bin' })
    .getByRole('button', { name: 'Delete' })
    .click();
  await remote.getByText('This folder is empty.').waitFor();
  assert.ok(!existsSync(join(remoteDir, 'renamed.bin')));

  // a bad action: a folder that is not there
  await remote.getByLabel('Remote files location').fill(join(remoteDir, 'no-such-dir'));
  await remote.getByLabel('Remote files location').press('Enter');
  const alert = page.getByRole('list', { name: 'Errors' }).getByRole('alert');
  await alert.first().waitFor();
  assert.match(await alert.first().innerText(), /no such file|not found|does not exist/i);
  await shot('05-error');
});
