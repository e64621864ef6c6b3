// OpenSSH certificates (PROTOCOL.certkeys): certificates made by ssh-keygen -s parse with every
// field, their CA signatures verify (and fail when altered), the validity checks name what
// failed, certificate signers sign as the certified key, and hostile blobs give typed errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  CERT_FOREVER,
  encodeCertificate,
  generateHostKeyPair,
  optionString,
  parsePublicKey,
  verifyCertificateSignature,
  type CertificateFields,
  type HostKeyPair,
} from '../../../core/crypto/hostkey/index.js';
import { CertificateError, KeyFormatError, ProtocolError } from '../../../core/errors.js';
import {
  certifiedHostKey,
  certifiedSigner,
  checkCertificate,
  describeCertificate,
  loadCertificateFile,
  loadPrivateKeyFile,
} from '../../../core/keys/index.js';
import { utf8 } from '../../../core/wire/bytes.js';
import { SshReader } from '../../../core/wire/reader.js';
import { tempDir, type TempDir } from '../../support/temp-dir.js';
import { blobOf, makeKey, signKey, type KeygenType } from '../../support/openssh-certs.js';

const KEY_TYPES: readonly KeygenType[] = ['ed25519', 'ecdsa256', 'ecdsa384', 'ecdsa521', 'rsa'];
const WIRE: Record<KeygenType, string> = {
  ed25519: 'ssh-ed25519',
  ecdsa256: 'ecdsa-sha2-nistp256',
  ecdsa384: 'ecdsa-sha2-nistp384',
  ecdsa521: 'ecdsa-sha2-nistp521',
  rsa: 'ssh-rsa',
};

let tmp: TempDir;
const cas = new Map<string, string>();
before(() => {
  tmp = tempDir('certs');
  for (const t of ['ed25519', 'ecdsa256', 'rsa'] as const)
    cas.set(t, makeKey(tmp.path(`ca_${t}`), t));
});
after(() => tmp.cleanup());

function ca(t: string): string {
  const p = cas.get(t);
  assert.ok(p);
  return p;
}

const NOW = Date.now();

test('user certificates from ssh-keygen -s parse with every field, for every key and CA type', () => {
  for (const kt of KEY_TYPES) {
    for (const [caType, caAlg] of [
      ['ed25519', 'ssh-ed25519'],
      ['ecdsa256', 'ecdsa-sha2-nistp256'],
      ['rsa', 'rsa-sha2-512'],
      ['rsa', 'rsa-sha2-256'],
    ] as const) {
      const key = makeKey(tmp.path(`u_${kt}_${caAlg}`), kt);
      const certPath = signKey(ca(caType), `${key}.pub`, {
        id: `alice's ${kt}`,
        principals: ['alice', 'deploy'],
        validity: '20200101Z:20991231Z',
        serial: 42,
        options: ['force-command=/usr/bin/id', 'source-address=127.0.0.1/32,::1'],
        ...(caType === 'rsa' ? { algorithm: caAlg } : {}),
      });
      const pk = parsePublicKey(blobOf(certPath));
      const c = pk.certificate;
      assert.ok(c, `${kt} by ${caAlg}`);
      assert.equal(pk.type, `${WIRE[kt]}-cert-v01@openssh.com`);
      assert.deepEqual(pk.blob, blobOf(certPath));
      assert.deepEqual(c.key.blob, blobOf(`${key}.pub`));
      assert.equal(c.key.type, WIRE[kt]);
      assert.equal(pk.bits, c.key.bits);
      assert.equal(c.serial, 42n);
      assert.equal(c.certType, 'user');
      assert.equal(c.keyId, `alice's ${kt}`);
      assert.deepEqual(c.principals, ['alice', 'deploy']);
      assert.equal(c.validAfter, BigInt(Date.UTC(2020, 0, 1) / 1000));
      assert.equal(c.validBefore, BigInt(Date.UTC(2099, 11, 31) / 1000));
      assert.deepEqual(
        c.criticalOptions.map((o) => [o.name, o.value]),
        [
          ['force-command', '/usr/bin/id'],
          ['source-address', '127.0.0.1/32,::1'],
        ],
      );
      assert.deepEqual(
        c.extensions.map((o) => [o.name, o.data.length]),
        [
          ['permit-X11-forwarding', 0],
          ['permit-agent-forwarding', 0],
          ['permit-port-forwarding', 0],
          ['permit-pty', 0],
          ['permit-user-rc', 0],
        ],
      );
      assert.equal(c.nonce.length >= 16, true);
      assert.deepEqual(c.signatureKey.blob, blobOf(`${ca(caType)}.pub`));
      assert.equal(c.signatureAlgorithm, caAlg);
      assert.equal(verifyCertificateSignature(c), true, `${kt} by ${caAlg}`);
      checkCertificate(c, { certType: 'user', principal: 'deploy', now: NOW });
    }
  }
});

