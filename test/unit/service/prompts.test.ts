// Prompts (core/service/connections/prompts.ts) and the host-key verifier built on them
// (host-key-check.ts): events out, answers in, wrong answers refused with the prompt still
// open, withdrawal, and what each host-key answer does to known_hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Prompt } from '../../../core/service/api/contract.js';
import type { PromptAnswer } from '../../../core/service/api/schemas.js';
import { serviceHostKeyVerifier } from '../../../core/service/connections/host-key-check.js';
import { PromptBroker } from '../../../core/service/connections/prompts.js';
import type { EventSink } from '../../../core/service/events.js';
import { fingerprintSha256 } from '../../../core/crypto/fingerprint.js';
import { tempDir } from '../../support/temp-dir.js';
import { key, keyText } from '../hosts/support.js';

const keyFingerprint = (k: { blob: Uint8Array }) => fingerprintSha256(k.blob);

function broker() {
  const events: { name: string; payload: unknown }[] = [];
  const emit: EventSink = (name, payload) => events.push({ name, payload });
  return { b: new PromptBroker(emit), events };
}

test('a prompt is an event; its answer resolves it once and closes it', async () => {
  const { b, events } = broker();
  const pending = b.ask({ kind: 'password', connectionId: 'c1', user: 'u', attempt: 1 });
  const p = events[0]?.payload as Prompt;
  assert.equal(p.kind, 'password');
  assert.deepEqual(b.open(), [p]);
  assert.throws(() => b.answer(p.promptId, { kind: 'keyboardInteractive', answers: [] }), {
    code: 'PROMPT_ANSWER_INVALID',
  });
  b.answer(p.promptId, { kind: 'secret', value: 'pw' });
  assert.deepEqual(await pending, { kind: 'secret', value: 'pw' });
  assert.deepEqual(events[1], { name: 'promptClosed', payload: { promptId: p.promptId } });
  assert.throws(() => b.answer(p.promptId, { kind: 'secret', value: 'x' }), { code: 'NOT_FOUND' });
});

test('a smartcard PIN prompt takes a secret, nothing else', async () => {
  const { b, events } = broker();
  const pending = b.ask({ kind: 'pin', connectionId: 'c1', token: 'card', pinStatus: 'finalTry' });
  const p = events[0]?.payload as Prompt;
  assert.deepEqual(p.kind === 'pin' && [p.token, p.pinStatus], ['card', 'finalTry']);
  assert.throws(() => b.answer(p.promptId, { kind: 'hostKey', decision: 'save' }), {
    code: 'PROMPT_ANSWER_INVALID',
  });
  b.answer(p.promptId, { kind: 'secret', value: '1234' });
  assert.deepEqual(await pending, { kind: 'secret', value: '1234' });
});

test('keyboard-interactive answers must match the questions; withdraw resolves null', async () => {
  const { b, events } = broker();
  const ki = b.ask({
    kind: 'keyboardInteractive',
    connectionId: 'c1',
    name: '',
    instruction: '',
    prompts: [{ prompt: 'a', echo: true }],
  });
  const other = b.ask({ kind: 'passphrase', connectionId: 'c2', keyPath: '/k', attempt: 1 });
  const id = (events[0]?.payload as Prompt).promptId;
  assert.throws(() => b.answer(id, { kind: 'keyboardInteractive', answers: ['1', '2'] }), {
    code: 'PROMPT_ANSWER_INVALID',
  });
  b.withdraw('c1');
  assert.equal(await ki, null);
  assert.equal(b.open().length, 1);
  b.withdraw();
  assert.equal(await other, null);
});

/** A verifier whose prompts are answered by `answer`: each answer in turn until one is taken. */
function verifierFor(
  dir: string,
  answer: (p: Prompt) => PromptAnswer[] | null,
  onUnsafe = () => {},
) {
  const { b, events } = broker();
  const asked: Prompt[] = [];
  const refused: string[] = [];
  const v = serviceHostKeyVerifier({
    connectionId: 'c',
    host: '127.0.0.1',
    port: 2222,
    strict: 'ask',
    knownHostsFiles: [join(dir, 'known_hosts')],
    globalKnownHostsFiles: [],
    ask: async (req, check) => {
      const pending = b.ask(req, check);
      const p = events.at(-1)?.payload as Prompt;
      asked.push(p);
      const list = answer(p);
      if (list === null) b.withdraw();
      for (const a of list ?? []) {
        try {
          b.answer(p.promptId, a);
          break;
        } catch (e) {
          refused.push((e as { code: string }).code);
        }
      }
      return pending;
    },
    onUnsafe,
    onWarning: () => {},
  });
  return { v, asked, refused };
}

