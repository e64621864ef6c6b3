// FileSigner beyond the formats: no secret in inspect or JSON, algorithm checks, the noble
// backend cross-checked against node:crypto, key info without a passphrase, and OpenSSH's
// default identity files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { Signer } from '../../../core/auth/signer.js';
import { ConfigError, KeyFormatError } from '../../../core/errors.js';
import {
  DEFAULT_IDENTITY_NAMES,
  FileSigner,
  defaultIdentityFiles,
  loadPrivateKeyFile,
  readPrivateKeyFileInfo,
} from '../../../core/keys/index.js';
import { readKeyFile } from '../../../core/keys/key-file.js';
import { fingerprintSha256 } from '../../../core/crypto/fingerprint.js';
import { utf8 } from '../../../core/wire/bytes.js';
import { SshReader } from '../../../core/wire/reader.js';
import {
  PASSPHRASE,
  answers,
  checkSigner,
  keySpecs,
  keygenPublic,
  makeKey,
  ppk,
  readText,
  run,
  tempDir,
  variant,
  type KeySpec,
  type TempDir,
} from './fixtures.js';

let d: TempDir;
const base = new Map<string, string>();
const spec = (name: string): KeySpec => {
  const s = keySpecs.find((k) => k.name === name);
  assert.ok(s);
  return s;
};

before(() => {
  d = tempDir('signer');
  for (const s of keySpecs) if (s.name !== 'rsa4096') base.set(s.name, makeKey(d, s));
});
after(() => d.cleanup());

const path = (name: string): string => base.get(name) ?? '';

test('no private key material in util.inspect, JSON or own properties', async () => {
  const p = path('ed25519');
  // The seed, straight from the file: its 64-byte private string is seed ‖ public.
  const b64 = readText(p)
    .replace(/-----[A-Z ]+-----/g, '')
    .replace(/\s+/g, '');
  const body = Buffer.from(b64, 'base64');
  const at = body.indexOf(Buffer.from([0, 0, 0, 64]));
  const seed = body.subarray(at + 4, at + 36);
  const s = await loadPrivateKeyFile(p);
  const shown = [
    inspect(s, { showHidden: true, depth: 10 }),
    JSON.stringify(s),
    inspect(Object.entries(s), { depth: 10 }),
  ];
  for (const text of shown) {
    for (const secret of [seed.toString('hex'), seed.toString('base64'), [...seed].join(', ')]) {
      assert.ok(!text.includes(secret), text);
    }
  }
  assert.match(shown[0] ?? '', /FileSigner/);
  assert.ok((shown[0] ?? '').includes(fingerprintSha256(s.publicKey.blob)));
  assert.deepEqual(Object.keys(s).sort(), [
    'algorithms',
    'backend',
    'comment',
    'format',
    'publicKey',
    'source',
  ]);

  const pem = await loadPrivateKeyFile(
    variant(d, path('rsa2048'), 'inspect.pem', '-N', '', '-m', 'PEM'),
  );
  assert.ok(!inspect(pem, { showHidden: true, depth: 10 }).includes('KeyObject'));
});

test('sign() refuses an algorithm the key does not list', async () => {
  const signer: Signer = await loadPrivateKeyFile(path('ecdsa256'));
  for (const alg of ['rsa-sha2-512', 'ecdsa-sha2-nistp384', 'ssh-ed25519', 'none']) {
    await assert.rejects(signer.sign(alg, utf8('x')), ConfigError);
  }
  const rsa = await loadPrivateKeyFile(path('rsa2048'));
  const r = new SshReader(await rsa.sign('rsa-sha2-256', utf8('x')));
  assert.equal(r.readAscii(), 'rsa-sha2-256');
  assert.equal(r.readString().length, 256);
  r.expectEnd();
});

/** The decrypted material of a file, as the loader hands it to FileSigner.create. */
async function material(
  p: string,
  pass?: string,
): Promise<Parameters<typeof FileSigner.create>[0]> {
  const unlocked = await readKeyFile(new Uint8Array(Buffer.from(readText(p)))).unlock(pass);
  assert.ok(unlocked);
  return unlocked.material;
}

