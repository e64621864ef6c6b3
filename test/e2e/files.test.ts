/**
 * The SFTP pane end to end (issue 6, Tests) in Debian's Chromium against the browser host and
 * keyway sshd, found by the accessible names the issue lists (regions "Remote files" and
 * "Local files", list "Transfers"): a file picked in the remote pane's file chooser and a file
 * dropped onto the remote pane from outside the page are uploaded (the page has no local path
 * for either, so their bytes stream through beginUpload / writeUpload), listed, downloaded back
 * into a local folder, and are byte for byte the originals (sha256).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { quickConnect, startUiRig, type UiRig } from '../support/e2e-ui.js';
import { waitFor } from '../support/wait.js';

let rig: UiRig;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

before(async () => {
  rig = await startUiRig('files');
});

after(async () => {
  await rig?.close();
});

async function goTo(pane: Locator, title: string, dir: string): Promise<void> {
  await pane.getByLabel(`${title} location`).fill(dir);
  await pane.getByLabel(`${title} location`).press('Enter');
}

async function downloadBack(
  remote: Locator,
  name: string,
  transfers: Locator,
  dir: string,
): Promise<void> {
  await remote.getByRole('cell', { name, exact: true }).click();
  await remote.getByRole('button', { name: 'Download' }).click();
  await transfers.getByRole('listitem', { name: `download ${name} done` }).waitFor();
  await waitFor(() => existsSync(join(dir, name)), `${name} downloaded`);
}

test('upload through the file chooser and by a drop, list, download back: sha256 equal', async () => {
  const { page } = rig;
  await page.goto(rig.url);
  await quickConnect(rig, `127.0.0.1:${rig.sshd.port}`);
  await page.getByRole('button', { name: 'Files', exact: true }).click();
  const remote = page.getByRole('region', { name: 'Remote files' });
  const local = page.getByRole('region', { name: 'Local files' });
  const transfers = page.getByRole('list', { name: 'Transfers' });
  await remote.locator('tbody').waitFor();

  const remoteDir = rig.tmp.path('remote');
  const back = rig.tmp.path('back');
  mkdirSync(remoteDir);
  mkdirSync(back);
  await goTo(remote, 'Remote files', remoteDir);
  await remote.getByText('This folder is empty.').waitFor();
  await goTo(local, 'Local files', back);
  await local.getByText('This folder is empty.').waitFor();

  // the file chooser: more than one chunk of the streamed upload
  const picked = randomBytes(700_000);
  const pickedPath = join(rig.tmp.path('picked.bin'));
  writeFileSync(pickedPath, picked);
  await remote.getByLabel('Files to upload').setInputFiles(pickedPath);
  await transfers.getByRole('listitem', { name: 'upload picked.bin done' }).waitFor();
  await remote.getByRole('cell', { name: 'picked.bin', exact: true }).waitFor();
  assert.equal(sha256(readFileSync(join(remoteDir, 'picked.bin'))), sha256(picked));

  // a drop from outside the page: a DataTransfer holding a File made in the page
  const dropped = randomBytes(300_000);
  const transfer = await page.evaluateHandle(`(() => {
    const bytes = Uint8Array.from(atob(${JSON.stringify(dropped.toString('base64'))}), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped.bin', { type: 'application/octet-stream' }));
    return dt;
  })()`);
  await remote.dispatchEvent('dragover', { dataTransfer: transfer });
  await rig.shot('01-dragover');
  await remote.dispatchEvent('drop', { dataTransfer: transfer });
  await transfers.getByRole('listitem', { name: 'upload dropped.bin done' }).waitFor();
  await remote.getByRole('cell', { name: 'dropped.bin', exact: true }).waitFor();
  assert.equal(sha256(readFileSync(join(remoteDir, 'dropped.bin'))), sha256(dropped));

  await downloadBack(remote, 'picked.bin', transfers, back);
  await downloadBack(remote, 'dropped.bin', transfers, back);
  assert.equal(sha256(readFileSync(join(back, 'picked.bin'))), sha256(picked));
  assert.equal(sha256(readFileSync(join(back, 'dropped.bin'))), sha256(dropped));
  await local.getByRole('cell', { name: 'dropped.bin', exact: true }).waitFor();
  await rig.shot('02-sftp', 'sftp');
  // streamed uploads cannot be resumed: no Resume button on them, ever
  assert.equal(await transfers.getByRole('button', { name: 'Resume' }).count(), 0);
});
