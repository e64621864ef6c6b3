// Malformed key and signature blobs give typed errors that name the problem; a signature that
// is well formed but wrong gives false. Nothing else escapes (fuzz).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateHostKeyPair, parsePublicKey } from '../../../core/crypto/hostkey/index.js';
import { signatureBlob } from '../../../core/crypto/hostkey/signature.js';
import { nistCurves } from '../../../core/crypto/ec.js';
import { bigIntToBytes } from '../../../core/crypto/bigint.js';
import { KeyFormatError, ProtocolError, SshError } from '../../../core/errors.js';
import { concatBytes, utf8 } from '../../../core/wire/bytes.js';
import { SshReader } from '../../../core/wire/reader.js';
import { SshWriter } from '../../../core/wire/writer.js';

const ed = generateHostKeyPair('ssh-ed25519');
const ec256 = generateHostKeyPair('ecdsa-sha2-nistp256');
const rsa = generateHostKeyPair('ssh-rsa', 2048);
const all = [ed, ec256, rsa];

function blobOf(build: (w: SshWriter) => SshWriter): Uint8Array {
  return build(new SshWriter()).toBytes();
}

function throwsWith(f: () => unknown, type: typeof SshError, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

test('truncated blobs and trailing bytes are ProtocolErrors naming the public key blob', () => {
  for (const kp of all) {
    const b = kp.publicKey.blob;
    for (const cut of [0, 3, 4, 10, b.length - 1]) {
      throwsWith(
        () => parsePublicKey(b.subarray(0, cut)),
        ProtocolError,
        /public key blob: truncated/,
      );
    }
    throwsWith(() => parsePublicKey(concatBytes(b, Uint8Array.of(0))), ProtocolError, /trailing/);
  }
});

test('unknown key types are KeyFormatErrors naming the type', () => {
  for (const t of [
    'ssh-dss',
    'ssh-ed448',
    'ecdsa-sha2-nistp224',
    'ssh-dss-cert-v01@openssh.com',
    '',
  ]) {
    throwsWith(
      () => parsePublicKey(blobOf((w) => w.writeString(t).writeString(new Uint8Array(32)))),
      KeyFormatError,
      /unsupported public key type/,
    );
  }
});

test('ssh-ed25519: a key that is not 32 bytes is refused', () => {
  for (const n of [0, 31, 33]) {
    const b = blobOf((w) => w.writeString('ssh-ed25519').writeString(new Uint8Array(n).fill(7)));
    throwsWith(() => parsePublicKey(b), KeyFormatError, /32 bytes/);
  }
});

test('ECDSA: curve mismatch, compressed or off-curve points are refused', () => {
  const r = new SshReader(ec256.publicKey.blob);
  r.readAscii();
  r.readAscii();
  const q = r.readString();
  const key = (type: string, curve: string, point: Uint8Array): Uint8Array =>
    blobOf((w) => w.writeString(type).writeString(curve).writeString(point));
  throwsWith(
    () => parsePublicKey(key('ecdsa-sha2-nistp256', 'nistp384', q)),
    KeyFormatError,
    /names curve nistp384/,
  );
  throwsWith(
    () => parsePublicKey(key('ecdsa-sha2-nistp384', 'nistp384', q)),
    KeyFormatError,
    /uncompressed/,
  );
  const compressed = concatBytes(Uint8Array.of(2 | ((q[64] ?? 0) & 1)), q.subarray(1, 33));
  throwsWith(
    () => parsePublicKey(key('ecdsa-sha2-nistp256', 'nistp256', compressed)),
    KeyFormatError,
    /uncompressed/,
  );
  const off = q.slice();
  off[64] = (off[64] ?? 0) ^ 1;
  throwsWith(
    () => parsePublicKey(key('ecdsa-sha2-nistp256', 'nistp256', off)),
    KeyFormatError,
    /not on the curve/,
  );
  // (0, 0): off the curve, and both coordinates far too small.
  const tiny = new Uint8Array(65);
  tiny[0] = 4;
  throwsWith(
    () => parsePublicKey(key('ecdsa-sha2-nistp256', 'nistp256', tiny)),
    KeyFormatError,
    /nistp256/,
  );
  assert.equal(parsePublicKey(key('ecdsa-sha2-nistp256', 'nistp256', q)).bits, 256);
  assert.equal(nistCurves.nistp256.fieldBytes, 32);
});

test('ssh-rsa: short moduli, even or tiny exponents and negative mpints are refused', () => {
  const n1023 = bigIntToBytes((1n << 1022n) | 1n);
  const n1024 = bigIntToBytes((1n << 1023n) | 1n);
  const n4096 = bigIntToBytes((1n << 4095n) | 1n);
  const key = (e: Uint8Array, n: Uint8Array): Uint8Array =>
    blobOf((w) => w.writeString('ssh-rsa').writeMpintBytes(e).writeMpintBytes(n));
  const e65537 = Uint8Array.of(1, 0, 1);
  throwsWith(() => parsePublicKey(key(e65537, n1023)), KeyFormatError, /1023 bits/);
  assert.equal(parsePublicKey(key(e65537, n1024)).bits, 1024);
  throwsWith(() => parsePublicKey(key(bigIntToBytes(1n << 20n), n1024)), KeyFormatError, /odd/);
  throwsWith(
    () => parsePublicKey(key(Uint8Array.of(1), n1024)),
    KeyFormatError,
    /odd and greater than 1/,
  );
  throwsWith(
    () => parsePublicKey(key(new Uint8Array(0), n1024)),
    KeyFormatError,
    /odd and greater than 1/,
  );
  throwsWith(
    () => parsePublicKey(key(bigIntToBytes((1n << 70n) | 1n), n4096)),
    KeyFormatError,
    /too large/,
  );
  throwsWith(
    () => parsePublicKey(key(bigIntToBytes((1n << 17000n) | 1n), n4096)),
    KeyFormatError,
    /too large|outside/,
  );
  const negative = blobOf((w) =>
    w.writeString('ssh-rsa').writeString(Uint8Array.of(0x81)).writeMpintBytes(n1024),
  );
  throwsWith(() => parsePublicKey(negative), ProtocolError, /negative mpint/);
  const nonMinimal = blobOf((w) =>
    w.writeString('ssh-rsa').writeString(Uint8Array.of(0, 3)).writeMpintBytes(n1024),
  );
  throwsWith(() => parsePublicKey(nonMinimal), ProtocolError, /minimally/);
});

test('signature blobs: wrong algorithm, wrong framing and wrong sizes are ProtocolErrors', () => {
  const data = utf8('H');
  const edSig = ed.sign('ssh-ed25519', data);
  const pk = ed.publicKey;
  throwsWith(
    () => pk.verify('rsa-sha2-256', edSig, data),
    ProtocolError,
    /does not fit a ssh-ed25519 key/,
  );
  throwsWith(() => pk.verify('ssh-ed448', edSig, data), ProtocolError, /does not fit/);
  throwsWith(
    () => pk.verify('ssh-ed25519', concatBytes(edSig, Uint8Array.of(0)), data),
    ProtocolError,
    /trailing/,
  );
  throwsWith(
    () => pk.verify('ssh-ed25519', edSig.subarray(0, 20), data),
    ProtocolError,
    /truncated/,
  );
  const inner = new SshReader(edSig);
  inner.readAscii();
  const raw = inner.readString();
  throwsWith(
    () => pk.verify('ssh-ed25519', signatureBlob('ssh-ed25519', raw.subarray(0, 63)), data),
    ProtocolError,
    /64 bytes/,
  );
  // An RSA signature labelled with another RSA algorithm than the negotiated one.
  const rsaSig = rsa.sign('rsa-sha2-512', data);
  throwsWith(
    () => rsa.publicKey.verify('rsa-sha2-256', rsaSig, data),
    ProtocolError,
    /is rsa-sha2-512, expected rsa-sha2-256/,
  );
  // ECDSA inner framing: trailing bytes after s, negative r.
  const ecSig = ec256.sign('ecdsa-sha2-nistp256', data);
  const ecInner = new SshReader(ecSig);
  ecInner.readAscii();
  const rs = ecInner.readString();
  throwsWith(
    () =>
      ec256.publicKey.verify(
        'ecdsa-sha2-nistp256',
        signatureBlob('ecdsa-sha2-nistp256', concatBytes(rs, Uint8Array.of(0))),
        data,
      ),
    ProtocolError,
    /trailing/,
  );
  const negR = new SshWriter()
    .writeString(Uint8Array.of(0x80))
    .writeString(Uint8Array.of(1))
    .toBytes();
  throwsWith(
    () =>
      ec256.publicKey.verify(
        'ecdsa-sha2-nistp256',
        signatureBlob('ecdsa-sha2-nistp256', negR),
        data,
      ),
    ProtocolError,
    /negative/,
  );
});

test('well-formed but wrong signatures return false', () => {
  const data = utf8('H');
  assert.equal(
    ed.publicKey.verify('ssh-ed25519', signatureBlob('ssh-ed25519', new Uint8Array(64)), data),
    false,
  );
  assert.equal(
    ed.publicKey.verify(
      'ssh-ed25519',
      signatureBlob('ssh-ed25519', new Uint8Array(64).fill(0xff)),
      data,
    ),
    false,
  );
  const zeros = new SshWriter()
    .writeMpintBytes(new Uint8Array(0))
    .writeMpintBytes(new Uint8Array(0))
    .toBytes();
  assert.equal(
    ec256.publicKey.verify(
      'ecdsa-sha2-nistp256',
      signatureBlob('ecdsa-sha2-nistp256', zeros),
      data,
    ),
    false,
  );
  assert.equal(
    rsa.publicKey.verify('rsa-sha2-512', signatureBlob('rsa-sha2-512', new Uint8Array(0)), data),
    false,
  );
  assert.equal(
    rsa.publicKey.verify(
      'rsa-sha2-512',
      signatureBlob('rsa-sha2-512', new Uint8Array(256).fill(0xff)),
      data,
    ),
    false,
  );
  // Another key's valid signature.
  const other = generateHostKeyPair('ssh-ed25519');
  assert.equal(ed.publicKey.verify('ssh-ed25519', other.sign('ssh-ed25519', data), data), false);
});

test('random blobs: parsePublicKey and verify throw only SshErrors (fuzz)', () => {
  const prefixed = fc
    .tuple(
      fc.constantFrom(...all.map((k) => k.publicKey.blob)),
      fc.nat(),
      fc.uint8Array({ maxLength: 40 }),
    )
    .map(([b, at, junk]) => {
      const i = at % (b.length + 1);
      return concatBytes(b.subarray(0, i), junk);
    });
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), prefixed), (blob) => {
      try {
        parsePublicKey(blob);
      } catch (e) {
        assert.ok(e instanceof SshError, String(e));
      }
    }),
    { numRuns: 300 },
  );
  const algs = [
    [ed, 'ssh-ed25519'],
    [ec256, 'ecdsa-sha2-nistp256'],
    [rsa, 'rsa-sha2-256'],
  ] as const;
  fc.assert(
    fc.property(fc.constantFrom(...algs), fc.uint8Array({ maxLength: 300 }), ([kp, alg], bytes) => {
      for (const sig of [bytes, signatureBlob(alg, bytes)]) {
        try {
          assert.equal(kp.publicKey.verify(alg, sig, utf8('x')), false);
        } catch (e) {
          assert.ok(e instanceof ProtocolError, String(e));
        }
      }
    }),
    { numRuns: 300 },
  );
});