test('the noble backend signs like node:crypto (from openssh parts and from PEM KeyObjects)', async () => {
  const data = utf8('cross-checked');
  for (const name of ['ed25519', 'ecdsa256', 'ecdsa384', 'ecdsa521']) {
    const s = spec(name);
    const p = path(name);
    const expected = keygenPublic(p);
    const info = { comment: '', source: p, format: 'openssh' as const };
    const node = FileSigner.create(await material(p), info, 'node');
    const noble = FileSigner.create(await material(p), info, 'noble');
    assert.equal(node.backend, 'node');
    assert.equal(noble.backend, 'noble');
    await checkSigner(noble, expected, s);
    // Each verifies the other's signature; ed25519 signatures are deterministic, so equal.
    const a = await node.sign(s.type, data);
    const b = await noble.sign(s.type, data);
    assert.ok(noble.publicKey.verify(s.type, a, data) && node.publicKey.verify(s.type, b, data));
    if (name === 'ed25519') assert.deepEqual(a, b);
    if (name !== 'ed25519') {
      const pem = variant(d, p, `${name}.noble.p8`, '-N', '', '-m', 'PKCS8');
      const fromPem = FileSigner.create(await material(pem), { ...info, format: 'pkcs8' }, 'noble');
      await checkSigner(fromPem, expected, s);
    }
  }
  await assert.rejects(
    async () =>
      FileSigner.create(
        await material(path('rsa2048')),
        { comment: '', source: 'x', format: 'openssh' },
        'noble',
      ),
    KeyFormatError,
    'RSA has no noble backend',
  );
});

test('readPrivateKeyFileInfo shows the public key without asking for the passphrase', async () => {
  const p = path('ed25519');
  const expected = keygenPublic(p);
  const show = (pk: { type: string; blob: Uint8Array } | undefined): string =>
    pk === undefined ? 'none' : `${pk.type} ${Buffer.from(pk.blob).toString('base64')}`;
  const cases: [string, string, boolean, string][] = [
    [variant(d, p, 'info-enc', '-N', PASSPHRASE), 'openssh', true, expected],
    [ppk(d, p, 'info.ppk', 3, true), 'ppk', true, expected],
    [p, 'openssh', false, expected],
  ];
  const ec = path('ecdsa256');
  cases.push([variant(d, ec, 'info.pem', '-N', '', '-m', 'PEM'), 'sec1', false, keygenPublic(ec)]);
  cases.push([
    variant(d, ec, 'info-enc.p8', '-N', PASSPHRASE, '-m', 'PKCS8'),
    'pkcs8',
    true,
    'none',
  ]);
  for (const [file, format, encrypted, pub] of cases) {
    const info = await readPrivateKeyFileInfo(file);
    assert.deepEqual(
      { format: info.format, encrypted: info.encrypted, pub: show(info.publicKey) },
      { format, encrypted, pub },
      file,
    );
  }
  await assert.rejects(readPrivateKeyFileInfo(`${p}.pub`), /public key, not a private key/);
});

test('a passphrase callback sees the file name; loading works with the right one', async () => {
  const p = variant(d, path('ecdsa384'), 'prompted', '-N', PASSPHRASE);
  const a = answers(PASSPHRASE);
  const s = await loadPrivateKeyFile(p, { passphrase: a.passphrase });
  assert.deepEqual(a.calls, [{ path: p, attempt: 1 }]);
  await checkSigner(s, keygenPublic(p, PASSPHRASE), spec('ecdsa384'));
});

test("default identity files are OpenSSH's, in its order (ssh -G), without 9.x's id_dsa", () => {
  const home = '/home/someone';
  const files = defaultIdentityFiles(home);
  assert.deepEqual(
    files,
    DEFAULT_IDENTITY_NAMES.map((n) => `${home}/.ssh/${n}`),
  );
  // What the installed ssh would try: 9.2 lists id_dsa last, 10.0 no longer has it.
  const listed = run('ssh', ['-G', '-F', '/dev/null', 'example.invalid'])
    .split('\n')
    .filter((l) => l.startsWith('identityfile '))
    .map((l) => l.slice('identityfile '.length).replace(/^~/, home))
    .filter((f) => !f.endsWith('/id_dsa'));
  assert.deepEqual(files, listed);
});
