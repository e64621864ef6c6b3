// The PKCS#11 PIN prompt: ssh's wording with the token's label, what the token says about the
// PIN (count low, final try, locked) appended, and no prompt at all in BatchMode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pinPrompt } from '../../../core/cli/pin-prompt.js';
import type { Prompter } from '../../../core/cli/tty-prompt.js';
import { parseKeygenArgs } from '../../../core/cli/keygen-args.js';
import { UsageError } from '../../../core/cli/args.js';
import { Pkcs11PinIncorrectError, Pkcs11TokenLockedError } from '../../../core/keys/index.js';

function recorder(answer: string | null): { prompter: Prompter; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    prompter: {
      ask: async (prompt, echo) => {
        assert.equal(echo, false, 'a PIN is read with echo off');
        asked.push(prompt);
        return answer;
      },
      say: () => {},
    },
  };
}

const ok = { countLow: false, finalTry: false, locked: false };

test('the prompt names the token and what it says about the PIN', async () => {
  const r = recorder('1234');
  const errors: string[] = [];
  const ask = pinPrompt(r.prompter, false, { err: (l) => errors.push(l) });
  assert.equal(await ask({ token: 'PIV Card', status: ok }), '1234');
  await ask({ token: 'PIV Card', status: { ...ok, countLow: true } });
  await ask({ token: 'PIV Card', status: { ...ok, countLow: true, finalTry: true } });
  assert.deepEqual(r.asked, [
    "Enter PIN for 'PIV Card': ",
    "Enter PIN for 'PIV Card' (PIN count low: a wrong PIN was entered before): ",
    "Enter PIN for 'PIV Card' (final PIN try: a wrong PIN locks the token): ",
  ]);
  assert.deepEqual(errors, []);
});

test('BatchMode asks nothing and says why', async () => {
  const r = recorder('1234');
  const errors: string[] = [];
  const ask = pinPrompt(r.prompter, true, { err: (l) => errors.push(l) });
  assert.equal(await ask({ token: 'PIV Card', status: ok }), null);
  assert.deepEqual(r.asked, []);
  assert.deepEqual(errors, ["token 'PIV Card' needs a PIN, and BatchMode asks for none"]);
});

test('PIN errors carry the token and its flags', () => {
  const wrong = new Pkcs11PinIncorrectError('PIV Card', { ...ok, finalTry: true }, 0xa0);
  assert.equal(wrong.code, 'PKCS11_PIN_INCORRECT');
  assert.equal(wrong.kind, 'pin-incorrect');
  assert.equal(wrong.rv, 0xa0);
  assert.match(wrong.message, /incorrect PIN for token 'PIV Card' \(final PIN try/);
  const locked = new Pkcs11TokenLockedError('PIV Card', 0xa4);
  assert.equal(locked.code, 'PKCS11_PIN_LOCKED');
  assert.match(locked.message, /token 'PIV Card' is locked/);
  assert.deepEqual(locked.details, { kind: 'pin-locked', rv: 0xa4, token: 'PIV Card' });
});

test('keygen arguments: modes, types and bits as ssh-keygen takes them', () => {
  const g = parseKeygenArgs(['-t', 'ecdsa', '-b', '521', '-f', 'k', '-N', '', '-C', 'c']);
  assert.equal(g.mode, 'generate');
  assert.equal(g.type, 'ecdsa-sha2-nistp521');
  assert.equal(g.newPassphrase, '');
  assert.equal(g.rounds, 16);
  assert.equal(parseKeygenArgs([]).type, 'ssh-ed25519');
  assert.equal(parseKeygenArgs(['-t', 'rsa']).type, 'ssh-rsa');
  const l = parseKeygenArgs(['-lvE', 'md5', '-f', 'k.pub']);
  assert.deepEqual([l.mode, l.verbose, l.hash], ['fingerprint', true, 'MD5']);
  assert.equal(parseKeygenArgs(['-D', 'pkcs11:id=%01']).provider, 'pkcs11:id=%01');
  assert.equal(parseKeygenArgs(['-p', '-a', '100']).rounds, 100);
  for (const bad of [
    ['-t', 'dsa'],
    ['-b', '255', '-t', 'ecdsa'],
    ['-y', '-p'],
    ['x'],
    ['-a', '5000'],
  ]) {
    assert.throws(() => parseKeygenArgs(bad), UsageError, bad.join(' '));
  }
});
