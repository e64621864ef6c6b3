// PuTTY .ppk files from puttygen, for every key type: version 2 (SHA-1 key derivation,
// HMAC-SHA-1) and version 3 (Argon2id, HMAC-SHA-256), unencrypted and encrypted; Argon2i and
// Argon2d too. The public key must be the one ssh-keygen reads from the source key and the one
// puttygen itself exports from the .ppk.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPrivateKeyFile } from '../../../core/keys/index.js';
import {
  PASSPHRASE,
  answers,
  checkSigner,
  keySpecs,
  keygenPublic,
  makeKey,
  passphraseFile,
  ppk,
  readText,
  run,
  tempDir,
  type TempDir,
} from './fixtures.js';

let d: TempDir;
const base = new Map<string, string>();

before(() => {
  d = tempDir('ppk');
  for (const spec of keySpecs) base.set(spec.name, makeKey(d, spec));
});
after(() => d.cleanup());

/** "<type> <base64>" of `puttygen <file> -O public-openssh`. */
function puttygenPublic(path: string, encrypted: boolean): string {
  const pub = `${path}.pub`;
  const args = [path, '-O', 'public-openssh', '-o', pub];
  if (encrypted) args.push('--old-passphrase', passphraseFile(d));
  run('puttygen', args);
  const out = readText(pub).trim().split(/\s+/);
  return `${out[0] ?? ''} ${out[1] ?? ''}`;
}

for (const spec of keySpecs) {
  test(`${spec.name}: .ppk v2 and v3, plain and encrypted`, async () => {
    const src = base.get(spec.name) ?? '';
    const expected = keygenPublic(src);
    for (const version of [2, 3] as const) {
      for (const encrypted of [false, true]) {
        const name = `${spec.name}.v${version}${encrypted ? '.enc' : ''}.ppk`;
        const path = ppk(d, src, name, version, encrypted);
        const text = readText(path);
        assert.match(text, new RegExp(`^PuTTY-User-Key-File-${version}: ${spec.type}\n`));
        assert.match(text, encrypted ? /Encryption: aes256-cbc/ : /Encryption: none/);
        assert.equal(puttygenPublic(path, encrypted), expected, name);
        const a = answers(PASSPHRASE);
        const s = await loadPrivateKeyFile(path, { passphrase: a.passphrase });
        assert.equal(a.calls.length, encrypted ? 1 : 0, `${name}: prompts`);
        assert.equal(s.format, 'ppk');
        assert.equal(s.comment, `keyway-${spec.name}`);
        await checkSigner(s, expected, spec);
      }
    }
  });
}

test('.ppk v3 with Argon2i and Argon2d, and non-default Argon2 parameters', async () => {
  const spec = keySpecs[0];
  assert.ok(spec);
  const src = base.get(spec.name) ?? '';
  const expected = keygenPublic(src);
  const pw = passphraseFile(d);
  for (const kdf of ['argon2i', 'argon2d', 'argon2id']) {
    const path = d.path(`kdf-${kdf}.ppk`);
    run('puttygen', [
      src,
      '-O',
      'private',
      '-o',
      path,
      '--new-passphrase',
      pw,
      '--ppk-param',
      `kdf=${kdf},memory=1024,passes=3,parallel=2`,
    ]);
    const text = readText(path);
    assert.match(text, /Argon2-Memory: 1024\nArgon2-Passes: 3\nArgon2-Parallelism: 2\n/);
    const s = await loadPrivateKeyFile(path, { passphrase: answers(PASSPHRASE).passphrase });
    await checkSigner(s, expected, spec);
  }
});

test('a comment with spaces and UTF-8 survives, and is covered by the MAC', async () => {
  const spec = keySpecs[0];
  assert.ok(spec);
  const src = base.get(spec.name) ?? '';
  const path = d.path('comment.ppk');
  run('puttygen', [src, '-O', 'private', '-o', path, '-C', 'Zoë’s laptop key']);
  const s = await loadPrivateKeyFile(path);
  assert.equal(s.comment, 'Zoë’s laptop key');
});
