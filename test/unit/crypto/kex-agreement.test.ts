// KEX methods: both roles agree on K for every method and backend, K has the right encoding,
// and the primitives match published vectors (RFC 7748) and independent computations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, getDiffieHellman } from 'node:crypto';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import {
  curve25519Method,
  dhGexMethod,
  dhGroupMethod,
  ecdhNistMethod,
  kexMethod,
  mlkem768x25519Method,
  supportedKex,
  type KexMethod,
} from '../../../core/crypto/kex/index.js';
import { x25519Backends, type X25519Backend } from '../../../core/crypto/kex/x25519.js';
import { ecdhBackends, type EcdhBackend } from '../../../core/crypto/kex/ecdh-backend.js';
import { dhBackends, randomExponent, type DhBackend } from '../../../core/crypto/kex/dh-backend.js';
import { modpGroupList, modpGroups } from '../../../core/crypto/kex/modp-groups.js';
import { mpintSecret, stringSecret } from '../../../core/crypto/kex/encode.js';
import { nistCurves } from '../../../core/crypto/ec.js';
import { bigIntToBytes, bitLength, bytesToBigInt, modPow } from '../../../core/crypto/bigint.js';
import { concatBytes, fromHex, toHex } from '../../../core/wire/bytes.js';
import { SshWriter } from '../../../core/wire/writer.js';

/** Runs one exchange through the method's client and server roles; returns both K. */
function exchange(
  client: KexMethod,
  server: KexMethod = client,
): { kc: Uint8Array; ks: Uint8Array } {
  if (client.kind === 'direct' && server.kind === 'direct') {
    const c = client.createClient();
    const s = server.respond(c.clientPublic);
    return { kc: c.computeSecret(s.serverPublic), ks: s.sharedSecret };
  }
  if (client.kind === 'gex' && server.kind === 'gex') {
    const { min, n, max } = client.requestBits;
    const { p, g } = server.chooseGroup(min, n, max);
    const c = client.createClient(p, g, min, max);
    const s = server.respond(p, g, c.clientPublic);
    return { kc: c.computeSecret(s.serverPublic), ks: s.sharedSecret };
  }
  throw new Error('method kinds differ');
}

test('the registry lists OpenSSH 10 default order without sntrup761', () => {
  assert.deepEqual(supportedKex(), [
    'mlkem768x25519-sha256',
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ]);
  assert.equal(kexMethod('sntrup761x25519-sha512'), undefined);
  assert.equal(kexMethod('__proto__'), undefined);
  assert.equal(kexMethod('diffie-hellman-group14-sha256')?.hash, 'sha256');
  assert.equal(kexMethod('ecdh-sha2-nistp384')?.hash, 'sha384');
  assert.equal(kexMethod('ecdh-sha2-nistp521')?.hash, 'sha512');
  assert.equal(kexMethod('diffie-hellman-group18-sha512')?.hash, 'sha512');
});

test('client and server agree on K for every registered method', () => {
  for (const name of supportedKex()) {
    const m = kexMethod(name);
    assert.ok(m, name);
    const { kc, ks } = exchange(m);
    assert.equal(toHex(kc), toHex(ks), name);
    const len = new DataView(kc.buffer, kc.byteOffset).getUint32(0);
    assert.equal(len, kc.length - 4, `${name}: K carries its length prefix`);
  }
});