test('a host certificate with no expiry parses as forever; a certificate file loads', async () => {
  const key = makeKey(tmp.path('host_ed'), 'ed25519');
  const certPath = signKey(ca('ed25519'), `${key}.pub`, {
    host: true,
    principals: ['*.example.org'],
  });
  const cert = await loadCertificateFile(certPath);
  const c = cert.certificate;
  assert.ok(c);
  assert.equal(c.certType, 'host');
  assert.equal(c.validAfter, 0n);
  assert.equal(c.validBefore, CERT_FOREVER);
  assert.deepEqual(c.extensions, []);
  await assert.rejects(loadCertificateFile(`${key}.pub`), (e) => {
    assert.ok(e instanceof KeyFormatError);
    assert.match(e.message, /not a certificate/);
    return true;
  });
});

test('an altered certificate body fails the CA signature check', () => {
  const key = makeKey(tmp.path('alter'), 'ed25519');
  const blob = blobOf(signKey(ca('ecdsa256'), `${key}.pub`, { principals: ['alice'], id: 'AAAA' }));
  const at = Buffer.from(blob).indexOf('AAAA');
  const altered = blob.slice();
  altered[at] = 'B'.charCodeAt(0);
  const c = parsePublicKey(altered).certificate;
  assert.ok(c);
  assert.equal(c.keyId, 'BAAA');
  assert.equal(verifyCertificateSignature(c), false);
  assert.throws(
    () => checkCertificate(c, { certType: 'user', now: NOW }),
    (e) => e instanceof CertificateError && e.check === 'signature',
  );
});

test('a CA signature with SHA-1 ssh-rsa is refused by default (CASignatureAlgorithms)', () => {
  const key = makeKey(tmp.path('sha1'), 'ed25519');
  const c = parsePublicKey(
    blobOf(signKey(ca('rsa'), `${key}.pub`, { principals: ['a'], algorithm: 'ssh-rsa' })),
  ).certificate;
  assert.ok(c);
  assert.equal(c.signatureAlgorithm, 'ssh-rsa');
  assert.equal(verifyCertificateSignature(c), false);
  assert.equal(verifyCertificateSignature(c, ['ssh-rsa']), true);
  assert.throws(
    () => checkCertificate(c, { certType: 'user', now: NOW }),
    (e) =>
      e instanceof CertificateError && e.check === 'signature' && /not allowed/.test(e.message),
  );
});

test('the validity checks say which one failed', () => {
  const key = makeKey(tmp.path('valid'), 'ed25519');
  const cert = (o: Parameters<typeof signKey>[2]) => {
    const c = parsePublicKey(blobOf(signKey(ca('ed25519'), `${key}.pub`, o))).certificate;
    assert.ok(c);
    return c;
  };
  const fails = (c: ReturnType<typeof cert>, check: string, principal = 'alice') =>
    assert.throws(
      () => checkCertificate(c, { certType: 'user', principal, now: NOW }),
      (e) => e instanceof CertificateError && e.check === check,
      check,
    );
  fails(cert({ principals: ['alice'], validity: '20200101:20200102' }), 'expired');
  fails(cert({ principals: ['alice'], validity: '+1d:+2d' }), 'not-yet-valid');
  fails(cert({ principals: ['alice'], host: true }), 'type');
  fails(cert({ principals: ['bob'] }), 'principal');
  fails(cert({}), 'no-principals');
  const ok = cert({ principals: ['alice'], validity: '-5m:+5m' });
  checkCertificate(ok, { certType: 'user', principal: 'alice', now: NOW });
  assert.throws(
    () => checkCertificate(ok, { certType: 'user', now: NOW + 3600_000 }),
    (e) => e instanceof CertificateError && e.check === 'expired',
  );
});

