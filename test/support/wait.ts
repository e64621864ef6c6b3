/** Waiting in tests for something to happen, without fixed sleeps a loaded machine outruns. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';

/** Polls `cond` every 5 ms; fails after `ms` (default 10 s) naming `what`. */
export async function waitFor(cond: () => boolean, what = 'condition', ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`${what}: not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Until the Unix socket at `path` accepts a connection. Its file exists from the listener's
 * bind(), a moment before listen(), and a connect in between is refused; tests that saw the
 * file and connected at once failed now and then under load.
 */
export async function acceptingUnix(path: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ path });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) assert.fail(`${path}: no connection accepted in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Until a server's log (read through `log`) matches `re`. A server's log reaches the test on its
 * own pipe, so a line written before the client saw the login complete may still be on its way.
 */
export async function logged(log: () => string, re: RegExp, ms = 10_000): Promise<void> {
  await waitFor(() => re.test(log()), `the log showing ${re}`, ms).catch(() =>
    assert.match(log(), re, `the log never showed ${re} in ${ms} ms`),
  );
}
