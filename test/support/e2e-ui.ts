/**
 * The rig of the renderer's end-to-end tests (issue 6, Tests): the browser host as
 * `npm run start:web` starts it (dist/core/service/web/main.js serving dist/ui, so build
 * first) with HOME and the app data in a temp dir and an ed25519 key in that HOME's ~/.ssh,
 * keyway sshd on a free loopback port that accepts the key, and Debian's Chromium driven by
 * playwright-core. Screenshots go to KEYWAY_E2E_SHOTS (default a temp dir, removed); with
 * KEYWAY_E2E_README_SHOTS=1 the shots a test marks for the README are also written, at a
 * small size, to docs/screenshots/. Everything is stopped by PID in close().
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { CHROMIUM_ARGS, launchChromium } from './chromium.js';
import { startKeywaySshd, type KeywaySshd } from './keyway-sshd.js';
import { tempDir, type TempDir } from './temp-dir.js';
import { waitFor } from './wait.js';

const webMain = fileURLToPath(new URL('../../dist/core/service/web/main.js', import.meta.url));
const uiIndex = fileURLToPath(new URL('../../dist/ui/index.html', import.meta.url));
const readmeShots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** With WebGL (through SwiftShader): the default arguments less --disable-3d-apis. */
export const CHROMIUM_GPU_ARGS = CHROMIUM_ARGS.filter((a) => a !== '--disable-3d-apis');

export { CHROMIUM_ARGS };

export interface UiRig {
  readonly tmp: TempDir;
  readonly home: string;
  readonly publicKey: string;
  sshd: KeywaySshd;
  readonly url: string;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** A screenshot `<prefix>-<name>.png`; `readme` also writes docs/screenshots/<readme>.png. */
  shot(name: string, readme?: string): Promise<void>;
  /** The text xterm has rendered in the visible terminal tab (the DOM renderer's rows). */
  terminalText(): Promise<string>;
  /** Waits until the visible terminal's text matches; returns it. */
  waitTerminal(re: RegExp, what: string, ms?: number): Promise<string>;
  /**
   * Waits until the visible terminal shows its shell's first output (the prompt: the shell is
   * there to read) and gives it the keyboard focus, so typing reaches it on a slow machine.
   */
  readyTerminal(): Promise<void>;
  close(): Promise<void>;
}

/** Polls an async check until it holds (a deadline for a hang, not a speed assert). */
export async function until(
  check: () => Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startUiRig(
  prefix: string,
  chromiumArgs: readonly string[] = CHROMIUM_ARGS,
  /** More environment for the browser host (the service), e.g. SOFTHSM2_CONF. */
  env: Readonly<Record<string, string>> = {},
): Promise<UiRig> {
  assert.ok(existsSync(uiIndex), 'the renderer is built (npm run build)');
  const tmp = tempDir(`e2e-${prefix}`);
  const shots = process.env['KEYWAY_E2E_SHOTS'] ?? tmp.path('screenshots');
  mkdirSync(shots, { recursive: true });
  const home = tmp.path('home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const key = join(home, '.ssh', 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const publicKey = readFileSync(`${key}.pub`, 'utf8').trim();
  const sshd = await startKeywaySshd({ authorizedKeys: [publicKey] });
  const web: ChildProcess = spawn(process.execPath, [webMain, '--port', '0'], {
    env: {
      ...process.env,
      ...env,
      HOME: home,
      XDG_CONFIG_HOME: tmp.path('config'),
      SSH_AUTH_SOCK: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  web.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => /running at \S+\n/.test(out), 'the browser host URL', 30_000);
  const url = /running at (\S+)\n/.exec(out)?.[1] ?? '';
  const browser = await launchChromium(chromiumArgs);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const terminalText = () => page.locator('[role=tabpanel]:not([hidden]) .xterm-rows').innerText();
  const rig: UiRig = {
    tmp,
    home,
    publicKey,
    sshd,
    url,
    browser,
    context,
    page,
    async shot(name, readme) {
      await page.screenshot({ path: join(shots, `${prefix}-${name}.png`) });
      if (readme !== undefined && process.env['KEYWAY_E2E_README_SHOTS'] === '1') {
        mkdirSync(readmeShots, { recursive: true });
        await page.screenshot({ path: join(readmeShots, `${readme}.png`), scale: 'css' });
      }
    },
    terminalText,
    async waitTerminal(re, what, ms) {
      let text = '';
      await until(async () => re.test((text = await terminalText())), what, ms);
      return text;
    },
    async readyTerminal() {
      await until(async () => (await terminalText()).trim() !== '', 'the shell prompt');
      await page.locator('[role=tabpanel]:not([hidden]) .xterm-helper-textarea').focus();
    },
    async close() {
      await browser.close().catch(() => {});
      if (web.exitCode === null && web.pid !== undefined) process.kill(web.pid, 'SIGTERM');
      await rig.sshd.stop();
      if (!process.env['KEYWAY_E2E_SHOTS']) tmp.cleanup();
    },
  };
  return rig;
}

/** Connects with Quick connect (by its accessible name) and accepts a new host key. */
export async function quickConnect(
  rig: UiRig,
  text: string,
  shot?: { readonly name: string; readonly readme?: string },
): Promise<void> {
  const { page } = rig;
  await page.getByRole('textbox', { name: 'Quick connect' }).fill(text);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Unknown host key' });
  await dialog.waitFor();
  if (shot !== undefined) await rig.shot(shot.name, shot.readme);
  await dialog.getByRole('button', { name: 'Accept and save' }).click();
  await page.locator('[role=tabpanel]:not([hidden]) .xterm-helper-textarea').waitFor({
    state: 'attached',
  });
}

/** Opens Add host and fills its name, host and port; returns the form, not yet saved. */
export async function addHostForm(
  page: Page,
  host: { readonly name: string; readonly host: string; readonly port: number },
): Promise<Locator> {
  await page.getByRole('button', { name: 'Add host' }).click();
  const form = page.getByRole('dialog', { name: 'Add host' });
  await form.getByLabel('Name').fill(host.name);
  await form.getByLabel('Host', { exact: true }).fill(host.host);
  await form.getByLabel('Port').fill(String(host.port));
  return form;
}
