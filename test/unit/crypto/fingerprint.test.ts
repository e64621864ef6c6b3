// Fingerprints and randomart against ssh-keygen -l, -l -E md5 and -lv for every key type;
// the hash helpers and backend self-test switch they rest on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { fingerprintMd5, fingerprintSha256 } from '../../../core/crypto/fingerprint.js';
import { randomart, randomartKeyLabel, randomartOfDigest } from '../../../core/crypto/randomart.js';
import { parsePublicKey } from '../../../core/crypto/hostkey/index.js';
import { hash, hashLength, kexHash, nobleHash } from '../../../core/crypto/hash.js';
import { selfTest } from '../../../core/crypto/selftest.js';
import { makeKeys, sshKeygen } from './hostkey-fixtures.js';

let fx: ReturnType<typeof makeKeys>;
before(() => {
  fx = makeKeys();
});
after(() => fx.cleanup());

test('SHA256 and MD5 fingerprints match ssh-keygen -l', () => {
  for (const k of fx.keys) {
    const label = randomartKeyLabel(k.type);
    assert.equal(label, k.label);
    const sha = sshKeygen('-l', '-f', k.pubPath).trim();
    assert.equal(sha, `${k.bits} ${fingerprintSha256(k.blob)} ${k.comment} (${label})`);
    const md5 = sshKeygen('-l', '-E', 'md5', '-f', k.pubPath).trim();
    assert.equal(md5, `${k.bits} ${fingerprintMd5(k.blob)} ${k.comment} (${label})`);
    assert.match(fingerprintSha256(k.blob), /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.match(fingerprintMd5(k.blob), /^MD5:([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  }
});

test('randomart matches ssh-keygen -lv (SHA256 and MD5)', () => {
  for (const k of fx.keys) {
    const pk = parsePublicKey(k.blob);
    const label = randomartKeyLabel(pk.type);
    for (const [flag, alg] of [
      ['sha256', 'SHA256'],
      ['md5', 'MD5'],
    ] as const) {
      const lines = sshKeygen('-lv', '-E', flag, '-f', k.pubPath).trimEnd().split('\n');
      const art = lines.slice(1).join('\n');
      assert.equal(randomart(k.blob, label, pk.bits, alg), art, `${k.comment} ${alg}`);
      assert.equal(lines.length, 12);
    }
  }
});

test('randomart frame: 17 × 9 field, centred labels, OpenSSH truncation rules', () => {
  const art = randomartOfDigest(new Uint8Array(32), '[ED25519 256]', '[SHA256]');
  const rows = art.split('\n');
  assert.equal(rows.length, 11);
  assert.equal(rows[0], '+--[ED25519 256]--+');
  assert.equal(rows[10], '+----[SHA256]-----+');
  for (const r of rows) assert.equal(r.length, 19);
  // All-zero digest: every move is up-left, so the bishop ends in the top-left corner.
  assert.equal(rows[1]?.[1], 'E');
  assert.equal(rows[5]?.[9], 'S');
  // Titles: "[TYPE BITS]" up to 16 characters; exactly 17 is cut; longer falls back to "[TYPE]".
  const title = (label: string, bits: number): string =>
    randomart(new Uint8Array(0), label, bits).split('\n')[0] ?? '';
  assert.equal(title('RSA', 16384), '+---[RSA 16384]---+');
  assert.equal(title('ED25519-SK', 256), '+[ED25519-SK 256]-+');
  assert.equal(title('ED25519-SK', 2560), '+[ED25519-SK 2560-+');
  assert.equal(title('ECDSA-SK-CERT', 256), '+-[ECDSA-SK-CERT]-+');
});

test('every digest draws a well-formed picture (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (digest) => {
      const rows = randomartOfDigest(digest, '[X 1]', '[SHA256]').split('\n');
      assert.equal(rows.length, 11);
      const body = rows.slice(1, 10).join('');
      assert.match(body, /^(\|[ .o+=*BOX@%&#/^SE]{17}\|)+$/);
      assert.equal((body.match(/E/g) ?? []).length, 1);
      assert.ok((body.match(/S/g) ?? []).length <= 1);
    }),
  );
});

test('hash: node:crypto and @noble/hashes agree for every algorithm; kexHash hashes the concatenation', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 4 }), (parts) => {
      for (const name of ['md5', 'sha1', 'sha256', 'sha384', 'sha512'] as const) {
        const a = hash(name, ...parts);
        assert.equal(a.length, hashLength[name]);
        assert.deepEqual(a, nobleHash(name, ...parts), name);
        assert.deepEqual(a, new Uint8Array(createHash(name).update(Buffer.concat(parts)).digest()));
      }
      assert.deepEqual(kexHash('sha256', ...parts), hash('sha256', ...parts));
    }),
    { numRuns: 50 },
  );
});

test('selfTest: a failing or throwing check disables the fast path, and runs once', () => {
  let runs = 0;
  const ok = selfTest(() => {
    runs++;
    return true;
  });
  const bad = selfTest(() => {
    throw new Error('no such algorithm');
  });
  assert.equal(ok(), true);
  assert.equal(ok(), true);
  assert.equal(runs, 1);
  assert.equal(bad(), false);
  assert.equal(selfTest(() => false)(), false);
});