test('every backend pairing agrees (node ↔ noble / BigInt)', () => {
  const xs = x25519Backends();
  for (const a of xs) {
    for (const b of xs) {
      for (const m of [
        (x: X25519Backend) => curve25519Method('curve25519-sha256', x),
        (x: X25519Backend) => mlkem768x25519Method(x),
      ]) {
        const { kc, ks } = exchange(m(a), m(b));
        assert.equal(toHex(kc), toHex(ks), `${m(a).name} ${a.name}→${b.name}`);
      }
    }
  }
  for (const id of ['nistp256', 'nistp384', 'nistp521'] as const) {
    const bs: EcdhBackend[] = ecdhBackends(nistCurves[id]);
    for (const a of bs) {
      for (const b of bs) {
        const { kc, ks } = exchange(ecdhNistMethod(id, a), ecdhNistMethod(id, b));
        assert.equal(toHex(kc), toHex(ks), `${id} ${a.name}→${b.name}`);
      }
    }
  }
  const ds: DhBackend[] = dhBackends();
  for (const a of ds) {
    for (const b of ds) {
      const g14 = 'diffie-hellman-group14-sha256';
      const r = exchange(dhGroupMethod(g14, a), dhGroupMethod(g14, b));
      assert.equal(toHex(r.kc), toHex(r.ks), `group14 ${a.name}→${b.name}`);
      const x = exchange(dhGexMethod(a), dhGexMethod(b));
      assert.equal(toHex(x.kc), toHex(x.ks), `gex ${a.name}→${b.name}`);
    }
  }
});

// --- X25519 and curve25519-sha256 ---------------------------------------------------------

test('X25519 matches RFC 7748 §5.2 and §6.1 on every backend', () => {
  const vectors = [
    [
      'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
      'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
      'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
    ],
    [
      // u has its top bit set: it must be masked (RFC 7748 §5).
      '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
      'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
      '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957',
    ],
  ] as const;
  const alice = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
  const alicePub = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
  const bob = '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb';
  const bobPub = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
  const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
  for (const be of x25519Backends()) {
    for (const [k, u, out] of vectors) {
      assert.equal(toHex(be.fromSecret(fromHex(k)).agree(fromHex(u))), out, be.name);
    }
    const a = be.fromSecret(fromHex(alice));
    const b = be.fromSecret(fromHex(bob));
    assert.equal(toHex(a.publicKey), alicePub, be.name);
    assert.equal(toHex(b.publicKey), bobPub, be.name);
    assert.equal(toHex(a.agree(b.publicKey)), shared, be.name);
    assert.equal(toHex(b.agree(a.publicKey)), shared, be.name);
  }
});

/** A backend whose "random" key pair is a fixed scalar (known-answer tests). */
function fixedX25519(be: X25519Backend, scalarHex: string): X25519Backend {
  return {
    name: be.name,
    generate: () => be.fromSecret(fromHex(scalarHex)),
    fromSecret: be.fromSecret,
  };
}

test('curve25519-sha256 encodes K as an mpint of the big-endian X25519 output (RFC 8731 §3.1)', () => {
  const client = 'fec5d712fff975297735adcb995129814cbaca20310ef18152346743ed7a9d37';
  // Secret db60a1a9…: top bit set, so the mpint gains a 0x00 sign byte (length 33).
  const highBit = 'ca3f33b54bac98554169febc296dee31e3d7b93287d9569e4049b45a46804124';
  // Secret 0039eb19…: a leading zero byte, dropped from the mpint (length 31).
  const leadingZero = '99359bc5afa1200879622804faac893c321d6ccc43a85eac4986c6ed2a146b0d';
  const cases = [
    [highBit, '0000002100db60a1a9bed10d9aaf95a9e64093fe0d1e7f7206e5b036e2e0d64a03bdb22b49'],
    [leadingZero, '0000001f39eb19f5e86f83f855a1327483a3ca54becf329589eff8369ccb27b9d8ea45'],
  ] as const;
  for (const be of x25519Backends()) {
    for (const name of ['curve25519-sha256', 'curve25519-sha256@libssh.org'] as const) {
      for (const [server, want] of cases) {
        const { kc, ks } = exchange(
          curve25519Method(name, fixedX25519(be, client)),
          curve25519Method(name, fixedX25519(be, server)),
        );
        assert.equal(toHex(kc), want, `${name} ${be.name}`);
        assert.equal(toHex(ks), want, `${name} ${be.name}`);
      }
    }
  }
  // The same rule straight from the encoder, including an all-leading-zero edge.
  assert.equal(
    toHex(mpintSecret(fromHex('80' + '00'.repeat(31)))),
    '00000021' + '0080' + '00'.repeat(31),
  );
  assert.equal(toHex(mpintSecret(fromHex('0000017f'))), '00000002017f');
});

