/**
 * A terminal tab end to end (issue 6, Tests; CONVENTIONS §13, §14) in Debian's Chromium against
 * the browser host and keyway sshd: connect through Quick connect, accept the host key, find
 * `echo hello-<random>` in the terminal; resize the window and see `stty size` follow; run
 * `yes` for 3 s, press Ctrl-C, get the prompt back and a working shell (how fast is the terminal
 * bench's Ctrl-C figure, against OpenSSH: tests never fail on speed);
 * the tab's own keys: Ctrl+Shift+F search, Ctrl+= / Ctrl+- / Ctrl+0 font zoom (seen as the pty
 * size), Ctrl+Shift+C copy and Ctrl+Shift+V paste; links open in a new tab without an opener;
 * without a GPU xterm draws with its DOM renderer.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launchChromium } from '../support/chromium.js';
import {
  CHROMIUM_GPU_ARGS,
  quickConnect,
  startUiRig,
  until,
  type UiRig,
} from '../support/e2e-ui.js';

let rig: UiRig;
const PROMPT = `kw-${randomBytes(3).toString('hex')}>`;

before(async () => {
  rig = await startUiRig('terminal');
  await rig.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(rig.url).origin,
  });
});

after(async () => {
  await rig?.close();
});

/** `stty size` as [rows, cols], asked again until it differs from `not` (when given). */
async function sttySize(not?: string): Promise<string> {
  let now = '';
  await until(
    async () => {
      await rig.page.keyboard.type('clear; stty size\n');
      const text = await rig.waitTerminal(/^\d+ \d+$/m, 'stty size');
      now = /^(\d+ \d+)$/m.exec(text)?.[1] ?? '';
      return now !== '' && now !== not;
    },
    `stty size to change from ${not ?? 'nothing'}`,
  );
  return now;
}

/** The little of the page's DOM that functions run in the page use (no DOM types here). */
interface PageDocument {
  querySelector(selector: string): { innerText: string } | null;
}

const dims = (s: string) => s.split(' ').map(Number) as [number, number];

test('Quick connect, accept the host key, echo, and stty size follows a resize', async () => {
  const { page } = rig;
  await page.goto(rig.url);
  await rig.shot('01-start');
  await quickConnect(rig, `127.0.0.1:${rig.sshd.port}`, {
    name: '02-host-key',
    readme: 'host-key',
  });
  const tabs = page.getByRole('tablist');
  const user = process.env['USER'] ?? 'root';
  await tabs.getByRole('tab', { name: `${user}@127.0.0.1:${rig.sshd.port}` }).waitFor();
  await rig.readyTerminal();
  await page.keyboard.type(`PS1='${PROMPT} '\n`);

  const word = `hello-${randomBytes(4).toString('hex')}`;
  await page.keyboard.type(`echo ${word}\n`);
  await rig.waitTerminal(new RegExp(`^${word}$`, 'm'), 'the echo output');
  // no WebGL here: the webgl addon could not load and xterm draws with its DOM renderer
  const host = page.locator('[role=tabpanel]:not([hidden]) .terminal-host');
  assert.equal(await host.getAttribute('data-renderer'), 'dom');
  await rig.shot('03-terminal');

  const first = await sttySize();
  await page.setViewportSize({ width: 900, height: 560 });
  const now = await sttySize(first);
  const [rows0, cols0] = dims(first);
  const [rows, cols] = dims(now);
  assert.ok(rows > 0 && rows < rows0 && cols > 0 && cols < cols0, `${first} -> ${now}`);
  await rig.shot('04-resized');
  await page.setViewportSize({ width: 1280, height: 800 });
  await sttySize(now);
});

test('yes for 3 s, then Ctrl-C stops the flood and brings the prompt back', async (t) => {
  const { page } = rig;
  await page.keyboard.type('clear\n');
  await page.keyboard.type('yes\n');
  await rig.waitTerminal(/^y\ny\ny$/m, 'yes output');
  await new Promise((r) => setTimeout(r, 3000));
  await rig.shot('05-yes');
  const rows = '[role=tabpanel]:not([hidden]) .xterm-rows';
  const lastRowIs = (text: string): Promise<unknown> =>
    page.waitForFunction(
      ({ sel, want }) => {
        const doc = (globalThis as unknown as { document: PageDocument }).document;
        const lines = (doc.querySelector(sel)?.innerText ?? '')
          .split('\n')
          .map((l) => l.trimEnd())
          .filter((l) => l !== '');
        return lines[lines.length - 1] === want;
      },
      { sel: rows, want: text },
      { polling: 10, timeout: 30_000 },
    );
  const t0 = Date.now();
  await page.keyboard.press('Control+C');
  // the last non-empty row is the prompt again (checked in the page every 10 ms)
  await lastRowIs(PROMPT);
  t.diagnostic(`the prompt came back ${Date.now() - t0} ms after Ctrl-C`);
  await rig.shot('06-after-ctrl-c');
  // the flood has stopped: a command's output, then the prompt, stay the last rows
  const word = `after-${randomBytes(4).toString('hex')}`;
  await page.keyboard.type(`clear; echo ${word}\n`);
  await rig.waitTerminal(new RegExp(`^${word}$`, 'm'), 'output after Ctrl-C');
  await lastRowIs(PROMPT);
  const text = await page.locator(rows).innerText();
  assert.doesNotMatch(text, /^y$/m, 'no `yes` output after the clear');
});

