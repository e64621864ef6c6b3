// openssh-key-v1 files from ssh-keygen, for every key type: unencrypted, encrypted with the
// default aes256-ctr, and with aes256-gcm@openssh.com; every other cipher ssh-keygen -Z offers
// for one key; and OpenSSH accepting the signatures (ssh-keygen -Y check-novalidate).
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
  opensshAccepts,
  tempDir,
  variant,
  type TempDir,
} from './fixtures.js';

let d: TempDir;
const base = new Map<string, string>();

before(() => {
  d = tempDir('openssh');
  for (const spec of keySpecs) base.set(spec.name, makeKey(d, spec));
});
after(() => d.cleanup());

for (const spec of keySpecs) {
  test(`${spec.name}: openssh-key-v1 plain, aes256-ctr and aes256-gcm load the same key`, async () => {
    const src = base.get(spec.name) ?? '';
    const expected = keygenPublic(src);
    const plain = await loadPrivateKeyFile(src);
    assert.equal(plain.format, 'openssh');
    assert.equal(plain.comment, `keyway-${spec.name}`);
    assert.equal(plain.source, src);
    await checkSigner(plain, expected, spec);

    const ctr = variant(d, src, `${spec.name}-ctr`, '-N', PASSPHRASE);
    const gcm = variant(
      d,
      src,
      `${spec.name}-gcm`,
      '-N',
      PASSPHRASE,
      '-Z',
      'aes256-gcm@openssh.com',
    );
    for (const path of [ctr, gcm]) {
      assert.equal(keygenPublic(path, PASSPHRASE), expected);
      const a = answers(PASSPHRASE);
      const s = await loadPrivateKeyFile(path, { passphrase: a.passphrase });
      assert.deepEqual(a.calls, [{ path, attempt: 1 }]);
      assert.equal(s.comment, `keyway-${spec.name}`);
      await checkSigner(s, expected, spec);
    }
  });

  test(`${spec.name}: OpenSSH verifies the signatures (SSHSIG)`, async () => {
    const s = await loadPrivateKeyFile(base.get(spec.name) ?? '');
    for (const alg of s.algorithms.filter((a) => a !== 'ssh-rsa')) {
      assert.equal(await opensshAccepts(d, s, alg), true, `${spec.name} ${alg}`);
    }
  });
}

test('every cipher ssh-keygen -Z offers for keys (but 3des-cbc) decrypts', async () => {
  const spec = keySpecs[1];
  assert.ok(spec);
  const src = base.get(spec.name) ?? '';
  const expected = keygenPublic(src);
  const ciphers = [
    'aes128-ctr',
    'aes192-ctr',
    'aes256-ctr',
    'aes128-cbc',
    'aes192-cbc',
    'aes256-cbc',
    'aes128-gcm@openssh.com',
    'aes256-gcm@openssh.com',
    'chacha20-poly1305@openssh.com',
  ];
  for (const cipher of ciphers) {
    const path = variant(d, src, `cipher-${cipher}`, '-N', PASSPHRASE, '-Z', cipher, '-a', '4');
    const s = await loadPrivateKeyFile(path, { passphrase: answers(PASSPHRASE).passphrase });
    await checkSigner(s, expected, spec);
  }
});

test('a key saved with -a 100 rounds loads, and the event loop keeps running meanwhile', async () => {
  const spec = keySpecs[0];
  assert.ok(spec);
  const src = base.get(spec.name) ?? '';
  const path = variant(d, src, 'rounds100', '-N', PASSPHRASE, '-a', '100');
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    const s = await loadPrivateKeyFile(path, { passphrase: answers(PASSPHRASE).passphrase });
    await checkSigner(s, keygenPublic(src), spec);
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks >= 5, `the timer ran ${ticks} times during the KDF`);
});
