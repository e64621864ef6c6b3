// KEX methods refuse bad peer values with KeyExchangeFailed (never another error type):
// low-order X25519 points, out-of-range or badly encoded DH values, off-curve ECDH points,
// wrong-length or invalid ML-KEM values, bad GEX groups, and a reused session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getDiffieHellman } from 'node:crypto';
import fc from 'fast-check';
import {
  curve25519Method,
  dhGexMethod,
  dhGroupMethod,
  ecdhNistMethod,
  kexMethod,
  mlkem768x25519Method,
  supportedKex,
  DH_PRIVATE_BITS,
  type DirectKexMethod,
  type KexClientSession,
} from '../../../core/crypto/kex/index.js';
import { x25519Backends } from '../../../core/crypto/kex/x25519.js';
import { ecdhBackends } from '../../../core/crypto/kex/ecdh-backend.js';
import { dhBackend, dhBackends, type DhBackend } from '../../../core/crypto/kex/dh-backend.js';
import { modpGroups } from '../../../core/crypto/kex/modp-groups.js';
import { mpintContent } from '../../../core/crypto/kex/encode.js';
import { nistCurves } from '../../../core/crypto/ec.js';
import { bigIntToBytes } from '../../../core/crypto/bigint.js';
import { KeyExchangeFailed } from '../../../core/errors.js';
import { concatBytes, fromHex } from '../../../core/wire/bytes.js';

function direct(m: unknown): DirectKexMethod {
  assert.ok(m !== null && typeof m === 'object' && 'kind' in m && m.kind === 'direct');
  return m as DirectKexMethod;
}

// Low-order points of Curve25519 and their non-canonical encodings (all give X25519 = 0).
const lowOrder = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map(fromHex);

test('curve25519: an all-zero shared secret (low-order peer point) is refused', () => {
  for (const be of x25519Backends()) {
    const m = direct(curve25519Method('curve25519-sha256', be));
    for (const q of lowOrder) {
      assert.throws(() => m.createClient().computeSecret(q), KeyExchangeFailed, be.name);
      assert.throws(() => m.respond(q), KeyExchangeFailed, be.name);
    }
  }
});

test('curve25519: public values that are not 32 bytes are refused', () => {
  const m = direct(kexMethod('curve25519-sha256@libssh.org'));
  for (const n of [0, 31, 33, 64]) {
    assert.throws(
      () => m.createClient().computeSecret(new Uint8Array(n).fill(9)),
      KeyExchangeFailed,
    );
    assert.throws(() => m.respond(new Uint8Array(n).fill(9)), KeyExchangeFailed);
  }
});

test('mlkem768x25519: wrong lengths, a bad encapsulation key and a zero X25519 part are refused', () => {
  for (const be of x25519Backends()) {
    const m = direct(mlkem768x25519Method(be));
    const good = m.createClient();
    const reply = m.respond(good.clientPublic).serverPublic;
    for (const n of [0, 32, 1088, 1119, 1121, 1216]) {
      assert.throws(() => m.createClient().computeSecret(new Uint8Array(n)), KeyExchangeFailed);
    }
    for (const n of [0, 32, 1184, 1215, 1217, 1120]) {
      assert.throws(() => m.respond(new Uint8Array(n)), KeyExchangeFailed);
    }
    // A valid ciphertext with a low-order X25519 value.
    const zeroX = concatBytes(reply.subarray(0, 1088), new Uint8Array(32));
    assert.throws(() => m.createClient().computeSecret(zeroX), KeyExchangeFailed);
    const init = m.createClient().clientPublic;
    assert.throws(
      () => m.respond(concatBytes(init.subarray(0, 1184), new Uint8Array(32))),
      KeyExchangeFailed,
    );
    // Coefficients ≥ q in the encapsulation key fail the FIPS 203 §7.2 modulus check.
    const badEk = init.slice();
    badEk.fill(0xff, 0, 48);
    assert.throws(() => m.respond(badEk), KeyExchangeFailed);
  }
});

