/**
 * Nothing that authenticates — no service request, no username, no key, no password — leaves
 * the client before its host-key verifier has said yes; and after a no, nothing at all does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transportPair } from '../../support/transport-pair.js';
import { testKey } from '../../support/key-candidates.js';
import { generateHostKeyPair } from '../../../core/crypto/hostkey/index.js';
import { authenticate } from '../../../core/auth/client.js';
import { waitFor } from '../../support/wait.js';
import { Msg } from '../../../core/wire/messages.js';

const hostKeys = [generateHostKeyPair('ssh-ed25519')];

function setup() {
  let answer: ((ok: boolean) => void) | null = null;
  const pair = transportPair({
    hostKeys,
    client: { verifyHostKey: () => new Promise<boolean>((r) => (answer = r)) },
  });
  const serviceRequests: string[] = [];
  pair.server.onServiceRequest = (name) => (serviceRequests.push(name), true);
  const k = testKey('ssh-ed25519');
  let passwordAsked = 0;
  const auth = authenticate(pair.client, {
    username: 'alice',
    keys: [k.candidate],
    password: async () => (passwordAsked++, 'secret'),
  });
  auth.catch(() => {});
  return {
    pair,
    serviceRequests,
    auth,
    k,
    /** The key exchange has reached the verifier (on a busy machine that takes a while). */
    asking: () => answer !== null,
    answer: (ok: boolean) => answer?.(ok),
    asked: () => passwordAsked,
  };
}

test('while the verifier is undecided, no authentication message is sent', async () => {
  const s = setup();
  await waitFor(s.asking, 'the host-key question');
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(s.serviceRequests, []);
  assert.deepEqual(s.pair.serverMessages, []);
  s.answer(true);
  await waitFor(() => s.pair.serverMessages.length > 0, 'the none request');
  assert.deepEqual(s.serviceRequests, ['ssh-userauth']);
  const first = s.pair.serverMessages[0];
  assert.equal(first?.[0], Msg.USERAUTH_REQUEST); // the "none" probe, only now
  s.pair.client.disconnect();
});

test('after the verifier says no, nothing is sent and authentication fails', async () => {
  const s = setup();
  await waitFor(s.asking, 'the host-key question');
  s.answer(false);
  await assert.rejects(s.auth, /host key ssh-ed25519 was not accepted/);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(s.serviceRequests, []);
  assert.deepEqual(s.pair.serverMessages, []);
  assert.equal(s.k.loads(), 0);
  assert.equal(s.asked(), 0);
});