test('a certificate signer signs as the certified key, offering certificate algorithms', async () => {
  for (const kt of ['ed25519', 'ecdsa384', 'rsa'] as const) {
    const keyPath = makeKey(tmp.path(`signer_${kt}`), kt);
    const cert = await loadCertificateFile(
      signKey(ca('ed25519'), `${keyPath}.pub`, { principals: ['alice'] }),
    );
    const plain = await loadPrivateKeyFile(keyPath);
    const s = certifiedSigner(plain, cert);
    assert.equal(s.publicKey, cert);
    if (kt === 'rsa') {
      assert.deepEqual(s.algorithms.slice(0, 2), [
        'rsa-sha2-512-cert-v01@openssh.com',
        'rsa-sha2-256-cert-v01@openssh.com',
      ]);
    } else {
      assert.deepEqual(s.algorithms, [`${WIRE[kt]}-cert-v01@openssh.com`]);
    }
    const data = utf8('session data');
    for (const alg of s.algorithms) {
      const sig = await s.sign(alg, data);
      const named = new SshReader(sig).readAscii();
      assert.equal(named, alg.replace('-cert-v01@openssh.com', ''));
      assert.equal(cert.verify(alg, sig, data), true, alg);
      assert.equal(cert.verify(alg, sig, utf8('other data')), false, alg);
    }
    const host = certifiedHostKey(plain.hostKeyPair(), cert);
    assert.equal(host.publicKey, cert);
    assert.equal(
      cert.verify(s.algorithms[0] ?? '', host.sign(s.algorithms[0] ?? '', data), data),
      true,
    );
    // a certificate of another key is refused
    const other = await loadPrivateKeyFile(makeKey(tmp.path(`other_${kt}`), kt));
    assert.throws(() => certifiedSigner(other, cert), KeyFormatError);
  }
});

// ---- hostile certificates, made with encodeCertificate and a generated CA ----

let caPair: HostKeyPair;
let userPair: HostKeyPair;
before(() => {
  caPair = generateHostKeyPair('ssh-ed25519');
  userPair = generateHostKeyPair('ecdsa-sha2-nistp256');
});

function fields(over: Partial<CertificateFields> = {}): CertificateFields {
  return {
    key: userPair.publicKey.blob,
    nonce: new Uint8Array(32),
    serial: 1n,
    certType: 'user',
    keyId: 'k',
    principals: ['alice'],
    validAfter: 0n,
    validBefore: CERT_FOREVER,
    criticalOptions: [{ name: 'force-command', data: optionString('/bin/true') }],
    extensions: [{ name: 'permit-pty', data: new Uint8Array(0) }],
    signatureKey: caPair.publicKey.blob,
    ...over,
  };
}

function make(over: Partial<CertificateFields> = {}): Uint8Array {
  return encodeCertificate(fields(over), (d) => caPair.sign('ssh-ed25519', d));
}

test('encodeCertificate makes certificates that parse and verify', () => {
  const c = parsePublicKey(make()).certificate;
  assert.ok(c);
  assert.equal(c.type, 'ecdsa-sha2-nistp256-cert-v01@openssh.com');
  assert.equal(verifyCertificateSignature(c), true);
  assert.deepEqual(c.criticalOptions[0]?.value, '/bin/true');
});

function typed(e: unknown): boolean {
  return e instanceof ProtocolError || e instanceof KeyFormatError;
}

