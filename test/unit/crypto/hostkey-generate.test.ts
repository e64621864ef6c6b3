// generateHostKeyPair: every type signs with every algorithm it lists, the signatures verify
// here and with OpenSSH (ssh-keygen -Y verify), and the public keys are what ssh-keygen reads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  generateHostKeyPair,
  hostKeyAlgorithmKeyType,
  legacyHostKeyAlgorithms,
  parsePublicKey,
  signatureAlgorithmsFor,
  supportedHostKeyAlgorithms,
  type HostKeyPair,
  type HostKeyType,
} from '../../../core/crypto/hostkey/index.js';
import { signatureBlob } from '../../../core/crypto/hostkey/signature.js';
import { fingerprintSha256 } from '../../../core/crypto/fingerprint.js';
import { nistCurves } from '../../../core/crypto/ec.js';
import { bigIntToBytes, bytesToBigInt } from '../../../core/crypto/bigint.js';
import { ConfigError, ProtocolError } from '../../../core/errors.js';
import { concatBytes, utf8 } from '../../../core/wire/bytes.js';
import { SshReader } from '../../../core/wire/reader.js';
import { SshWriter } from '../../../core/wire/writer.js';
import { armorSshsig, sshsigSignedData } from './hostkey-fixtures.js';

const types: readonly HostKeyType[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
];
const pairs = new Map<HostKeyType, HostKeyPair>();
let dir = '';
before(() => {
  for (const t of types) pairs.set(t, generateHostKeyPair(t, 2048));
  dir = mkdtempSync(join(tmpdir(), 'keyway-genkey-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function pairOf(t: HostKeyType): HostKeyPair {
  const p = pairs.get(t);
  assert.ok(p);
  return p;
}

test('algorithm names: defaults, legacy ssh-rsa, and key types', () => {
  assert.deepEqual(supportedHostKeyAlgorithms(), [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
  ]);
  assert.deepEqual(legacyHostKeyAlgorithms(), ['ssh-rsa']);
  assert.equal(hostKeyAlgorithmKeyType('rsa-sha2-256'), 'ssh-rsa');
  assert.equal(hostKeyAlgorithmKeyType('rsa-sha2-512'), 'ssh-rsa');
  assert.equal(hostKeyAlgorithmKeyType('ssh-rsa'), 'ssh-rsa');
  assert.equal(hostKeyAlgorithmKeyType('ecdsa-sha2-nistp384'), 'ecdsa-sha2-nistp384');
  assert.equal(hostKeyAlgorithmKeyType('ssh-dss'), undefined);
  assert.equal(hostKeyAlgorithmKeyType('constructor'), undefined);
  assert.deepEqual(signatureAlgorithmsFor('ssh-rsa'), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
});

test('generated pairs sign with every listed algorithm and verify; others do not', () => {
  const data = utf8('exchange hash H');
  for (const t of types) {
    const kp = pairOf(t);
    assert.deepEqual(kp.algorithms, signatureAlgorithmsFor(t));
    assert.equal(kp.publicKey.type, t);
    const pk = parsePublicKey(kp.publicKey.blob);
    for (const alg of kp.algorithms) {
      const sig = kp.sign(alg, data);
      assert.equal(new SshReader(sig).readAscii(), alg);
      assert.equal(pk.verify(alg, sig, data), true, `${t} ${alg}`);
      assert.equal(pk.verify(alg, sig, utf8('exchange hash h')), false, `${t} ${alg} other data`);
    }
    assert.throws(() => kp.sign('ssh-dss', data), ConfigError);
    const foreign = t === 'ssh-ed25519' ? 'rsa-sha2-256' : 'ssh-ed25519';
    assert.throws(() => kp.sign(foreign, data), ConfigError);
    assert.throws(
      () => pk.verify(foreign, kp.sign(kp.algorithms[0] ?? '', data), data),
      ProtocolError,
    );
  }
  assert.equal(pairOf('ssh-rsa').publicKey.bits, 2048);
  assert.equal(pairOf('ecdsa-sha2-nistp521').publicKey.bits, 521);
  assert.equal(generateHostKeyPair('ssh-rsa', 1024).publicKey.bits, 1024);
  assert.throws(() => generateHostKeyPair('ssh-rsa', 512), ConfigError);
});

test('a HostKeyPair shows no private key material to util.inspect', () => {
  for (const t of types) {
    const shown = inspect(pairOf(t), { depth: 10, showHidden: true });
    assert.doesNotMatch(shown, /KeyObject|privateKey|secret/i, t);
  }
});

test('ECDSA: a high-S signature (n - s) still verifies, as in OpenSSH', () => {
  const data = utf8('malleable');
  for (const id of ['nistp256', 'nistp384', 'nistp521'] as const) {
    const c = nistCurves[id];
    const t = `ecdsa-sha2-${id}` as const;
    const kp = pairOf(t);
    const r0 = new SshReader(kp.sign(t, data));
    r0.readAscii();
    const rs = new SshReader(r0.readString());
    const r = rs.readMpintBytes();
    const s = bytesToBigInt(rs.readMpintBytes());
    const flipped = new SshWriter()
      .writeMpintBytes(r)
      .writeMpintBytes(bigIntToBytes(c.order - s))
      .toBytes();
    assert.equal(kp.publicKey.verify(t, signatureBlob(t, flipped), data), true, id);
    const zero = new SshWriter().writeMpintBytes(r).writeMpintBytes(new Uint8Array(0)).toBytes();
    assert.equal(kp.publicKey.verify(t, signatureBlob(t, zero), data), false, `${id} s = 0`);
    const big = new SshWriter()
      .writeMpintBytes(r)
      .writeMpintBytes(bigIntToBytes(c.order + 1n))
      .toBytes();
    assert.equal(kp.publicKey.verify(t, signatureBlob(t, big), data), false, `${id} s > n`);
  }
});

test('RSA: a signature one byte short of the modulus is zero-padded; one byte long fails', () => {
  const kp = pairOf('ssh-rsa');
  let shortSig: Uint8Array | undefined;
  let data = utf8('');
  for (let i = 0; i < 4000 && shortSig === undefined; i++) {
    data = utf8(`padding probe ${i}`);
    const s = new SshReader(kp.sign('rsa-sha2-256', data));
    s.readAscii();
    const sig = s.readString();
    if (sig[0] === 0) shortSig = sig.subarray(1);
  }
  assert.ok(shortSig, 'found a signature with a leading zero byte');
  assert.equal(shortSig.length, 255);
  assert.equal(
    kp.publicKey.verify('rsa-sha2-256', signatureBlob('rsa-sha2-256', shortSig), data),
    true,
  );
  const long = concatBytes(Uint8Array.of(0, 0), shortSig);
  assert.equal(
    kp.publicKey.verify('rsa-sha2-256', signatureBlob('rsa-sha2-256', long), data),
    false,
  );
});

/** An SSHSIG (OpenSSH PROTOCOL.sshsig) made with our signer, for ssh-keygen -Y verify. */
function ourSshsig(kp: HostKeyPair, alg: string, message: Uint8Array): string {
  return armorSshsig(kp.publicKey.blob, kp.sign(alg, sshsigSignedData(message)));
}

test('OpenSSH reads our public keys and accepts our signatures (ssh-keygen -l, -Y verify)', () => {
  const message = utf8('signed by keyway');
  writeFileSync(join(dir, 'message'), message);
  for (const t of types) {
    const kp = pairOf(t);
    const line = `${t} ${Buffer.from(kp.publicKey.blob).toString('base64')} keyway`;
    writeFileSync(join(dir, 'key.pub'), line + '\n');
    const listed = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'key.pub')], {
      encoding: 'utf8',
    });
    assert.match(
      listed,
      new RegExp(
        `^${kp.publicKey.bits} ${fingerprintSha256(kp.publicKey.blob).replace(/[+/]/g, '\\$&')} keyway`,
      ),
    );
    writeFileSync(join(dir, 'allowed'), `tester ${line}\n`);
    // ssh-keygen refuses SHA-1 RSA signatures in SSHSIG, so ssh-rsa is checked elsewhere.
    for (const alg of kp.algorithms.filter((a) => a !== 'ssh-rsa')) {
      writeFileSync(join(dir, 'message.sig'), ourSshsig(kp, alg, message));
      const out = execFileSync(
        'ssh-keygen',
        [
          '-Y',
          'verify',
          '-f',
          join(dir, 'allowed'),
          '-I',
          'tester',
          '-n',
          'keyway-test',
          '-s',
          join(dir, 'message.sig'),
        ],
        { input: message, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] },
      );
      assert.match(out, /Good "keyway-test" signature for tester/, `${t} ${alg}`);
    }
  }
});
