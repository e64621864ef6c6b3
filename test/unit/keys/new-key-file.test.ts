/**
 * New key files as ssh-keygen writes them: OpenSSH's own ssh-keygen reads every type we write
 * (plain and with a passphrase) and derives the same public key; modes are 0600 / 0644; an
 * existing key is never overwritten and no temporary file is left; the key signs, also as a
 * server's synchronous host key.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KeyFileExistsError,
  loadPrivateKeyFile,
  writeNewKeyFile,
  type GeneratedKeyType,
} from '../../../core/keys/index.js';
import { fingerprintSha256 } from '../../../core/crypto/fingerprint.js';
import { utf8 } from '../../../core/wire/bytes.js';

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'keyway-newkey-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const TYPES: readonly [GeneratedKeyType, number | undefined, number][] = [
  ['ssh-ed25519', undefined, 256],
  ['ecdsa-sha2-nistp256', undefined, 256],
  ['ecdsa-sha2-nistp384', 384, 384],
  ['ecdsa-sha2-nistp521', undefined, 521],
  ['ssh-rsa', undefined, 3072],
  ['ssh-rsa', 2048, 2048],
];

const keygen = (...args: string[]) =>
  execFileSync('ssh-keygen', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

for (const [type, bits, expectBits] of TYPES) {
  for (const passphrase of ['', 'new key passphrase']) {
    test(`${type} ${expectBits}${passphrase ? ', with a passphrase' : ''}: ssh-keygen reads it`, async () => {
      const path = join(dir, `${type}-${expectBits}-${passphrase ? 'enc' : 'plain'}`);
      const made = await writeNewKeyFile(path, type, {
        ...(bits !== undefined ? { bits } : {}),
        comment: 'made by keyway',
        passphrase,
        rounds: 4,
      });
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(`${path}.pub`).mode & 0o777, 0o644);
      assert.equal(made.publicKey.bits, expectBits);
      assert.equal(readFileSync(`${path}.pub`, 'utf8'), `${made.publicLine}\n`);
      assert.match(made.publicLine, new RegExp(`^${type} \\S+ made by keyway$`));
      // OpenSSH derives the same public key from our private file
      const derived = keygen('-y', '-P', passphrase, '-f', path).trim().split(' ');
      assert.deepEqual(derived.slice(0, 2), made.publicLine.split(' ').slice(0, 2));
      const listed = keygen('-l', '-f', `${path}.pub`).split(' ');
      assert.equal(listed[1], fingerprintSha256(made.publicKey.blob));
      assert.equal(listed[0], String(expectBits));
      if (passphrase) {
        assert.throws(() => keygen('-y', '-P', 'not it', '-f', path));
      }
      // and we read it back and sign with it, asynchronously and as a host key
      const signer = await loadPrivateKeyFile(path, { passphrase: async () => passphrase });
      const data = utf8('signed by a new key');
      const alg = signer.algorithms[0] ?? '';
      assert.ok(signer.publicKey.verify(alg, await signer.sign(alg, data), data));
      const host = signer.hostKeyPair();
      assert.ok(host.publicKey.verify(alg, host.sign(alg, data), data));
      assert.equal(signer.comment, 'made by keyway');
    });
  }
}

test('an existing key is never overwritten; nothing temporary is left behind', async () => {
  const path = join(dir, 'existing');
  writeFileSync(path, 'keep me', { mode: 0o600 });
  await assert.rejects(
    writeNewKeyFile(path, 'ssh-ed25519'),
    (e: unknown) => e instanceof KeyFileExistsError && e.message.includes(path),
  );
  assert.equal(readFileSync(path, 'utf8'), 'keep me');
  const second = join(dir, 'pub-exists');
  writeFileSync(`${second}.pub`, 'keep me too');
  await assert.rejects(writeNewKeyFile(second, 'ssh-ed25519'), KeyFileExistsError);
  assert.equal(readFileSync(`${second}.pub`, 'utf8'), 'keep me too');
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.endsWith('.tmp')),
    [],
  );
});

test('bad sizes are refused before anything is written', async () => {
  await assert.rejects(writeNewKeyFile(join(dir, 'small'), 'ssh-rsa', { bits: 1024 }), /2048/);
  await assert.rejects(
    writeNewKeyFile(join(dir, 'wrongcurve'), 'ecdsa-sha2-nistp256', { bits: 384 }),
    /256 bits/,
  );
  assert.ok(!readdirSync(dir).includes('small'));
});
