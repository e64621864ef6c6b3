/**
 * The cookie for untrusted X11 forwarding (ssh -X with ForwardX11Trusted no), made as OpenSSH's
 * clientloop.c client_x11_get_proto makes it: `xauth -f <file> generate <display>
 * MIT-MAGIC-COOKIE-1 untrusted [timeout <ForwardX11Timeout + 60>]` into a private temporary
 * file, then `xauth -f <file> list <display>` for the cookie the X server now knows as
 * untrusted (the SECURITY extension limits what its clients may do), and the file removed.
 * The cookie outlives ssh's willingness to forward (X11Forwarding's refuseAfterMs) by a minute,
 * so the X server never falls back to trusting a connection. No fake data replaces a cookie
 * that could not be made: untrusted forwarding is then off, with ssh's warning.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X11_PROTO, xauthDisplayName, xauthList, type X11Cookie } from './x11-forward.js';

/** How much longer the generated cookie lives than ssh forwards (OpenSSH X11_TIMEOUT_SLACK). */
export const X11_TIMEOUT_SLACK_SECONDS = 60;

/** ssh's words when no untrusted cookie could be made. */
export const UNTRUSTED_SETUP_FAILED =
  'Warning: untrusted X11 forwarding setup failed: xauth key data not generated';

function run(xauth: string, args: readonly string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(xauth, args, { timeout: 10_000 }, (error) => resolve(error === null));
  });
}

/**
 * Asks the X server of `display` (through xauth) for an untrusted cookie valid for
 * `timeoutSeconds` plus the slack (0: no expiry); null when none could be made.
 */
export async function generateUntrustedCookie(
  display: string,
  timeoutSeconds: number,
  xauth = '/usr/bin/xauth',
): Promise<X11Cookie | null> {
  const name = xauthDisplayName(display);
  const dir = await mkdtemp(join(tmpdir(), 'keyway-x11-'));
  const file = join(dir, 'xauthfile');
  try {
    const expiry =
      timeoutSeconds > 0 ? ['timeout', String(timeoutSeconds + X11_TIMEOUT_SLACK_SECONDS)] : [];
    const made = await run(xauth, [
      '-f',
      file,
      'generate',
      name,
      X11_PROTO,
      'untrusted',
      ...expiry,
    ]);
    return made ? await xauthList(xauth, ['-f', file, 'list', name]) : null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