test('keys typed into a new tab before its shell is open are not lost', async () => {
  const { page } = rig;
  const tabs = page.getByRole('tab');
  const before = await tabs.count();
  await page.keyboard.press('Control+Shift+T');
  await tabs.nth(before).waitFor();
  // straight away: the service may not have opened the shell yet
  await page.locator('[role=tabpanel]:not([hidden]) .xterm-helper-textarea').focus();
  const word = `early-${randomBytes(4).toString('hex')}`;
  await page.keyboard.type(`echo ${word}\n`);
  await rig.waitTerminal(new RegExp(`^${word}$`, 'm'), 'the early input echoed');
  await page.keyboard.press('Control+Shift+W');
  await until(async () => (await tabs.count()) === before, 'the tab closed');
});

test('Ctrl+Shift+F searches the scrollback; Escape closes the box', async () => {
  const { page } = rig;
  const word = `needle${randomBytes(3).toString('hex')}`;
  await page.keyboard.type(`clear; uname -sr; ls --color=always -F /usr; echo ${word}\n`);
  await rig.waitTerminal(new RegExp(`^${word}$`, 'm'), 'the needle');
  await page.keyboard.press('Control+Shift+F');
  const box = page.getByRole('textbox', { name: 'Find in terminal' });
  await box.waitFor();
  await box.fill(word);
  await box.press('Enter');
  await rig.shot('07-search', 'terminal');
  await box.press('Escape');
  await box.waitFor({ state: 'detached' });
  await page.keyboard.press('Control+Shift+F');
  await box.fill(`absent-${randomBytes(3).toString('hex')}`);
  await box.press('Enter');
  await page.getByRole('search', { name: 'Search terminal' }).getByText('No match').waitFor();
  await box.press('Escape');
});

test('Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes into the shell', async () => {
  const { page } = rig;
  const word = `clip${randomBytes(4).toString('hex')}`;
  await page.keyboard.type(`clear; echo ${word}\n`);
  await rig.waitTerminal(new RegExp(`^${word}$`, 'm'), 'the word');
  // select the word with the search box (it selects the match), then copy it
  await page.evaluate("navigator.clipboard.writeText('')");
  await page.keyboard.press('Control+Shift+F');
  const box = page.getByRole('textbox', { name: 'Find in terminal' });
  await box.fill(word);
  await box.press('Enter');
  await page.locator('[role=tabpanel]:not([hidden]) .xterm-helper-textarea').focus();
  await page.keyboard.press('Control+Shift+C');
  assert.equal(await page.evaluate('navigator.clipboard.readText()'), word);

  const pasted = `paste${randomBytes(4).toString('hex')}`;
  await page.evaluate(`navigator.clipboard.writeText('echo ${pasted}')`);
  await page.keyboard.press('Control+Shift+V');
  await page.keyboard.press('Enter');
  await rig.waitTerminal(new RegExp(`^${pasted}$`, 'm'), 'the pasted command ran');
});

test('Ctrl+= and Ctrl+- change the font size (the pty follows), Ctrl+0 resets it', async () => {
  const { page } = rig;
  const base = await sttySize();
  await page.keyboard.press('Control+Equal');
  await page.keyboard.press('Control+Equal');
  const bigger = await sttySize(base);
  assert.ok(dims(bigger)[1] < dims(base)[1], `${base} -> ${bigger}`);
  await page.keyboard.press('Control+0');
  assert.equal(await sttySize(bigger), base);
  await page.keyboard.press('Control+Minus');
  const smaller = await sttySize(base);
  assert.ok(dims(smaller)[1] > dims(base)[1], `${base} -> ${smaller}`);
  await page.keyboard.press('Control+0');
  await sttySize(smaller);
});

test('a link in the terminal opens in a new tab without an opener', async () => {
  const { page } = rig;
  const target = `${new URL(rig.url).origin}/link-${randomBytes(3).toString('hex')}`;
  await page.keyboard.type(`clear; echo ${target}\n`);
  await rig.waitTerminal(new RegExp(`^${target}$`, 'm'), 'the link');
  const row = page
    .locator('[role=tabpanel]:not([hidden]) .xterm-rows > div')
    .filter({ hasText: new RegExp(`^${target}$`) })
    .first();
  const box = await row.boundingBox();
  assert.ok(box);
  const popup = rig.context.waitForEvent('page');
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.click(box.x + 20, box.y + box.height / 2);
  const opened = await popup;
  await opened.waitForLoadState('domcontentloaded').catch(() => {});
  assert.equal(opened.url(), target);
  assert.equal(await opened.evaluate('window.opener'), null);
  await opened.close();
});

test('with WebGL the GPU renderer draws; on a lost context the tab falls back to the DOM one', async () => {
  const browser = await launchChromium(CHROMIUM_GPU_ARGS);
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await page.goto(rig.url);
    // the host key is saved by now: no dialog
    await page.getByRole('textbox', { name: 'Quick connect' }).fill(`127.0.0.1:${rig.sshd.port}`);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const host = page.locator('[role=tabpanel]:not([hidden]) .terminal-host');
    await host.and(page.locator('[data-renderer=webgl]')).waitFor();
    assert.equal(await host.locator('.xterm-rows').count(), 0);
    // every canvas of the terminal: the one with xterm's WebGL2 context loses it
    await page.evaluate(`(() => {
      const canvases = document.querySelectorAll('[role=tabpanel]:not([hidden]) .xterm-screen canvas');
      for (const c of canvases) c.getContext('webgl2')?.getExtension('WEBGL_lose_context')?.loseContext();
    })()`);
    await host.and(page.locator('[data-renderer=dom]')).waitFor();
    await rig.readyTerminal();
    const word = `after-loss-${randomBytes(4).toString('hex')}`;
    await page.keyboard.type(`echo ${word}\n`);
    await until(
      async () => new RegExp(`^${word}$`, 'm').test(await host.locator('.xterm-rows').innerText()),
      'the DOM renderer shows new output',
    );
  } finally {
    await browser.close();
  }
});
