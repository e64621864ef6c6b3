// lookup(): OpenSSH's match / mismatch / unknown / revoked answers (hostfile.c
// check_hostkeys_by_key_or_type), with the known keys, their files and lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  hashHostName,
  knownKeyTypes,
  lookup,
  lookupIn,
  otherNames,
  parseKnownHosts,
} from '../../../core/hosts/index.js';
import { fingerprintSha256 } from '../../../core/crypto/fingerprint.js';
import { key, keyText, keygenHash, tempDir } from './support.js';

const ed = key('ssh-ed25519');
const ed2 = key('ssh-ed25519', 1);
const ec256 = key('ecdsa-sha2-nistp256');
const ec384 = key('ecdsa-sha2-nistp384');
const rsa = key('ssh-rsa');

const kh = (...lines: string[]) => [parseKnownHosts(lines.join('\n') + '\n', 'kh')];

test('match: the same key recorded for the host', () => {
  const r = lookupIn(
    kh(`other ${keyText(ed2)}`, `host ${keyText(rsa)}`, `host ${keyText(ed)}`),
    'host',
    22,
    ed,
  );
  assert.equal(r.status, 'match');
  assert.equal(r.name, 'host');
  assert.equal(r.found?.line, 3);
  assert.deepEqual(
    r.known.map((k) => k.line),
    [2, 3],
  );
});

test('mismatch: another key of the same type; the known keys come with file, line and fingerprint', () => {
  const r = lookupIn(kh(`host ${keyText(ed2)}`), 'host', 22, ed);
  assert.equal(r.status, 'mismatch');
  assert.equal(r.found, undefined);
  assert.equal(r.known.length, 1);
  const k = r.known[0];
  assert.ok(k);
  assert.deepEqual([k.file, k.line, k.type, k.hosts], ['kh', 1, 'ssh-ed25519', 'host']);
  assert.equal(k.fingerprint, fingerprintSha256(ed2.blob));
});

test('mismatch also for keys of other types only, as OpenSSH ("Offending RSA key")', () => {
  assert.equal(lookupIn(kh(`host ${keyText(rsa)}`), 'host', 22, ed).status, 'mismatch');
  // ECDSA of another curve is another key.
  assert.equal(lookupIn(kh(`host ${keyText(ec256)}`), 'host', 22, ec384).status, 'mismatch');
});

test('unknown: nothing recorded for this host (other hosts, negation, CA lines do not count)', () => {
  const r = lookupIn(
    kh(
      `other ${keyText(ed2)}`,
      `*,!host ${keyText(ed2)}`,
      `@cert-authority * ${keyText(ed2)}`,
      `[host]:2222 ${keyText(ed2)}`,
    ),
    'host',
    22,
    ed,
  );
  assert.equal(r.status, 'unknown');
  assert.deepEqual(r.known, []);
});

test('revoked wins over a match, for any host pattern that names the host', () => {
  const r = lookupIn(
    kh(`host ${keyText(ed)}`, `@revoked *.example,host ${keyText(ed)}`),
    'host',
    22,
    ed,
  );
  assert.equal(r.status, 'revoked');
  assert.deepEqual(
    r.known.map((k) => [k.line, k.marker]),
    [[2, 'revoked']],
  );
  // A revoked line for another key does not matter; for another host neither.
  assert.equal(
    lookupIn(kh(`host ${keyText(ed)}`, `@revoked * ${keyText(rsa)}`), 'host', 22, ed).status,
    'match',
  );
  assert.equal(
    lookupIn(kh(`host ${keyText(ed)}`, `@revoked other ${keyText(ed)}`), 'host', 22, ed).status,
    'match',
  );
  // Revoked for an unknown host is still revoked.
  assert.equal(lookupIn(kh(`@revoked * ${keyText(ed)}`), 'new', 22, ed).status, 'revoked');
});

test('ports: [host]:port; the bare host key is accepted when the port has none', () => {
  const files = kh(`[host]:2222 ${keyText(ed)}`, `host ${keyText(rsa)}`);
  assert.equal(lookupIn(files, 'host', 2222, ed).status, 'match');
  assert.equal(lookupIn(files, 'host', 2222, ed).name, '[host]:2222');
  assert.equal(lookupIn(files, 'host', 2222, rsa).status, 'mismatch');
  // Nothing for the port: the bare host's key is a match, another key is unknown (not mismatch).
  assert.equal(lookupIn(files, 'host', 2200, rsa).status, 'match');
  assert.equal(lookupIn(files, 'host', 2200, rsa).found?.line, 2);
  assert.equal(lookupIn(files, 'host', 2200, ed).status, 'unknown');
  assert.equal(lookupIn(files, 'host', 22, ed).status, 'mismatch');
});

