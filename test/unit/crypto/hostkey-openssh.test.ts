// Host keys against OpenSSH: keys made by ssh-keygen parse with the right type and size, and
// signatures made by ssh-keygen (SSHSIG) and by OpenSSL from the same private key (PEM)
// verify with every backend we have.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parsePublicKey, type PublicKey } from '../../../core/crypto/hostkey/index.js';
import { ed25519Verifiers } from '../../../core/crypto/hostkey/ed25519.js';
import { ecdsaVerifiers } from '../../../core/crypto/hostkey/ecdsa.js';
import { rsaVerifiers } from '../../../core/crypto/hostkey/rsa.js';
import { nistCurve } from '../../../core/crypto/ec.js';
import { utf8 } from '../../../core/wire/bytes.js';
import { SshReader } from '../../../core/wire/reader.js';
import { signatureBlob } from '../../../core/crypto/hostkey/signature.js';
import { makeKeys, sshKeygen, sshsig, type KeygenKey } from './hostkey-fixtures.js';

let fx: ReturnType<typeof makeKeys>;
before(() => {
  fx = makeKeys();
});
after(() => fx.cleanup());

test('ssh-keygen public keys parse with their type, size and exact blob', () => {
  for (const k of fx.keys) {
    const pk = parsePublicKey(k.blob);
    assert.equal(pk.type, k.type);
    assert.equal(pk.bits, k.bits, k.comment);
    assert.deepEqual(pk.blob, k.blob);
    assert.notEqual(pk.blob, k.blob, 'the key keeps its own copy');
  }
});

test('SSHSIG signatures from ssh-keygen -Y sign verify; altered data or signature fails', () => {
  const message = utf8('keyway: signed by OpenSSH');
  for (const k of fx.keys) {
    const pk = parsePublicKey(k.blob);
    const { algorithm, signatureBlob: sig, signedData } = sshsig(k, fx.dir, message);
    assert.equal(algorithm, k.type === 'ssh-rsa' ? 'rsa-sha2-512' : k.type);
    assert.equal(pk.verify(algorithm, sig, signedData), true, k.comment);
    const other = signedData.slice();
    other[other.length - 1] = (other[other.length - 1] ?? 0) ^ 1;
    assert.equal(pk.verify(algorithm, sig, other), false, k.comment);
    const flipped = sig.slice();
    flipped[flipped.length - 2] = (flipped[flipped.length - 2] ?? 0) ^ 0x40;
    assert.equal(pk.verify(algorithm, flipped, signedData), false, k.comment);
  }
});

/** The inner signature bytes of a signature blob. */
function inner(blob: Uint8Array): Uint8Array {
  const r = new SshReader(blob);
  r.readAscii();
  return r.readString();
}

test('every backend verifies the ssh-keygen signatures (node:crypto and noble / BigInt)', () => {
  const message = utf8('keyway: backend cross-check');
  for (const k of fx.keys) {
    const { signatureBlob: sig, signedData } = sshsig(k, fx.dir, message);
    const r = new SshReader(k.blob);
    r.readAscii();
    if (k.type === 'ssh-ed25519') {
      const pub = r.readString();
      const vs = ed25519Verifiers();
      assert.ok(vs.length >= 1);
      for (const v of vs) assert.equal(v(pub, inner(sig), signedData), true);
    } else if (k.type.startsWith('ecdsa-')) {
      const c = nistCurve(r.readAscii());
      assert.ok(c);
      const q = r.readString();
      const rs = new SshReader(inner(sig));
      const rr = rs.readMpintBytes();
      const ss = rs.readMpintBytes();
      const fixed = new Uint8Array(2 * c.scalarBytes);
      fixed.set(rr, c.scalarBytes - rr.length);
      fixed.set(ss, 2 * c.scalarBytes - ss.length);
      for (const v of ecdsaVerifiers(c)) assert.equal(v(c, q, fixed, signedData), true, k.comment);
    } else {
      const e = r.readMpintBytes();
      const n = r.readMpintBytes();
      const s = inner(sig);
      const padded = new Uint8Array(n.length);
      padded.set(s, n.length - s.length);
      const vs = rsaVerifiers('sha512');
      assert.equal(vs.length, 2, 'node and BigInt');
      for (const v of vs) assert.equal(v(n, e, 'sha512', padded, signedData), true, k.comment);
    }
  }
});

test('RSA: rsa-sha2-256, rsa-sha2-512 and ssh-rsa signatures made by OpenSSL from the PEM key', () => {
  const data = utf8('keyway: exchange hash stand-in');
  for (const k of fx.keys.filter((x: KeygenKey) => x.type === 'ssh-rsa')) {
    // Rewrite the private key as PEM (PKCS#1), which node:crypto reads.
    sshKeygen('-q', '-p', '-m', 'PEM', '-P', '', '-N', '', '-f', k.privatePath);
    const priv = createPrivateKey(readFileSync(k.privatePath));
    const pk: PublicKey = parsePublicKey(k.blob);
    for (const [alg, h] of [
      ['rsa-sha2-512', 'sha512'],
      ['rsa-sha2-256', 'sha256'],
      ['ssh-rsa', 'sha1'],
    ] as const) {
      const sig = new Uint8Array(nodeSign(h, data, priv));
      assert.equal(pk.verify(alg, signatureBlob(alg, sig), data), true, `${alg} ${k.bits}`);
      // The same bytes under another RSA algorithm name: a different hash, so it fails.
      const otherAlg = alg === 'rsa-sha2-512' ? 'rsa-sha2-256' : 'rsa-sha2-512';
      assert.equal(pk.verify(otherAlg, signatureBlob(otherAlg, sig), data), false);
      const r = new SshReader(k.blob);
      r.readAscii();
      const e = r.readMpintBytes();
      const n = r.readMpintBytes();
      for (const v of rsaVerifiers(h)) assert.equal(v(n, e, h, sig, data), true, `${alg} backend`);
    }
  }
});
