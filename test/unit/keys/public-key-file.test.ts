// Public key text: ssh-keygen's .pub lines and its RFC 4716 exports parse to the same key and
// comment; what we format, ssh-keygen reads back (ssh-keygen -i); both forms round-trip.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { KeyFormatError } from '../../../core/errors.js';
import {
  formatOpenSshPublicKey,
  formatRfc4716PublicKey,
  loadPublicKeyFile,
  parsePublicKeyText,
} from '../../../core/keys/index.js';
import { keySpecs, makeKey, readText, sshKeygen, tempDir, type TempDir } from './fixtures.js';

let d: TempDir;
const pubs = new Map<string, string>();

before(() => {
  d = tempDir('pubkey');
  for (const spec of keySpecs) pubs.set(spec.name, `${makeKey(d, spec)}.pub`);
});
after(() => d.cleanup());

test('ssh-keygen .pub lines parse and format back byte for byte', async () => {
  for (const spec of keySpecs) {
    const path = pubs.get(spec.name) ?? '';
    const line = readText(path).trim();
    const parsed = parsePublicKeyText(readText(path));
    assert.equal(parsed.publicKey.type, spec.type);
    assert.equal(parsed.publicKey.bits, spec.bits);
    assert.equal(parsed.comment, `keyway-${spec.name}`);
    assert.equal(formatOpenSshPublicKey(parsed.publicKey, parsed.comment), line);
    const loaded = await loadPublicKeyFile(path);
    assert.deepEqual(loaded.publicKey.blob, parsed.publicKey.blob);
    assert.equal(formatOpenSshPublicKey(loaded.publicKey), line.split(' ').slice(0, 2).join(' '));
  }
});

test('RFC 4716 from ssh-keygen -e parses; ours is read by ssh-keygen -i; both round-trip', async () => {
  for (const spec of keySpecs) {
    const path = pubs.get(spec.name) ?? '';
    const { publicKey, comment } = parsePublicKeyText(readText(path));
    const exported = sshKeygen('-e', '-f', path);
    const fromKeygen = parsePublicKeyText(exported);
    assert.deepEqual(fromKeygen.publicKey.blob, publicKey.blob);
    assert.match(fromKeygen.comment, /^\d+-bit [A-Z0-9]+, converted by .* from OpenSSH$/);

    const ours = formatRfc4716PublicKey(publicKey, comment);
    for (const l of ours.split('\n')) assert.ok(Buffer.byteLength(l) <= 72, l);
    const file = d.path(`${spec.name}.rfc4716`);
    writeFileSync(file, ours);
    const imported = sshKeygen('-i', '-f', file).trim();
    assert.equal(imported, formatOpenSshPublicKey(publicKey));
    const back = await loadPublicKeyFile(file);
    assert.deepEqual(back.publicKey.blob, publicKey.blob);
    assert.equal(back.comment, comment);
  }
});

test('RFC 4716 headers: continuation lines, quoted comment, other headers, CRLF', () => {
  const path = pubs.get('ed25519') ?? '';
  const { publicKey } = parsePublicKeyText(readText(path));
  const b64 = Buffer.from(publicKey.blob).toString('base64');
  const text = [
    '---- BEGIN SSH2 PUBLIC KEY ----',
    'Subject: keyway',
    'x-command: /usr/bin/true',
    'Comment: "1024-bit rsa, created by me@example.com Mon Jan 15 \\',
    '08:31:24 2001"',
    'x-empty:',
    b64.slice(0, 20),
    b64.slice(20),
    '---- END SSH2 PUBLIC KEY ----',
    '',
  ].join('\r\n');
  const parsed = parsePublicKeyText(text);
  assert.deepEqual(parsed.publicKey.blob, publicKey.blob);
  assert.equal(parsed.comment, '1024-bit rsa, created by me@example.com Mon Jan 15 08:31:24 2001');

  // A comment too long for one line is wrapped, and comes back whole.
  const long = 'a comment with spaces and ünïcode '.repeat(6).trim();
  const wrapped = formatRfc4716PublicKey(publicKey, long);
  assert.ok(wrapped.split('\n').length > 4);
  assert.match(wrapped, /\\\n/);
  assert.equal(parsePublicKeyText(wrapped).comment, long);
  const file = d.path('wrapped.rfc4716');
  writeFileSync(file, wrapped);
  assert.equal(sshKeygen('-i', '-f', file).trim(), formatOpenSshPublicKey(publicKey));
});

test('bad public key text is a KeyFormatError; from a file it names the file', async () => {
  const ed = readText(pubs.get('ed25519') ?? '')
    .trim()
    .split(' ');
  const cases: [string, RegExp][] = [
    [`ssh-rsa ${ed[1] ?? ''} liar`, /the line says ssh-rsa but the key is ssh-ed25519/],
    ['ssh-ed25519 AAAA!!!! x', /invalid base64/],
    ['ssh-ed25519', /expected "<type> <base64> \[comment\]"/],
    ['', /no public key/],
    [
      '---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n',
      /truncated: no "---- END SSH2 PUBLIC KEY ----" line/,
    ],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\n', /private key file, not a public key/],
    [
      `ssh-foo ${Buffer.from('\0\0\0\x07ssh-foo').toString('base64')}`,
      /unsupported public key type "ssh-foo"/,
    ],
  ];
  for (const [text, cause] of cases) {
    assert.throws(
      () => parsePublicKeyText(text),
      (e: unknown) => e instanceof KeyFormatError && cause.test(e.message),
      text,
    );
    const file = d.path('bad.pub');
    writeFileSync(file, text);
    await assert.rejects(loadPublicKeyFile(file), (e: unknown) => {
      assert.ok(e instanceof KeyFormatError);
      assert.ok(e.message.startsWith(`${file}: `), e.message);
      assert.match(e.message, cause);
      return true;
    });
  }
  await assert.rejects(loadPublicKeyFile(d.path('absent.pub')), { code: 'ENOENT' });
});

test('a .pub file with comment lines and blank lines before the key', () => {
  const line = readText(pubs.get('rsa2048') ?? '').trim();
  const parsed = parsePublicKeyText(`# my key\n\n   ${line}\n`);
  assert.equal(parsed.comment, 'keyway-rsa2048');
});