test('a new key: save records it, once does not, reject refuses', async () => {
  const t = tempDir('hostkey');
  try {
    const k = key('ssh-ed25519');
    const known = join(t.dir, 'known_hosts');
    const once = verifierFor(t.dir, () => [{ kind: 'hostKey', decision: 'once' }]);
    assert.equal(await once.v(k, 'ssh-ed25519'), true);
    assert.equal(existsSync(known), false);
    const p = once.asked[0];
    assert.ok(p?.kind === 'hostKey' && p.status === 'new');
    assert.equal(p.key.knownHostsLine, `[127.0.0.1]:2222 ${keyText(k)}`);
    assert.match(p.key.randomart, /\[ED25519 256\]/);
    await assert.rejects(
      async () =>
        verifierFor(t.dir, () => [{ kind: 'hostKey', decision: 'reject' }]).v(k, 'ssh-ed25519'),
      { code: 'HOST_KEY_ERROR' },
    );
    await assert.rejects(async () => verifierFor(t.dir, () => null).v(k, 'ssh-ed25519'), {
      code: 'HOST_KEY_ERROR',
    });
    const save = verifierFor(t.dir, () => [{ kind: 'hostKey', decision: 'save' }]);
    assert.equal(await save.v(k, 'ssh-ed25519'), true);
    assert.equal(readFileSync(known, 'utf8'), `[127.0.0.1]:2222 ${keyText(k)}\n`);
    // now known: no prompt
    const again = verifierFor(t.dir, () => assert.fail('asked again'));
    assert.equal(await again.v(k, 'ssh-ed25519'), true);
  } finally {
    t.cleanup();
  }
});

test('a changed key: not savable, accepted once only with its fingerprint typed back', async () => {
  const t = tempDir('hostkey');
  try {
    writeFileSync(
      join(t.dir, 'known_hosts'),
      `[127.0.0.1]:2222 ${keyText(key('ssh-ed25519', 0))}\n`,
    );
    const k = key('ssh-ed25519', 1);
    let unsafe = false;
    const { v, refused, asked } = verifierFor(
      t.dir,
      (p) => [
        { kind: 'hostKey', decision: 'save' },
        { kind: 'hostKey', decision: 'once' },
        { kind: 'hostKey', decision: 'once', confirmFingerprint: 'SHA256:wrong' },
        {
          kind: 'hostKey',
          decision: 'once',
          confirmFingerprint: p.kind === 'hostKey' ? p.key.fingerprint : '',
        },
      ],
      () => (unsafe = true),
    );
    assert.equal(await v(k, 'ssh-ed25519'), true);
    const p = asked[0];
    assert.ok(p?.kind === 'hostKey' && p.status === 'changed');
    assert.equal(p.known[0]?.fingerprint, keyFingerprint(key('ssh-ed25519', 0)));
    assert.deepEqual(refused, [
      'PROMPT_ANSWER_INVALID',
      'PROMPT_ANSWER_INVALID',
      'PROMPT_ANSWER_INVALID',
    ]);
    assert.equal(unsafe, true, 'password authentication is turned off after a changed key');
    assert.equal(
      readFileSync(join(t.dir, 'known_hosts'), 'utf8').split('\n').length,
      2,
      'not saved',
    );
    const r = verifierFor(t.dir, () => [{ kind: 'hostKey', decision: 'reject' }]);
    await assert.rejects(
      async () => r.v(k, 'ssh-ed25519'),
      (e: { code: string; details: { kind: string } }) =>
        e.code === 'HOST_KEY_ERROR' && e.details.kind === 'mismatch',
    );
  } finally {
    t.cleanup();
  }
});
