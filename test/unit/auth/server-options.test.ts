// User authentication, server side, without a transport: AuthenticationMethods bookkeeping,
// option checks, the failure delay's arithmetic, and the keyboard-interactive conversation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MethodLists, resolveServerAuth } from '../../../core/auth/server-options.js';
import { failureDelayMs, userDelayMs } from '../../../core/auth/server-timing.js';
import { Conversation } from '../../../core/auth/server-kbdint.js';
import { AuthCancelled } from '../../../core/auth/errors.js';
import { ConfigError } from '../../../core/errors.js';

test('MethodLists: heads of lists are allowed, success advances every list it heads', () => {
  const l = new MethodLists([
    ['publickey', 'password'],
    ['publickey', 'keyboard-interactive'],
    ['password', 'publickey'],
  ]);
  assert.deepEqual(l.allowed(), ['publickey', 'password']);
  assert.ok(!l.allows('keyboard-interactive'));
  assert.ok(!l.allows('none'));
  assert.equal(l.advance('publickey'), false);
  assert.deepEqual(l.allowed(), ['password', 'keyboard-interactive']);
  assert.equal(l.advance('password'), true);
});

test('defaults: each configured method alone, sshd order; algorithms without ssh-rsa', () => {
  const r = resolveServerAuth({ keyboardInteractive: () => true, password: () => true });
  assert.deepEqual(r.lists, [['password'], ['keyboard-interactive']]);
  assert.ok(!r.pubkeyAlgorithms.includes('ssh-rsa'));
  assert.equal(r.maxAuthTries, 6);
  assert.equal(r.loginGraceMs, 120_000);
  assert.throws(() => resolveServerAuth({ password: () => true, loginGraceMs: -1 }), ConfigError);
  assert.throws(
    () =>
      resolveServerAuth({
        password: () => true,
        methods: [['password', 'hostbased' as 'password']],
      }),
    /unknown authentication method hostbased/,
  );
});

test('failure delay: base plus a stable per-user part, doubled past a slow check', () => {
  const u = userDelayMs('alice');
  assert.ok(u >= 0 && u < 4.2);
  assert.equal(userDelayMs('alice'), u);
  assert.equal(failureDelayMs(0, 'alice', 0), 0);
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);
  near(failureDelayMs(5, 'alice', 0), 5 + u);
  near(failureDelayMs(5, 'alice', 2), 3 + u);
  // took 12 ms: the target 5+u doubles to 10+2u, then 20+4u
  const t = 5 + u;
  const want = (t * 2 >= 12 ? t * 2 : t * 4) - 12;
  near(failureDelayMs(5, 'alice', 12), want);
  assert.equal(failureDelayMs(5, 'alice', 6000), 0);
});

test('Conversation: ask, answer, done; abort rejects the open prompt', async () => {
  const c = new Conversation('alice', 'pam', async (user, conv) => {
    assert.equal(user, 'alice');
    assert.equal(conv.submethods, 'pam');
    const [a] = await conv.prompt({ prompts: [{ prompt: 'A', echo: true }] });
    return a === 'yes';
  });
  const ask = await c.next();
  assert.equal(ask.kind, 'ask');
  c.respond(['yes']);
  assert.deepEqual(await c.next(), { kind: 'done', ok: true });

  let rejected: unknown = null;
  const d = new Conversation('alice', '', async (_u, conv) => {
    await conv.prompt({ prompts: [] }).catch((e: unknown) => (rejected = e));
    return true;
  });
  assert.equal((await d.next()).kind, 'ask');
  d.abort();
  await new Promise((r) => setImmediate(r));
  assert.ok(rejected instanceof AuthCancelled);

  const e = new Conversation('alice', '', () => {
    throw new Error('backend down');
  });
  const step = await e.next();
  assert.ok(step.kind === 'done' && !step.ok && /backend down/.test(step.detail ?? ''));

  const f = new Conversation('alice', '', async (_u, conv) => {
    await conv.prompt({ prompts: Array.from({ length: 65 }, () => ({ prompt: '', echo: true })) });
    return true;
  });
  const fs = await f.next();
  assert.ok(fs.kind === 'done' && !fs.ok && /more than 64 prompts/.test(fs.detail ?? ''));
});
