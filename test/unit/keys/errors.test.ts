// Bad key files and bad passphrases: each a typed error that names the file and the cause,
// passphrases asked for again up to three times, and hostile KDF parameters refused at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { KeyFormatError } from '../../../core/errors.js';
import {
  BCRYPT_PBKDF_MAX_ROUNDS,
  KeyPermissionError,
  PassphraseCancelledError,
  PassphraseRequiredError,
  WrongPassphraseError,
  loadPrivateKeyFile,
  parsePrivateKey,
  readPrivateKeyFileInfo,
} from '../../../core/keys/index.js';
import { randomBytes } from '../../../core/crypto/random.js';
import { SshReader } from '../../../core/wire/reader.js';
import { SshWriter } from '../../../core/wire/writer.js';
import {
  PASSPHRASE,
  answers,
  keySpecs,
  makeKey,
  passphraseFile,
  readText,
  run,
  sshKeygen,
  tempDir,
  variant,
  type TempDir,
} from './fixtures.js';

let d: TempDir;
let plain: string; // ecdsa-sha2-nistp256, openssh-key-v1, no passphrase
let encrypted: string; // the same, aes256-ctr

before(() => {
  d = tempDir('errors');
  const spec = keySpecs[1];
  assert.ok(spec);
  plain = makeKey(d, spec);
  encrypted = variant(d, plain, 'encrypted', '-N', PASSPHRASE);
});
after(() => d.cleanup());

/** Asserts a KeyFormatError that names `path` and whose cause matches `cause`. */
async function rejectsFormat(p: Promise<unknown>, path: string, cause: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof KeyFormatError, `not a KeyFormatError: ${String(e)}`);
    assert.equal(e.code, 'KEY_FORMAT_ERROR');
    assert.ok(e.message.startsWith(`${path}: `), e.message);
    assert.equal(e.details.path, path);
    assert.match(e.message, cause);
    return true;
  });
}

