/**
 * Debian's Chromium (the `chromium` package) through playwright-core, headless, as the e2e
 * tests and the terminal benchmark drive it: no sandbox (root in a container), no GPU, none of
 * the background traffic a browser starts by itself, and no WebGL (Debian's Chromium offers it
 * even with --disable-gpu), so xterm draws with its DOM renderer and its rows can be read.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-3d-apis',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(args: readonly string[] = CHROMIUM_ARGS): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...args] });
}
