// Host certificates against known_hosts (host-certificate.ts): principals are patterns matched
// against the host name, CA lines may be hashed or use patterns, and without a CA line for
// the host the plain key is left to the ordinary check.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  generateHostKeyPair,
  parsePublicKey,
  type CertificateFields,
  type HostKeyPair,
  type PublicKey,
} from '../../../core/crypto/hostkey/index.js';
import { HostCertificateError } from '../../../core/errors.js';
import {
  certificateAlgorithmPreference,
  checkHostCertificate,
  checkHostKey,
  hashHostName,
  parseKnownHosts,
} from '../../../core/hosts/index.js';
import { keyText, tempDir } from './support.js';
import { makeCertificate } from '../../support/cert-fields.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

let ca: HostKeyPair;
let host: HostKeyPair;
before(() => {
  ca = generateHostKeyPair('ecdsa-sha2-nistp256');
  host = generateHostKeyPair('ssh-ed25519');
});

function hostCert(principals: string[], over: Partial<CertificateFields> = {}): PublicKey {
  return parsePublicKey(
    makeCertificate(ca, host.publicKey.blob, { certType: 'host', principals, ...over }),
  );
}

const files = (text: string) => [parseKnownHosts(text)];
const caText = () => keyText(ca.publicKey);
const check = (text: string, name: string, key: PublicKey, port = 22) =>
  checkHostCertificate(files(text), name, port, key, Date.now());

test('principals are patterns matched against the host name; CA lines may be hashed', () => {
  const cert = hostCert(['*.example.org', 'db?.internal']);
  assert.equal(
    check(`@cert-authority *.example.org ${caText()}\n`, 'www.example.org', cert).kind,
    'accepted',
  );
  assert.equal(
    check(`@cert-authority ${hashHostName('db1.internal')} ${caText()}\n`, 'db1.internal', cert)
      .kind,
    'accepted',
  );
  assert.throws(
    () => check(`@cert-authority * ${caText()}\n`, 'db10.internal', cert),
    (e) =>
      e instanceof HostCertificateError && e.check === 'principal' && e.host === 'db10.internal',
  );
});

test('a user certificate as a host key, and one not yet valid, name their checks', () => {
  const line = `@cert-authority * ${caText()}\n`;
  assert.throws(
    () => check(line, 'a', hostCert(['a'], { certType: 'user' })),
    (e) => e instanceof HostCertificateError && e.check === 'type',
  );
  const later = BigInt(Math.floor(Date.now() / 1000) + 3600);
  assert.throws(
    () => check(line, 'a', hostCert(['a'], { validAfter: later })),
    (e) => e instanceof HostCertificateError && e.check === 'not-yet-valid',
  );
});

test('no CA line for the host: the plain key is left to the ordinary check', () => {
  const cert = hostCert(['a']);
  assert.deepEqual(check(`@cert-authority other ${caText()}\n`, 'a', cert), { kind: 'no-ca' });
  assert.deepEqual(check(`a ${keyText(host.publicKey)}\n`, 'a', cert), { kind: 'no-ca' });
});

test('certificate algorithms come first only for hosts with a CA line', async () => {
  const t = tempDir();
  try {
    const kh = join(t.dir, 'known_hosts');
    writeFileSync(kh, `@cert-authority [h]:2222 ${caText()}\n`);
    const pref = await certificateAlgorithmPreference([kh], 'h', 2222);
    assert.equal(pref?.split(',')[0], '^ssh-ed25519-cert-v01@openssh.com');
    assert.equal(await certificateAlgorithmPreference([kh], 'h', 22), undefined);
    assert.equal(await certificateAlgorithmPreference([kh], 'other', 2222), undefined);
  } finally {
    t.cleanup();
  }
});

test('through checkHostKey: a failed certificate is still let in by a plain line for its key, unless revoked', async () => {
  const t = tempDir();
  try {
    const kh = join(t.dir, 'known_hosts');
    const other = generateHostKeyPair('ssh-ed25519');
    const cert = hostCert(['a']);
    const policy = { host: 'a', strict: 'yes' as const, knownHostsFiles: [kh] };
    // signed by a CA that the CA line for the host does not name
    writeFileSync(kh, `@cert-authority a ${keyText(other.publicKey)}\n`);
    await assert.rejects(
      checkHostKey(policy, cert),
      (e) => e instanceof HostCertificateError && e.check === 'ca',
    );
    writeFileSync(
      kh,
      `@cert-authority a ${keyText(other.publicKey)}\na ${keyText(host.publicKey)}\n`,
    );
    assert.equal((await checkHostKey(policy, cert)).action, 'known');
    writeFileSync(
      kh,
      `a ${keyText(host.publicKey)}\n@cert-authority a ${caText()}\n@revoked a ${caText()}\n`,
    );
    await assert.rejects(
      checkHostKey(policy, cert),
      (e) => e instanceof HostCertificateError && e.check === 'revoked-ca',
    );
  } finally {
    t.cleanup();
  }
});