/** The binary content of an armored openssh-key-v1 file. */
function opensshBody(path: string): Uint8Array {
  const b64 = readText(path)
    .replace(/-----[A-Z ]+-----/g, '')
    .replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** Writes a test key file as ssh-keygen would: readable by its owner only. */
function writeKeyFile(path: string, data: string | Uint8Array): void {
  writeFileSync(path, data, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function writeOpenssh(path: string, body: Uint8Array): string {
  const b64 = (
    Buffer.from(body)
      .toString('base64')
      .match(/.{1,70}/g) ?? []
  ).join('\n');
  writeKeyFile(
    path,
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`,
  );
  return path;
}

/** Offsets in an openssh-key-v1 body: the kdfoptions string and the private section. */
function layout(body: Uint8Array): { kdfOptions: number; section: number } {
  const r = new SshReader(body);
  r.readBytes(15);
  r.readString();
  r.readString();
  const kdfOptions = r.offset;
  r.readString();
  r.readUint32();
  r.readString();
  return { kdfOptions, section: r.offset + 4 };
}

/** Every encrypted format, wrong passphrases asked three times. */
test('a wrong passphrase is asked again, three times, then WrongPassphraseError names the file', async () => {
  const pw = passphraseFile(d);
  const cheapArgon = ['--ppk-param', 'memory=1024,passes=2'];
  const files = [
    encrypted,
    variant(d, plain, 'gcm', '-N', PASSPHRASE, '-Z', 'aes256-gcm@openssh.com', '-a', '2'),
    variant(d, plain, 'chacha', '-N', PASSPHRASE, '-Z', 'chacha20-poly1305@openssh.com', '-a', '2'),
    variant(d, plain, 'pem', '-N', PASSPHRASE, '-m', 'PEM'),
    variant(d, plain, 'p8', '-N', PASSPHRASE, '-m', 'PKCS8'),
  ];
  for (const version of ['2', '3']) {
    const path = d.path(`v${version}.ppk`);
    run('puttygen', [
      plain,
      '-O',
      'private',
      '-o',
      path,
      '--new-passphrase',
      pw,
      '--ppk-param',
      `version=${version}`,
      ...cheapArgon,
    ]);
    files.push(path);
  }
  for (const path of files) {
    const a = answers('wrong one', 'wrong two', 'wrong three', PASSPHRASE);
    await assert.rejects(loadPrivateKeyFile(path, { passphrase: a.passphrase }), (e: unknown) => {
      assert.ok(e instanceof WrongPassphraseError, `${path}: ${String(e)}`);
      assert.equal(e.code, 'WRONG_PASSPHRASE');
      assert.equal(e.path, path);
      assert.equal(e.attempts, 3);
      assert.match(e.message, new RegExp(`^${path}: incorrect passphrase`));
      return true;
    });
    assert.deepEqual(
      a.calls,
      [1, 2, 3].map((attempt) => ({ path, attempt })),
      path,
    );
    // The right one on the second try opens it.
    const b = answers('wrong', PASSPHRASE);
    const s = await loadPrivateKeyFile(path, { passphrase: b.passphrase });
    assert.equal(b.calls.length, 2);
    assert.equal(s.publicKey.type, 'ecdsa-sha2-nistp256');
  }
});

test('the attempt limit is an option; an empty passphrase is just a wrong one', async () => {
  const a = answers('', '');
  await assert.rejects(
    loadPrivateKeyFile(encrypted, { passphrase: a.passphrase, attempts: 1 }),
    WrongPassphraseError,
  );
  assert.equal(a.calls.length, 1);
});

test('null from the callback cancels; no callback at all is PassphraseRequiredError', async () => {
  const a = answers(null);
  await assert.rejects(
    loadPrivateKeyFile(encrypted, { passphrase: a.passphrase }),
    (e: unknown) => {
      assert.ok(e instanceof PassphraseCancelledError);
      assert.equal(e.code, 'PASSPHRASE_CANCELLED');
      assert.equal(e.path, encrypted);
      assert.match(e.message, new RegExp(`^${encrypted}: `));
      return true;
    },
  );
  assert.equal(a.calls.length, 1);
  await assert.rejects(loadPrivateKeyFile(encrypted), (e: unknown) => {
    assert.ok(e instanceof PassphraseRequiredError);
    assert.ok(e instanceof PassphraseCancelledError, 'callers that skip cancelled keys skip it');
    assert.equal(e.code, 'PASSPHRASE_REQUIRED');
    return true;
  });
  // An unencrypted key never asks.
  const b = answers(PASSPHRASE);
  await loadPrivateKeyFile(plain, { passphrase: b.passphrase });
  assert.equal(b.calls.length, 0);
});

test('truncated files are KeyFormatErrors naming the file, found before any prompt', async () => {
  const noEnd = d.path('no-end');
  writeKeyFile(noEnd, readText(plain).split('\n').slice(0, 4).join('\n') + '\n');
  await rejectsFormat(
    loadPrivateKeyFile(noEnd),
    noEnd,
    /truncated: no "-----END OPENSSH PRIVATE KEY-----" line/,
  );

  for (const src of [plain, encrypted]) {
    const body = opensshBody(src);
    const cut = writeOpenssh(d.path('cut'), body.subarray(0, body.length - 40));
    const a = answers(PASSPHRASE);
    await rejectsFormat(loadPrivateKeyFile(cut, { passphrase: a.passphrase }), cut, /truncated/);
    assert.equal(a.calls.length, 0, 'no passphrase is asked for a broken file');
  }

  for (const [fmt, label] of [
    ['PEM', 'EC PRIVATE KEY'],
    ['PKCS8', 'PRIVATE KEY'],
  ] as const) {
    const pem = variant(d, plain, `cut-${fmt}`, '-N', '', '-m', fmt);
    const der = Buffer.from(
      readText(pem)
        .replace(/-----[A-Z ]+-----/g, '')
        .replace(/\s+/g, ''),
      'base64',
    );
    const b64 = (
      der
        .subarray(0, der.length - 10)
        .toString('base64')
        .match(/.{1,64}/g) ?? []
    ).join('\n');
    writeKeyFile(pem, `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`);
    await rejectsFormat(loadPrivateKeyFile(pem), pem, /truncated: DER says/);
  }

  const ppkPath = d.path('cut.ppk');
  run('puttygen', [plain, '-O', 'private', '-o', ppkPath]);
  writeKeyFile(ppkPath, readText(ppkPath).split('\n').slice(0, -2).join('\n') + '\n');
  await rejectsFormat(loadPrivateKeyFile(ppkPath), ppkPath, /truncated: no "Private-MAC" line/);
});

test('corruption: a flipped byte in a plain key, a bad PEM scalar, an edited .ppk', async () => {
  const body = opensshBody(plain);
  const flipped = body.slice();
  const at = layout(body).section;
  flipped[at] = (flipped[at] ?? 0) ^ 0x01;
  const f = writeOpenssh(d.path('flipped'), flipped);
  await rejectsFormat(loadPrivateKeyFile(f), f, /check integers differ: the file is corrupt/);

  const pem = variant(d, plain, 'bad-scalar.pem', '-N', '', '-m', 'PEM');
  const der = Buffer.from(
    readText(pem)
      .replace(/-----[A-Z ]+-----/g, '')
      .replace(/\s+/g, ''),
    'base64',
  );
  der[10] = (der[10] ?? 0) ^ 0x01; // inside the private scalar d (SEQUENCE, INTEGER 1, OCTET STRING)
  writeKeyFile(
    pem,
    `-----BEGIN EC PRIVATE KEY-----\n${der.toString('base64')}\n-----END EC PRIVATE KEY-----\n`,
  );
  await rejectsFormat(
    loadPrivateKeyFile(pem),
    pem,
    /the ecdsa-sha2-nistp256 private key does not match its public key/,
  );

  const ppkPath = d.path('edited.ppk');
  run('puttygen', [plain, '-O', 'private', '-o', ppkPath]);
  writeKeyFile(ppkPath, readText(ppkPath).replace(/^Comment: .*$/m, 'Comment: edited'));
  await rejectsFormat(loadPrivateKeyFile(ppkPath), ppkPath, /MAC mismatch/);
});

test('garbage, empty, public keys, huge files and missing files', async () => {
  const garbage = d.path('garbage');
  writeKeyFile(garbage, randomBytes(700));
  await rejectsFormat(loadPrivateKeyFile(garbage), garbage, /not a private key file/);
  const empty = d.path('empty');
  writeKeyFile(empty, '');
  await rejectsFormat(loadPrivateKeyFile(empty), empty, /not a private key file/);
  const pub = d.path('public-as-private');
  copyFileSync(`${plain}.pub`, pub);
  chmodSync(pub, 0o600);
  await rejectsFormat(loadPrivateKeyFile(pub), pub, /public key, not a private key/);
  const rfc = d.path('rfc4716');
  writeKeyFile(rfc, sshKeygen('-e', '-f', `${plain}.pub`));
  await rejectsFormat(loadPrivateKeyFile(rfc), rfc, /public key/);
  const big = d.path('big');
  writeKeyFile(big, Buffer.alloc(2 << 20, 0x41));
  await rejectsFormat(loadPrivateKeyFile(big), big, /too large for a key file/);
  await rejectsFormat(loadPrivateKeyFile('/dev/zero'), '/dev/zero', /too large for a key file/);
  await assert.rejects(loadPrivateKeyFile(d.path('absent')), { code: 'ENOENT' });
  await assert.rejects(
    parsePrivateKey('junk', { source: 'pasted key' }),
    /^KeyFormatError: pasted key: not a private key file/,
  );
});

/** An openssh-key-v1 file whose public key has type `type` (and whatever fields follow). */
function fileWithType(type: string): string {
  const pub = new SshWriter().writeString(type).writeString(randomBytes(32)).toBytes();
  const section = new SshWriter().writeUint32(7).writeUint32(7).writeString(type).toBytes();
  const padded = new Uint8Array(Math.ceil(section.length / 8) * 8);
  padded.set(section);
  for (let i = section.length; i < padded.length; i++) padded[i] = i - section.length + 1;
  const body = new SshWriter()
    .writeBytes(new TextEncoder().encode('openssh-key-v1\0'))
    .writeString('none')
    .writeString('none')
    .writeString('')
    .writeUint32(1)
    .writeString(pub)
    .writeString(padded)
    .toBytes();
  return writeOpenssh(d.path(`type-${type.replace(/[^a-z0-9]/g, '_')}`), body);
}

test('unknown and unsupported key types are named', async () => {
  for (const [type, cause] of [
    ['ssh-foo', /unsupported key type "ssh-foo"/],
    ['sk-ssh-ed25519@openssh.com', /"sk-ssh-ed25519@openssh.com" is a FIDO security key/],
    ['ssh-ed25519-cert-v01@openssh.com', /is a certificate, not a key/],
  ] as const) {
    const path = fileWithType(type);
    await rejectsFormat(loadPrivateKeyFile(path), path, cause);
  }
  const dsa = d.path('dsa');
  sshKeygen('-q', '-t', 'dsa', '-N', '', '-f', dsa);
  await rejectsFormat(loadPrivateKeyFile(dsa), dsa, /DSA keys \("ssh-dss"\) are not supported/);
  const ppkPath = d.path('foo.ppk');
  run('puttygen', [plain, '-O', 'private', '-o', ppkPath]);
  const pub = new SshWriter().writeString('ssh-foo').writeString('x').toBytes();
  writeKeyFile(
    ppkPath,
    readText(ppkPath)
      .replace(/^PuTTY-User-Key-File-3: .*$/m, 'PuTTY-User-Key-File-3: ssh-foo')
      .replace(
        /^Public-Lines: \d+\n(?:.*\n)*?(?=Private-Lines)/m,
        `Public-Lines: 1\n${Buffer.from(pub).toString('base64')}\n`,
      ),
  );
  await rejectsFormat(loadPrivateKeyFile(ppkPath), ppkPath, /unsupported key type "ssh-foo"/);
});

test('PEM keys of other algorithms are named: DSA, X25519, Ed448, RSA-PSS, secp256k1', async () => {
  const dsa = d.path('dsa-src');
  sshKeygen('-q', '-t', 'dsa', '-N', '', '-f', dsa);
  const dsaP8 = variant(d, dsa, 'dsa.p8', '-N', '', '-m', 'PKCS8');
  await rejectsFormat(loadPrivateKeyFile(dsaP8), dsaP8, /DSA keys \("ssh-dss"\) are not supported/);
  const dsaPem = variant(d, dsa, 'dsa.pem', '-N', '', '-m', 'PEM');
  await rejectsFormat(loadPrivateKeyFile(dsaPem), dsaPem, /DSA keys/);
  for (const [args, cause] of [
    [['-algorithm', 'x25519'], /unsupported key type "x25519"/],
    [['-algorithm', 'ed448'], /unsupported key type "ed448"/],
    [
      ['-algorithm', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048'],
      /unsupported key type "rsa-pss"/,
    ],
    [
      ['-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1'],
      /unsupported elliptic curve "secp256k1"/,
    ],
  ] as const) {
    const path = d.path(`other-${args[1]}.p8`);
    run('openssl', ['genpkey', ...args, '-out', path]);
    await rejectsFormat(loadPrivateKeyFile(path), path, cause);
  }
});

test('a huge bcrypt rounds value is refused at once, before any prompt', async () => {
  const body = opensshBody(encrypted);
  const { kdfOptions } = layout(body);
  // kdfoptions = uint32 length ‖ string salt (uint32 16 ‖ 16 bytes) ‖ uint32 rounds
  const roundsAt = kdfOptions + 4 + 4 + 16;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  assert.equal(view.getUint32(roundsAt), 16, 'ssh-keygen wrote its default 16 rounds');
  for (const rounds of [0xffffffff, BCRYPT_PBKDF_MAX_ROUNDS + 1, 0]) {
    view.setUint32(roundsAt, rounds);
    const path = writeOpenssh(d.path(`rounds-${rounds}`), body);
    const a = answers(PASSPHRASE);
    await rejectsFormat(
      loadPrivateKeyFile(path, { passphrase: a.passphrase }),
      path,
      /bcrypt KDF rounds/,
    );
    // refused before the passphrase is asked for, so before any KDF work
    assert.equal(a.calls.length, 0);
  }
});

test('huge Argon2 parameters in a .ppk are refused at once', async () => {
  const path = d.path('argon.ppk');
  run('puttygen', [plain, '-O', 'private', '-o', path, '--new-passphrase', passphraseFile(d)]);
  const text = readFileSync(path, 'utf8');
  for (const [from, to] of [
    [/Argon2-Memory: \d+/, 'Argon2-Memory: 4194304'],
    [/Argon2-Passes: \d+/, 'Argon2-Passes: 100000'],
  ] as const) {
    const hostile = d.path('hostile.ppk');
    writeKeyFile(hostile, text.replace(from, to));
    const a = answers(PASSPHRASE);
    await rejectsFormat(
      loadPrivateKeyFile(hostile, { passphrase: a.passphrase }),
      hostile,
      /Argon2/,
    );
    // refused before the passphrase is asked for, so before any KDF work
    assert.equal(a.calls.length, 0);
  }
});

test('a private key file open to others is refused as ssh refuses it; 0600, 0400 and 0700 are fine', async () => {
  const open = d.path('open-key');
  copyFileSync(plain, open);
  for (const mode of [0o644, 0o640, 0o604, 0o660, 0o602]) {
    chmodSync(open, mode);
    await assert.rejects(
      loadPrivateKeyFile(open),
      (e: unknown) =>
        e instanceof KeyPermissionError &&
        e.path === open &&
        e.mode % 0o1000 === mode &&
        e.message.includes(`permissions ${mode.toString(8).padStart(4, '0')} are too open`),
    );
  }
  for (const mode of [0o600, 0o400, 0o700]) {
    chmodSync(open, mode);
    assert.equal((await loadPrivateKeyFile(open)).publicKey.type, 'ecdsa-sha2-nistp256');
  }
  // the public half can still be read without the private key's check (ssh offers it first)
  chmodSync(open, 0o644);
  assert.equal((await readPrivateKeyFileInfo(open)).publicKey?.type, 'ecdsa-sha2-nistp256');
});