test('wildcards, negation, comma lists and case', () => {
  const files = kh(
    `*.example.com,!evil.example.com ${keyText(ed)}`,
    `HOST.example.org,10.0.0.? ${keyText(rsa)}`,
  );
  assert.equal(lookupIn(files, 'a.example.com', 22, ed).status, 'match');
  assert.equal(lookupIn(files, 'evil.example.com', 22, ed).status, 'unknown');
  assert.equal(lookupIn(files, 'Host.Example.Org', 22, rsa).status, 'match');
  assert.equal(lookupIn(files, '10.0.0.5', 22, rsa).status, 'match');
  assert.equal(lookupIn(files, '10.0.0.50', 22, rsa).status, 'unknown');
});

test('several files: first user, then global; lines numbered per file', () => {
  const user = parseKnownHosts(`a ${keyText(ed)}\n`, 'user');
  const global = parseKnownHosts(`# global\nhost ${keyText(ed2)}\n`, 'global');
  const r = lookupIn([user, global], 'host', 22, ed);
  assert.equal(r.status, 'mismatch');
  assert.deepEqual(
    r.known.map((k) => [k.file, k.line]),
    [['global', 2]],
  );
});

test('a matched line whose key does not parse is skipped and counted', () => {
  // A valid blob prefix naming ssh-ed25519 but with a 3-byte key.
  const bad = Buffer.from([
    0,
    0,
    0,
    11,
    ...Buffer.from('ssh-ed25519'),
    0,
    0,
    0,
    3,
    1,
    2,
    3,
  ]).toString('base64');
  const files = kh(`host ssh-ed25519 ${bad}`, 'garbage line');
  const r = lookupIn(files, 'host', 22, ed);
  assert.equal(r.status, 'unknown');
  assert.equal(r.badLines, 2);
});

test('keys of types the engine cannot verify still count as known (mismatch)', () => {
  const sk = Buffer.concat([
    Buffer.from([0, 0, 0, 26]),
    Buffer.from('sk-ssh-ed25519@openssh.com'),
    Buffer.from([0, 0, 0, 32]),
    Buffer.alloc(32, 1),
    Buffer.from([0, 0, 0, 4]),
    Buffer.from('ssh:'),
  ]).toString('base64');
  assert.equal(
    lookupIn(kh(`host sk-ssh-ed25519@openssh.com ${sk}`), 'host', 22, ed).status,
    'mismatch',
  );
});

test('a file hashed by ssh-keygen -H gives the same answers', async () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'known_hosts');
    writeFileSync(
      file,
      [`host.example ${keyText(ed)}`, `[host.example]:2222 ${keyText(rsa)}`, ''].join('\n'),
    );
    keygenHash(file);
    assert.equal((await lookup([file], 'host.example', 22, ed)).status, 'match');
    assert.equal((await lookup([file], 'HOST.example', 22, ed)).status, 'match');
    assert.equal((await lookup([file], 'host.example', 22, ed2)).status, 'mismatch');
    assert.equal((await lookup([file], 'host.example', 2222, rsa)).status, 'match');
    assert.equal((await lookup([file], 'host.example', 2222, ed2)).status, 'mismatch');
    assert.equal((await lookup([file], 'other.example', 22, ed)).status, 'unknown');
    assert.ok((await lookup([file], 'host.example', 22, ed)).found?.hashed);
  } finally {
    t.cleanup();
  }
});

test('otherNames and knownKeyTypes', () => {
  const files = kh(
    `alias.example ${keyText(ed)}`,
    `${hashHostName('second.example')} ${keyText(ed)}`,
    `host ${keyText(rsa)}`,
    `host ${keyText(ec256)}`,
    `host ${keyText(rsa)}`,
    `@revoked * ${keyText(ed2)}`,
  );
  assert.deepEqual(
    otherNames(files, 'host', ed).map((k) => k.line),
    [1, 2],
  );
  assert.deepEqual(
    otherNames(files, 'alias.example', ed).map((k) => k.line),
    [2],
  );
  assert.deepEqual(knownKeyTypes(files, 'host', 22), ['ssh-rsa', 'ecdsa-sha2-nistp256']);
  assert.deepEqual(knownKeyTypes(files, 'nobody', 22), []);
});
