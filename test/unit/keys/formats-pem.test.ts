// PEM key files, for every key type OpenSSL can write them for: ssh-keygen -m PEM (PKCS#1 RSA
// and SEC1 EC, plain and with OpenSSL's legacy encryption), ssh-keygen -m PKCS8 (plain and
// encrypted), and ed25519 PKCS#8 from openssl, since ssh-keygen writes ed25519 only as
// openssh-key-v1. RSA signatures are also checked by node:crypto against ssh-keygen's export.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { loadPrivateKeyFile } from '../../../core/keys/index.js';
import { utf8 } from '../../../core/wire/bytes.js';
import { SshReader } from '../../../core/wire/reader.js';
import { SshWriter } from '../../../core/wire/writer.js';
import {
  PASSPHRASE,
  answers,
  checkSigner,
  keySpecs,
  keygenPublic,
  makeKey,
  readText,
  run,
  runBytes,
  sshKeygen,
  tempDir,
  variant,
  type KeySpec,
  type TempDir,
} from './fixtures.js';

let d: TempDir;
const base = new Map<string, string>();

before(() => {
  d = tempDir('pem');
  for (const spec of keySpecs) if (spec.t !== 'ed25519') base.set(spec.name, makeKey(d, spec));
});
after(() => d.cleanup());

async function loads(
  path: string,
  spec: KeySpec,
  expected: string,
  format: string,
  pass?: string,
): Promise<void> {
  const a = answers(pass ?? null);
  const s = await loadPrivateKeyFile(path, { passphrase: a.passphrase });
  assert.equal(a.calls.length, pass === undefined ? 0 : 1, `${path}: prompts`);
  assert.equal(s.format, format);
  assert.equal(s.comment, '');
  await checkSigner(s, expected, spec);
}

for (const spec of keySpecs.filter((s) => s.t !== 'ed25519')) {
  test(`${spec.name}: ssh-keygen -m PEM and -m PKCS8, plain and encrypted`, async () => {
    const src = base.get(spec.name) ?? '';
    const expected = keygenPublic(src);
    const label = spec.t === 'rsa' ? 'RSA PRIVATE KEY' : 'EC PRIVATE KEY';
    const pemFormat = spec.t === 'rsa' ? 'pkcs1' : 'sec1';

    const pem = variant(d, src, `${spec.name}.pem`, '-N', '', '-m', 'PEM');
    assert.match(readText(pem), new RegExp(`^-----BEGIN ${label}-----\n[A-Za-z0-9]`));
    await loads(pem, spec, expected, pemFormat);

    const pemEnc = variant(d, src, `${spec.name}.enc.pem`, '-N', PASSPHRASE, '-m', 'PEM');
    assert.match(readText(pemEnc), /Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,/);
    assert.equal(keygenPublic(pemEnc, PASSPHRASE), expected);
    await loads(pemEnc, spec, expected, pemFormat, PASSPHRASE);

    const p8 = variant(d, src, `${spec.name}.p8`, '-N', '', '-m', 'PKCS8');
    assert.match(readText(p8), /^-----BEGIN PRIVATE KEY-----\n/);
    await loads(p8, spec, expected, 'pkcs8');

    const p8Enc = variant(d, src, `${spec.name}.enc.p8`, '-N', PASSPHRASE, '-m', 'PKCS8');
    assert.match(readText(p8Enc), /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    assert.equal(keygenPublic(p8Enc, PASSPHRASE), expected);
    await loads(p8Enc, spec, expected, 'pkcs8', PASSPHRASE);
  });
}

test('ed25519: PKCS#8 from openssl, plain and encrypted (PBES2 AES-256-CBC)', async () => {
  const spec = keySpecs[0];
  assert.ok(spec?.t === 'ed25519');
  const p8 = d.path('ed25519.p8');
  run('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', p8]);
  // The raw public key is the last 32 bytes of its SubjectPublicKeyInfo (RFC 8410 §4).
  const spki = runBytes('openssl', ['pkey', '-in', p8, '-pubout', '-outform', 'DER']);
  const blob = new SshWriter().writeString('ssh-ed25519').writeString(spki.subarray(-32)).toBytes();
  const expected = `ssh-ed25519 ${Buffer.from(blob).toString('base64')}`;
  await loads(p8, spec, expected, 'pkcs8');

  const enc = d.path('ed25519.enc.p8');
  run('openssl', [
    'pkcs8',
    '-topk8',
    '-v2',
    'aes-256-cbc',
    '-in',
    p8,
    '-out',
    enc,
    '-passout',
    `pass:${PASSPHRASE}`,
  ]);
  assert.match(readText(enc), /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
  await loads(enc, spec, expected, 'pkcs8', PASSPHRASE);
});

test('legacy PEM encryption from openssl: AES-256-CBC and DES-EDE3-CBC', async () => {
  const spec = keySpecs.find((s) => s.name === 'rsa2048');
  assert.ok(spec);
  const src = base.get(spec.name) ?? '';
  const pem = variant(d, src, 'legacy-src.pem', '-N', '', '-m', 'PEM');
  const expected = keygenPublic(src);
  for (const cipher of ['-aes256', '-des3']) {
    const out = d.path(`legacy${cipher}.pem`);
    run('openssl', [
      'rsa',
      '-traditional',
      cipher,
      '-in',
      pem,
      '-out',
      out,
      '-passout',
      `pass:${PASSPHRASE}`,
    ]);
    assert.match(readText(out), /Proc-Type: 4,ENCRYPTED/);
    await loads(out, spec, expected, 'pkcs1', PASSPHRASE);
  }
});

test('RSA signatures verify with node:crypto against the key ssh-keygen exports (all three hashes)', async () => {
  for (const spec of keySpecs.filter((s) => s.t === 'rsa')) {
    const src = base.get(spec.name) ?? '';
    const pubPem = sshKeygen('-e', '-m', 'PKCS8', '-f', `${src}.pub`);
    const key = createPublicKey(pubPem);
    const s = await loadPrivateKeyFile(
      variant(d, src, `${spec.name}.node.pem`, '-N', '', '-m', 'PEM'),
    );
    const data = utf8('checked by node:crypto');
    for (const [alg, h] of [
      ['rsa-sha2-512', 'sha512'],
      ['rsa-sha2-256', 'sha256'],
      ['ssh-rsa', 'sha1'],
    ] as const) {
      const r = new SshReader(await s.sign(alg, data));
      assert.equal(r.readAscii(), alg);
      const sig = r.readString();
      r.expectEnd();
      assert.equal(nodeVerify(h, data, key, sig), true, `${spec.name} ${alg}`);
    }
  }
});