test('ecdh-sha2-nistp*: off-curve, compressed, infinity and wrong-length points are refused', () => {
  for (const id of ['nistp256', 'nistp384', 'nistp521'] as const) {
    const c = nistCurves[id];
    for (const be of ecdhBackends(c)) {
      const m = direct(ecdhNistMethod(id, be));
      const q = m.createClient().clientPublic;
      const offCurve = q.slice();
      offCurve[offCurve.length - 1] = (offCurve[offCurve.length - 1] ?? 0) ^ 1;
      const compressed = concatBytes(
        Uint8Array.of(2 + ((q[q.length - 1] ?? 0) & 1)),
        q.subarray(1, 1 + c.fieldBytes),
      );
      const tooBig = q.slice();
      tooBig.fill(0xff, 1, 1 + c.fieldBytes); // x ≥ p
      const smallX = new Uint8Array(q.length);
      smallX[0] = 4; // (0, 0) and friends: not on the curve and tiny coordinates
      const bad = [
        offCurve,
        compressed,
        Uint8Array.of(0),
        q.subarray(0, q.length - 1),
        concatBytes(q, Uint8Array.of(0)),
        tooBig,
        smallX,
      ];
      for (const b of bad) {
        assert.throws(
          () => m.createClient().computeSecret(b),
          KeyExchangeFailed,
          `${id} ${be.name}`,
        );
        assert.throws(() => m.respond(b), KeyExchangeFailed, `${id} ${be.name}`);
      }
    }
  }
});

test('DH: f and e outside 1 < v < p-1 or badly encoded are refused', () => {
  const { p, pValue } = modpGroups.group14;
  const content = (v: bigint): Uint8Array => mpintContent(bigIntToBytes(v));
  const bad: [string, Uint8Array][] = [
    ['0 (empty)', new Uint8Array(0)],
    ['1', content(1n)],
    ['p-1', content(pValue - 1n)],
    ['p', content(pValue)],
    ['p+1', content(pValue + 1n)],
    ['2^2048', content(1n << 2048n)],
    ['negative 0x80', Uint8Array.of(0x80)],
    ['negative -1', Uint8Array.of(0xff)],
    ['negative, top bit of p', p.slice()], // p's first byte is 0xff: as an mpint it is negative
    ['non-minimal 00 01', Uint8Array.of(0, 1)],
    ['non-minimal 00 00 ff', Uint8Array.of(0, 0, 0xff)],
    ['lone 00', Uint8Array.of(0)],
  ];
  for (const be of dhBackends()) {
    for (const name of ['diffie-hellman-group14-sha256'] as const) {
      const m = direct(dhGroupMethod(name, be));
      for (const [what, v] of bad) {
        assert.throws(
          () => m.createClient().computeSecret(v),
          KeyExchangeFailed,
          `${what} ${be.name}`,
        );
        assert.throws(() => m.respond(v), KeyExchangeFailed, `${what} ${be.name}`);
      }
      // The edges just inside are accepted; like OpenSSH, fewer than 4 bits set is not.
      assert.doesNotThrow(() => m.createClient().computeSecret(content(0x0fn)));
      assert.doesNotThrow(() => m.respond(content(pValue - 2n)));
      for (const few of [2n, 7n, 1n << 1000n, (1n << 2000n) | (1n << 7n) | 1n]) {
        assert.throws(() => m.createClient().computeSecret(content(few)), KeyExchangeFailed);
        assert.throws(() => m.respond(content(few)), KeyExchangeFailed);
      }
    }
  }
  const gex = dhGexMethod();
  const { p: gp, g } = gex.chooseGroup(2048, 2048, 2048);
  for (const [what, v] of bad) {
    assert.throws(
      () => gex.createClient(gp, g, 2048, 8192).computeSecret(v),
      KeyExchangeFailed,
      what,
    );
    assert.throws(() => gex.respond(gp, g, v), KeyExchangeFailed, what);
  }
});

