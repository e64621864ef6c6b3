/**
 * Debian's Chromium (the `chromium` package) through playwright-core, headless, as the e2e
 * tests and the terminal benchmark drive it: no sandbox (root in a container), no GPU, and
 * none of the background traffic a browser starts by itself.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
