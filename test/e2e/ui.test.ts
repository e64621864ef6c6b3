/**
 * The renderer end to end (issue 6, Tests): the browser host started as `npm run start:web`
 * starts it (dist/core/service/web/main.js serving dist/ui, so `npm run build` first) with
 * HOME and the app data in a temp dir, keyway sshd on a free loopback port, and Debian's
 * Chromium driven by playwright-core. In the page: add a host, connect, accept the host key,
 * run a command in a terminal tab and find its output in xterm's rows, resize and see
 * `stty size` follow, open the SFTP pane, upload a file and download it back (sha256 equal),
 * rename and delete it, and see the error of a bad action. Screenshots go to a temp dir
 * (KEYWAY_E2E_SHOTS keeps them).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait.js';

const webMain = fileURLToPath(new URL('../../dist/core/service/web/main.js', import.meta.url));
const uiIndex = fileURLToPath(new URL('../../dist/ui/index.html', import.meta.url));

let tmp: TempDir;
let sshd: KeywaySshd;
let web: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;
let shots: string;

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** The text xterm has rendered in the visible terminal tab. */
async function terminalText(): Promise<string> {
  return page.locator('[role=tabpanel]:not([hidden]) .xterm-rows').innerText();
}

/** Polls an async check until it holds (a deadline for a hang, not a speed assert). */
async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitTerminal(re: RegExp, what: string): Promise<string> {
  let text = '';
  await until(async () => re.test((text = await terminalText())), what);
  return text;
}

before(async () => {
  assert.ok(existsSync(uiIndex), 'the renderer is built (npm run build)');
  tmp = tempDir('e2e-ui');
  shots = process.env['KEYWAY_E2E_SHOTS'] ?? tmp.path('screenshots');
  mkdirSync(shots, { recursive: true });
  const home = tmp.path('home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const key = join(home, '.ssh', 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  sshd = await startKeywaySshd({ authorizedKeys: [readFileSync(`${key}.pub`, 'utf8').trim()] });
  web = spawn(process.execPath, [webMain, '--port', '0'], {
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: tmp.path('config'), SSH_AUTH_SOCK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  web.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => /running at \S+\n/.test(out), 'the browser host URL');
  url = /running at (\S+)\n/.exec(out)?.[1] ?? '';
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});

after(async () => {
  await browser?.close();
  web?.kill('SIGTERM');
  await sshd?.stop();
  if (!process.env['KEYWAY_E2E_SHOTS']) tmp?.cleanup();
});

test('add a host, connect, accept the host key, run a command, resize', async () => {
  await page.goto(url);
  await page.getByRole('button', { name: 'Add host' }).click();
  const form = page.getByRole('dialog', { name: 'Add host' });
  await form.getByLabel('Name').fill('Local sshd');
  await form.getByLabel('Host').fill('127.0.0.1');
  await form.getByLabel('Port').fill(String(sshd.port));
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
  const known = readFileSync(join(tmp.path('home'), '.ssh', 'known_hosts'), 'utf8');
  assert.match(known, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `, 'm'));

  const word = `hello-${randomBytes(4).toString('hex')}`;
  await page.locator('.xterm-helper-textarea').first().waitFor({ state: 'attached' });
  await page.keyboard.type(`echo ${word}\n`);
  await waitTerminal(new RegExp(`^${word}$`, 'm'), 'the echo output');

  await page.keyboard.type('stty size\n');
  const before = await waitTerminal(/^\d+ \d+$/m, 'stty size');
  const first = before
    .match(/^(\d+) (\d+)$/m)
    ?.slice(1)
    .join(' ');
  await shot('03-terminal');
  await page.setViewportSize({ width: 900, height: 560 });
  // the pty learns the new size a moment after the page does: ask again until it shows
  let now = first;
  await until(async () => {
    await page.keyboard.type('clear; stty size\n');
    const text = await waitTerminal(/^\d+ \d+$/m, 'stty size after the resize');
    now = text
      .match(/^(\d+) (\d+)$/m)
      ?.slice(1)
      .join(' ');
    return now !== first;
  }, 'stty size to follow the resize');
  // a smaller window: fewer rows and columns than before
  const [rows0 = 0, cols0 = 0] = (first ?? '').split(' ').map(Number);
  const [rows = 0, cols = 0] = (now ?? '').split(' ').map(Number);
  assert.ok(rows > 0 && rows < rows0 && cols > 0 && cols < cols0, `${first} -> ${now}`);
  await shot('04-resized');
  await page.setViewportSize({ width: 1280, height: 800 });
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
  await shot('05-sftp');

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
  await shot('06-error');
});