test('gex: the client refuses a group that is too small, too large, even, or has a bad g', () => {
  const m = dhGexMethod();
  const g2 = Uint8Array.of(2);
  const p14 = modpGroups.group14.p;
  const p1024 = new Uint8Array(getDiffieHellman('modp2').getPrime());
  assert.throws(() => m.createClient(p1024, g2, 1024, 8192), KeyExchangeFailed, 'RFC 8270: < 2048');
  assert.throws(() => m.createClient(p14, g2, 3072, 8192), KeyExchangeFailed, 'below min');
  assert.throws(
    () => m.createClient(modpGroups.group16.p, g2, 2048, 3072),
    KeyExchangeFailed,
    'above max',
  );
  const p9000 = new Uint8Array(1125).fill(0xff);
  assert.throws(() => m.createClient(p9000, g2, 2048, 16384), KeyExchangeFailed, 'above 8192');
  const even = p14.slice();
  even[even.length - 1] = 0xfe;
  assert.throws(() => m.createClient(even, g2, 2048, 8192), KeyExchangeFailed, 'even p');
  const pm1 = p14.slice();
  pm1[pm1.length - 1] = 0xfe;
  for (const g of [
    new Uint8Array(0),
    Uint8Array.of(1),
    pm1,
    p14,
    concatBytes(Uint8Array.of(1), p14),
  ]) {
    assert.throws(() => m.createClient(p14, g, 2048, 8192), KeyExchangeFailed, 'bad g');
  }
  // Leading zero bytes in the magnitudes are tolerated.
  assert.doesNotThrow(() =>
    m.createClient(concatBytes(Uint8Array.of(0), p14), Uint8Array.of(0, 2), 2048, 8192),
  );
});

test('gex: the server refuses a request with no overlap with [2048, 8192]', () => {
  const m = dhGexMethod();
  for (const [min, n, max] of [
    [1024, 1024, 1024],
    [4096, 2048, 8192],
    [2048, 8192, 4096],
    [9000, 9000, 9000],
    [4097, 5000, 6000],
  ] as const) {
    assert.throws(() => m.chooseGroup(min, n, max), KeyExchangeFailed, `${min} ${n} ${max}`);
  }
});

test('a client session computes K once', () => {
  for (const name of supportedKex()) {
    const m = kexMethod(name);
    assert.ok(m);
    let c: KexClientSession;
    let reply: Uint8Array;
    if (m.kind === 'direct') {
      c = m.createClient();
      reply = m.respond(c.clientPublic).serverPublic;
    } else {
      const { p, g } = m.chooseGroup(2048, 2048, 2048);
      c = m.createClient(p, g, 2048, 8192);
      reply = m.respond(p, g, c.clientPublic).serverPublic;
    }
    c.computeSecret(reply);
    assert.throws(() => c.computeSecret(reply), KeyExchangeFailed, name);
  }
});

test('DH methods use 512-bit private exponents', () => {
  const seen: number[] = [];
  const spy: DhBackend = {
    ...dhBackend(),
    generate(p, g, bits) {
      seen.push(bits);
      return dhBackend().generate(p, g, bits);
    },
  };
  direct(dhGroupMethod('diffie-hellman-group14-sha256', spy)).createClient();
  direct(dhGroupMethod('diffie-hellman-group18-sha512', spy)).createClient();
  const gex = dhGexMethod(spy);
  const { p, g } = gex.chooseGroup(8192, 8192, 8192);
  gex.createClient(p, g, 2048, 8192);
  assert.deepEqual(seen, [DH_PRIVATE_BITS, DH_PRIVATE_BITS, DH_PRIVATE_BITS]);
  assert.equal(DH_PRIVATE_BITS, 512);
});

// Random bytes, plus random bytes of exactly the sizes the methods expect.
const peerValues = fc.oneof(
  fc.uint8Array({ maxLength: 1300 }),
  ...[32, 65, 256, 1120, 1216].map((n) => fc.uint8Array({ minLength: n, maxLength: n })),
);

test('any peer value either works or throws KeyExchangeFailed (fuzz)', () => {
  const methods = [
    'curve25519-sha256',
    'ecdh-sha2-nistp256',
    'mlkem768x25519-sha256',
    'diffie-hellman-group14-sha256',
  ];
  for (const name of methods) {
    const m = direct(kexMethod(name));
    fc.assert(
      fc.property(peerValues, (peer) => {
        for (const f of [() => m.createClient().computeSecret(peer), () => m.respond(peer)]) {
          try {
            f();
          } catch (e) {
            assert.ok(e instanceof KeyExchangeFailed, `${name}: ${String(e)}`);
          }
        }
      }),
      { numRuns: 40 },
    );
  }
});