// --- mlkem768x25519-sha256 ----------------------------------------------------------------

const sha256 = (b: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha256').update(b).digest());

test('mlkem768x25519-sha256 client: sizes, and K = string(SHA-256(K_pq ‖ K_x25519))', () => {
  for (const be of x25519Backends()) {
    const m = mlkem768x25519Method(be);
    assert.equal(m.kind, 'direct');
    if (m.kind !== 'direct') return;
    const c = m.createClient();
    assert.equal(c.clientPublic.length, 1184 + 32);
    // Play the server by hand with noble's ML-KEM and X25519.
    const { cipherText, sharedSecret: kPq } = ml_kem768.encapsulate(
      c.clientPublic.subarray(0, 1184),
    );
    assert.equal(cipherText.length, 1088);
    const serverScalar = nobleX25519.utils.randomSecretKey();
    const kX = nobleX25519.getSharedSecret(serverScalar, c.clientPublic.subarray(1184));
    const reply = concatBytes(cipherText, nobleX25519.getPublicKey(serverScalar));
    const k = c.computeSecret(reply);
    assert.equal(k.length, 36);
    assert.equal(toHex(k), '00000020' + toHex(sha256(concatBytes(kPq, kX))));
    assert.equal(toHex(k), toHex(stringSecret(sha256(concatBytes(kPq, kX)))));
  }
});

test('mlkem768x25519-sha256 server: S_REPLY sizes and K from the client side by hand', () => {
  for (const be of x25519Backends()) {
    const m = mlkem768x25519Method(be);
    if (m.kind !== 'direct') return assert.fail('direct method expected');
    const { publicKey, secretKey } = ml_kem768.keygen();
    const clientScalar = nobleX25519.utils.randomSecretKey();
    const init = concatBytes(publicKey, nobleX25519.getPublicKey(clientScalar));
    const s = m.respond(init);
    assert.equal(s.serverPublic.length, 1088 + 32);
    const kPq = ml_kem768.decapsulate(s.serverPublic.subarray(0, 1088), secretKey);
    const kX = nobleX25519.getSharedSecret(clientScalar, s.serverPublic.subarray(1088));
    assert.equal(toHex(s.sharedSecret), '00000020' + toHex(sha256(concatBytes(kPq, kX))));
  }
});

// --- ecdh-sha2-nistp* ---------------------------------------------------------------------

test('ecdh-sha2-nistp*: K is the mpint of x(d_C · d_S · G), checked with noble', () => {
  for (const id of ['nistp256', 'nistp384', 'nistp521'] as const) {
    const c = nistCurves[id];
    const dC = c.noble.utils.randomSecretKey();
    const dS = c.noble.utils.randomSecretKey();
    const x = c.noble.getSharedSecret(dC, c.noble.getPublicKey(dS, false), true).subarray(1);
    assert.equal(x.length, c.fieldBytes);
    const want = toHex(mpintSecret(x));
    for (const be of ecdhBackends(c)) {
      const fixed = (d: Uint8Array): EcdhBackend => ({
        ...be,
        generate: (cv) => be.fromSecret(cv, d),
      });
      const cli = ecdhNistMethod(id, fixed(dC));
      const srv = ecdhNistMethod(id, fixed(dS));
      const { kc, ks } = exchange(cli, srv);
      assert.equal(toHex(kc), want, `${id} ${be.name}`);
      assert.equal(toHex(ks), want, `${id} ${be.name}`);
      if (cli.kind === 'direct') {
        const q = cli.createClient().clientPublic;
        assert.equal(q.length, 1 + 2 * c.fieldBytes);
        assert.equal(q[0], 4, 'uncompressed SEC1 point');
      }
    }
  }
});

// --- finite-field DH ----------------------------------------------------------------------

test('the MODP groups are RFC 3526 groups 14–18 (as node:crypto knows them)', () => {
  const sizes = modpGroupList.map((g) => g.bits);
  assert.deepEqual(sizes, [2048, 3072, 4096, 6144, 8192]);
  for (const g of modpGroupList) {
    assert.equal(toHex(g.p), getDiffieHellman(`modp${g.id}`).getPrime('hex'), `group ${g.id}`);
    assert.deepEqual([...g.g], [2]);
    assert.equal(g.pValue, bytesToBigInt(g.p));
  }
});

test('diffie-hellman-group*: e, f are minimal mpint content and K = g^(xy) mod p', () => {
  const names = [
    ['diffie-hellman-group14-sha256', modpGroups.group14],
    ['diffie-hellman-group16-sha512', modpGroups.group16],
    ['diffie-hellman-group18-sha512', modpGroups.group18],
  ] as const;
  const x = bigIntToBytes((1n << 511n) | 0x1234567n);
  const y = bigIntToBytes((1n << 511n) | 0x7654321n);
  for (const [name, grp] of names) {
    const want = new SshWriter()
      .writeMpint(modPow(2n, bytesToBigInt(x) * bytesToBigInt(y), grp.pValue))
      .toBytes();
    for (const be of dhBackends()) {
      const fixed = (s: Uint8Array): DhBackend => ({
        ...be,
        generate: (p, g) => be.fromSecret(p, g, s),
      });
      const cli = dhGroupMethod(name, fixed(x));
      const srv = dhGroupMethod(name, fixed(y));
      if (cli.kind !== 'direct' || srv.kind !== 'direct') return assert.fail('direct');
      const c = cli.createClient();
      const e = c.clientPublic;
      assert.equal(
        toHex(e),
        toHex(
          new SshWriter()
            .writeMpint(modPow(2n, bytesToBigInt(x), grp.pValue))
            .toBytes()
            .subarray(4),
        ),
      );
      const s = srv.respond(e);
      assert.equal(toHex(c.computeSecret(s.serverPublic)), toHex(want), `${name} ${be.name}`);
      assert.equal(toHex(s.sharedSecret), toHex(want), `${name} ${be.name}`);
    }
  }
});

test('a fresh DH private exponent has exactly the requested bits', () => {
  for (const bits of [512, 513, 519, 520]) {
    for (let i = 0; i < 50; i++) {
      assert.equal(bitLength(randomExponent(bits)), bits);
    }
  }
});

test('gex: chooseGroup picks the smallest RFC 3526 group ≥ n within [min, max]', () => {
  const m = dhGexMethod();
  assert.deepEqual(m.requestBits, { min: 2048, n: 4096, max: 8192 });
  const bits = (min: number, n: number, max: number): number =>
    m.chooseGroup(min, n, max).p.length * 8;
  assert.equal(bits(2048, 4096, 8192), 4096);
  assert.equal(bits(2048, 2048, 8192), 2048);
  assert.equal(bits(2048, 3000, 8192), 3072);
  assert.equal(bits(2048, 7680, 8192), 8192);
  assert.equal(bits(2048, 8192, 8192), 8192);
  assert.equal(bits(2048, 5000, 5000), 4096, 'nothing ≥ n fits: the largest within max');
  assert.equal(bits(1024, 1024, 8192), 2048, 'requests below 2048 are raised to 2048');
  assert.equal(bits(2048, 16384, 16384), 8192, 'requests above 8192 are capped');
  for (const grp of modpGroupList) {
    const { p, g } = m.chooseGroup(grp.bits, grp.bits, grp.bits);
    assert.equal(toHex(p), toHex(grp.p));
    const cli = m.createClient(p, g, grp.bits, grp.bits);
    const s = m.respond(p, g, cli.clientPublic);
    assert.equal(toHex(cli.computeSecret(s.serverPublic)), toHex(s.sharedSecret), `${grp.bits}`);
  }
});
