/** Waiting in tests for something to happen, without fixed sleeps a loaded machine outruns. */
import assert from 'node:assert/strict';

/** Polls `cond` every 5 ms; fails after `ms` (default 10 s) naming `what`. */
export async function waitFor(cond: () => boolean, what = 'condition', ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`${what}: not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
