/**
 * What the terminal benchmark does in Chromium, from outside the renderer (playwright-core):
 * connect through Quick connect, accept the host key once, set a prompt it can recognise, and
 * read what xterm has rendered (the DOM rows of the visible terminal tab, as the e2e test
 * does). Each wait has a deadline, so a stuck page fails the row instead of hanging the run.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';

const ROWS = '[role=tabpanel]:not([hidden]) .xterm-rows';

/**
 * The little of the DOM the page functions below use: this folder compiles without lib "dom",
 * and those functions run in the page (serialised by playwright), so they reach `document`
 * through globalThis under this type.
 */
interface RowsDocument {
  querySelector(selector: string): {
    readonly textContent: string | null;
    readonly children: ArrayLike<{ readonly textContent: string | null }>;
  } | null;
}
type InPage = { readonly document: RowsDocument };

/** Opens the app, connects to `user@127.0.0.1:port`, waits for the shell; returns its prompt. */
export async function openTerminal(
  page: Page,
  url: string,
  user: string,
  port: number,
  timeoutMs: number,
): Promise<string> {
  await page.goto(url);
  await page.getByRole('textbox', { name: 'Quick connect' }).fill(`${user}@127.0.0.1:${port}`);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Unknown host key' });
  await dialog.waitFor({ timeout: timeoutMs });
  await dialog.getByRole('button', { name: 'Accept once' }).click();
  await page.locator(ROWS).waitFor({ timeout: timeoutMs });
  await page.locator('.xterm-helper-textarea').first().focus();
  // the shell has spoken (its first prompt): the tab is bound to it and takes input
  await page.waitForFunction(
    (sel) =>
      ((globalThis as unknown as InPage).document.querySelector(sel)?.textContent ?? '').trim() !==
      '',
    ROWS,
    { polling: 100, timeout: timeoutMs },
  );
  // a prompt nothing else prints: the typed line shows it split by quotes, the prompt whole
  const tag = randomBytes(4).toString('hex');
  const prompt = `KW-${tag}>`;
  // keys typed in the moment before the tab is bound are dropped: type again if need be
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.type(`PS1='KW''-${tag}> '\n`);
    try {
      await waitForPrompt(page, prompt, Math.min(timeoutMs, 5_000));
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
  await page.keyboard.type('clear\n');
  await waitForPrompt(page, prompt, timeoutMs);
  return prompt;
}

/** Waits until the last non-empty rendered row is the bare prompt (the shell waits for input). */
export async function waitForPrompt(page: Page, prompt: string, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    ([sel, p]) => {
      const rows = (globalThis as unknown as InPage).document.querySelector(sel)?.children ?? [];
      for (let i = rows.length - 1; i >= 0; i--) {
        const text = (rows[i]?.textContent ?? '').replace(/\u00a0/g, ' ').trim();
        if (text !== '') return text === p;
      }
      return false;
    },
    [ROWS, prompt] as const,
    { polling: 'raf', timeout: timeoutMs },
  );
}

/**
 * Types `command`, then times from Enter until `marker` is among the rendered rows. The
 * command must print the marker in a way its own echo does not show (printf with %s).
 */
export async function timeUntilRendered(
  page: Page,
  command: string,
  marker: string,
  timeoutMs: number,
): Promise<number> {
  await page.keyboard.type(command);
  const t0 = performance.now();
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    ([sel, m]) =>
      ((globalThis as unknown as InPage).document.querySelector(sel)?.textContent ?? '').includes(
        m,
      ),
    [ROWS, marker] as const,
    { polling: 'raf', timeout: timeoutMs },
  );
  return performance.now() - t0;
}

/**
 * One Ctrl-C round: `yes` for `floodMs`, Ctrl-C, and the milliseconds until the prompt is the
 * last rendered row again.
 */
export async function timeCtrlC(
  page: Page,
  prompt: string,
  floodMs: number,
  timeoutMs: number,
): Promise<number> {
  await page.keyboard.type('yes\n');
  // the flood is on once the screen ends in its output
  await page.waitForFunction(
    (sel) => {
      const rows = Array.from(
        (globalThis as unknown as InPage).document.querySelector(sel)?.children ?? [],
      );
      const texts = rows.map((r) => (r.textContent ?? '').trim()).filter((t) => t !== '');
      return texts.length > 2 && texts.slice(-2).every((t) => t === 'y');
    },
    ROWS,
    { polling: 'raf', timeout: timeoutMs },
  );
  await new Promise((r) => setTimeout(r, floodMs));
  const t0 = performance.now();
  await page.keyboard.press('Control+C');
  await waitForPrompt(page, prompt, timeoutMs);
  const ms = performance.now() - t0;
  await page.keyboard.type('clear\n');
  await waitForPrompt(page, prompt, timeoutMs);
  return ms;
}