test('hostile certificates: each is a typed error naming the problem', () => {
  const many = Array.from({ length: 257 }, (_, i) => `p${i}`);
  assert.throws(() => parsePublicKey(make({ principals: many })), /more than 256 principals/);
  const ok256 = parsePublicKey(make({ principals: many.slice(0, 256) })).certificate;
  assert.equal(ok256?.principals.length, 256);
  // a certificate as the CA key
  assert.throws(
    () => parsePublicKey(make({ signatureKey: make() })),
    (e) => {
      assert.ok(e instanceof KeyFormatError);
      assert.match(e.message, /signature key is unusable/);
      return true;
    },
  );
  // unknown certificate type code
  const bad = make();
  const typeAt = new SshReader(bad);
  typeAt.readString(); // type
  typeAt.readString(); // nonce
  typeAt.readString(); // curve
  typeAt.readString(); // Q
  typeAt.readUint64(); // serial
  const wrongType = bad.slice();
  wrongType[typeAt.offset + 3] = 3;
  assert.throws(() => parsePublicKey(wrongType), /neither user \(1\) nor host \(2\)/);
  // trailing bytes
  assert.throws(() => parsePublicKey(Uint8Array.from([...bad, 0])), ProtocolError);
  // a key id with a NUL, an unknown certificate type name
  assert.throws(() => parsePublicKey(make({ keyId: 'a\0b' })), /key id is not a valid string/);
  const renamed = Buffer.from(bad);
  renamed.write('ssh-dss-cert-v01@openssh.com'.padEnd(40, 'x'), 4, 'latin1');
  assert.throws(() => parsePublicKey(new Uint8Array(renamed)), typed);
});

test('every truncation and thousands of byte flips give typed errors, never a crash', () => {
  const blob = make();
  for (let n = 0; n < blob.length; n++) {
    assert.throws(() => parsePublicKey(blob.subarray(0, n)), typed, `length ${n}`);
  }
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
  for (let i = 0; i < 3000; i++) {
    const m = blob.slice();
    const at = Math.floor(rand() * m.length);
    m[at] = Math.floor(rand() * 256);
    try {
      const c = parsePublicKey(m).certificate;
      if (c) verifyCertificateSignature(c);
    } catch (e) {
      assert.ok(typed(e), `flip at ${at}: ${String(e)}`);
    }
  }
  // a huge declared length is refused before anything is allocated
  const huge = blob.slice();
  huge.set([0xff, 0xff, 0xff, 0xf0], 4 + 'ecdsa-sha2-nistp256-cert-v01@openssh.com'.length);
  assert.throws(() => parsePublicKey(huge), ProtocolError);
});

test('a certificate written by ssh-keygen round-trips through a file unchanged', () => {
  const key = makeKey(tmp.path('rt'), 'rsa');
  const certPath = signKey(ca('rsa'), `${key}.pub`, { principals: ['x'] });
  const text = readFileSync(certPath, 'utf8');
  writeFileSync(tmp.path('copy-cert.pub'), text);
  assert.deepEqual(parsePublicKey(blobOf(tmp.path('copy-cert.pub'))).blob, blobOf(certPath));
});

test('describeCertificate prints what ssh-keygen -L prints (times in UTC)', () => {
  const key = makeKey(tmp.path('show'), 'ecdsa256');
  const show = (o: Parameters<typeof signKey>[2], caType = 'ed25519') => {
    const path = signKey(ca(caType), `${key}.pub`, o);
    const theirs = execFileSync('ssh-keygen', ['-L', '-f', path], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    });
    const c = parsePublicKey(blobOf(path)).certificate;
    assert.ok(c);
    assert.deepEqual(describeCertificate(c), theirs.split('\n').slice(1, -1));
  };
  show({
    id: 'my id',
    principals: ['alice', 'bob'],
    validity: '20200101Z:20300101Z',
    serial: 99,
    options: ['force-command=/bin/true', 'source-address=127.0.0.1/32'],
  });
  show({ host: true, id: 'h' }, 'rsa');
  show({ principals: ['x'], validity: 'always:20300101Z', options: ['clear', 'permit-pty'] });
  show({ principals: ['x'], validity: '20200101Z:forever', options: ['no-touch-required'] });
});
