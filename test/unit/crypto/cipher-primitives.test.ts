// Known-answer tests for the primitives under the packet ciphers, on every backend, exactly as
// the packet code calls them: ChaCha20 (RFC 8439 §2.3.2, §2.4.2, A.1), Poly1305 (§2.5.2, A.3),
// AES-GCM (McGrew–Viega test cases 4 and 16), AES-CTR (NIST SP 800-38A F.5.1/F.5.3/F.5.5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCipheriv } from 'node:crypto';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import {
  chachaBlocks,
  chachaFactory,
  chachaHeaderWord,
  chachaKeyWords,
  xorWord,
} from '../../../core/crypto/cipher/chacha20.js';
import { poly1305, poly1305Noble } from '../../../core/crypto/cipher/poly1305.js';
import { wasmPoly1305 } from '../../../core/crypto/wasm/poly1305.js';
import { gcmPrimitive } from '../../../core/crypto/cipher/aes-gcm.js';
import {
  addToCounter,
  aes128CtrInfo,
  aes192CtrInfo,
  aes256CtrInfo,
  aesCtrStream,
} from '../../../core/crypto/cipher/aes-ctr.js';
import { hasNative, type ResolvedBackend } from '../../../core/crypto/backend.js';
import { concatBytes, fromHex, toHex } from '../../../core/wire/bytes.js';

const backends: ResolvedBackend[] = ['node', 'noble'];
const seqKey = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');

test('ChaCha20 stream: RFC 8439 A.1 blocks 0 and 1 (zero key, zero nonce)', () => {
  for (const be of backends) {
    const s = chachaFactory(be)(new Uint8Array(32))(0);
    assert.equal(
      toHex(s.xor(new Uint8Array(64))),
      '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7' +
        'da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586',
      be,
    );
    assert.equal(
      toHex(s.xor(new Uint8Array(64))),
      '9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed' +
        '29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f',
      be,
    );
  }
});

test('ChaCha20 stream: RFC 8439 A.1 #5 is sequence number 2 (nonce 00…02)', () => {
  for (const be of backends) {
    const s = chachaFactory(be)(new Uint8Array(32))(2);
    assert.equal(
      toHex(s.xor(new Uint8Array(64))),
      'c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7' +
        '8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d',
      be,
    );
  }
});

test('ChaCha20 blocks computed here: the keystream both backends give, from block 0', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.oneof(fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat()),
      fc.integer({ min: 1, max: 20 }),
      (key, seq, count) => {
        const words = new Uint32Array(16 * count);
        chachaBlocks(chachaKeyWords(key), seq, count, words);
        const bytes = new Uint8Array(64 * count);
        words.forEach((w, i) => new DataView(bytes.buffer).setUint32(4 * i, w, true));
        for (const be of backends) {
          const want = chachaFactory(be)(key)(seq).xor(new Uint8Array(64 * count));
          assert.equal(toHex(bytes), toHex(want), `${be} seq ${seq}, ${count} blocks`);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('ChaCha20 header word: the first keystream bytes of block 0, as the streams give them', () => {
  // RFC 8439 A.1 #1 and #5: zero key, sequence numbers 0 and 2
  const zero = chachaKeyWords(new Uint8Array(32));
  assert.equal(toHex(xorWord(new Uint8Array(4), chachaHeaderWord(zero, 0))), '76b8e0ad');
  assert.equal(toHex(xorWord(new Uint8Array(4), chachaHeaderWord(zero, 2))), 'c2c64d37');
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.oneof(fc.constantFrom(0, 1, 255, 256, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat()),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      (key, seq, bytes) => {
        const word = chachaHeaderWord(chachaKeyWords(key), seq);
        for (const be of backends) {
          const want = chachaFactory(be)(key)(seq).xor(bytes);
          assert.equal(toHex(xorWord(bytes, word)), toHex(want), `${be} seq ${seq}`);
        }
      },
    ),
    { numRuns: 300 },
  );
});

// RFC 8439 §2.3.2 and §2.4.2 use nonces beyond a uint32 sequence number, so they run on the
// raw primitives the backends call: node's 'chacha20' takes the 16 state bytes counter ‖ nonce
// (§2.3.2: counter 1, nonce 000000090000004a00000000), and noble's chacha20orig takes OpenSSH's
// 64-bit counter and 64-bit nonce (§2.4.2: counter 1, nonce 0000004a00000000).
test('ChaCha20 raw primitives: RFC 8439 §2.3.2 block and §2.4.2 encryption', () => {
  const block =
    '10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e' +
    'd2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e';
  const plain = new TextEncoder().encode(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const expected =
    '6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b' +
    'f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8' +
    '07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736' +
    '5af90bbf74a35be6b40b8eedf2785e42874d';
  assert.equal(
    toHex(chacha20orig(seqKey, fromHex('0000004a00000000'), plain, undefined, 1)),
    expected,
  );
  if (!hasNative('chacha20')) return;
  const raw = (iv: string, data: Uint8Array) =>
    createCipheriv('chacha20', seqKey, fromHex(iv)).update(data);
  assert.equal(toHex(raw('01000000000000090000004a00000000', new Uint8Array(64))), block);
  assert.equal(toHex(raw('01000000000000000000004a00000000', plain)), expected);
});

test(
  'ChaCha20 stream: both backends agree for any sequence number',
  {
    skip: !hasNative('chacha20'),
  },
  () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ maxLength: 300 }),
        (key, seq, data) => {
          const a = chachaFactory('noble')(key)(seq);
          const b = chachaFactory('node')(key)(seq);
          assert.equal(toHex(b.xor(new Uint8Array(64))), toHex(a.xor(new Uint8Array(64))));
          assert.equal(toHex(b.xor(data)), toHex(a.xor(data)));
        },
      ),
    );
  },
);

const polyVectors: [string, string, string, string][] = [
  [
    '§2.5.2',
    '85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b',
    toHex(new TextEncoder().encode('Cryptographic Forum Research Group')),
    'a8061dc1305136c6c22b8baf0c0127a9',
  ],
  ['A.3 #1', '00'.repeat(32), '00'.repeat(64), '00'.repeat(16)],
  ['A.3 #5', '02' + '00'.repeat(31), 'ff'.repeat(16), '03' + '00'.repeat(15)],
  [
    'A.3 #6',
    '02' + '00'.repeat(15) + 'ff'.repeat(16),
    '02' + '00'.repeat(15),
    '03' + '00'.repeat(15),
  ],
  [
    'A.3 #7',
    '01' + '00'.repeat(31),
    'ff'.repeat(16) + 'f0' + 'ff'.repeat(15) + '11' + '00'.repeat(15),
    '05' + '00'.repeat(15),
  ],
  [
    'A.3 #8',
    '01' + '00'.repeat(31),
    'ff'.repeat(16) + 'fb' + 'fe'.repeat(15) + '01'.repeat(16),
    '00'.repeat(16),
  ],
  ['A.3 #9', '02' + '00'.repeat(31), 'fd' + 'ff'.repeat(15), 'fa' + 'ff'.repeat(15)],
  [
    'A.3 #10',
    '01000000000000000400000000000000' + '00'.repeat(16),
    'e33594d7505e43b900000000000000003394d7505e4379cd0100000000000000' +
      '0000000000000000000000000000000001000000000000000000000000000000',
    '14000000000000005500000000000000',
  ],
  [
    'A.3 #11',
    '01000000000000000400000000000000' + '00'.repeat(16),
    'e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000',
    '13000000000000000000000000000000',
  ],
];

test('Poly1305: RFC 8439 §2.5.2 and A.3 vectors (float64 and noble)', () => {
  for (const [name, key, msg, tag] of polyVectors) {
    assert.equal(toHex(poly1305(fromHex(msg), fromHex(key))), tag, `float64 ${name}`);
    assert.equal(toHex(poly1305Noble(fromHex(msg), fromHex(key))), tag, `noble ${name}`);
  }
});

/** Random bytes, or runs of the values that stress carries (0x00, 0xff, 0xfe, 0x01, 0x80). */
function extremeBytes(min: number, max: number): fc.Arbitrary<Uint8Array> {
  const byte = fc.constantFrom(0x00, 0xff, 0xfe, 0x01, 0x80);
  return fc.oneof(
    fc.uint8Array({ minLength: min, maxLength: max }),
    fc.array(byte, { minLength: min, maxLength: max }).map((a) => Uint8Array.from(a)),
  );
}

test('Poly1305: float64 implementation equals noble on random and extreme inputs', () => {
  fc.assert(
    fc.property(extremeBytes(32, 32), extremeBytes(0, 700), (key, msg) => {
      assert.equal(toHex(poly1305(msg, key)), toHex(poly1305Noble(msg, key)));
    }),
    { numRuns: 2000 },
  );
  // Every length around the one-block / two-block / tail boundaries.
  const rnd = fromHex('d3f1a0c5e6b7984a3b2c1d0e0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c');
  for (let n = 0; n <= 130; n++) {
    const msg = Uint8Array.from({ length: n }, (_, i) => (i * 167 + n) & 0xff);
    assert.equal(toHex(poly1305(msg, rnd)), toHex(poly1305Noble(msg, rnd)), `length ${n}`);
  }
  // Long all-ones input under the largest clamped r: the accumulator bound is tightest here.
  const key = fromHex('ffffff0ffcffff0ffcffff0ffcffff0f' + 'ff'.repeat(16));
  const msg = new Uint8Array(256 * 1024 + 13).fill(0xff);
  assert.equal(toHex(poly1305(msg, key)), toHex(poly1305Noble(msg, key)));
});

test('Poly1305 in WebAssembly: loaded, and equal to noble on vectors, splits and extremes', () => {
  const wasm = wasmPoly1305;
  assert.ok(wasm, 'the WebAssembly Poly1305 passed its load-time self-test');
  for (const [name, key, msg, tag] of polyVectors) {
    assert.equal(toHex(wasm([fromHex(msg)], fromHex(key))), tag, `wasm ${name}`);
  }
  fc.assert(
    fc.property(extremeBytes(32, 32), extremeBytes(0, 700), fc.nat(), (key, msg, cut) => {
      // the same message as one part and as two, cut anywhere
      const at = msg.length === 0 ? 0 : cut % (msg.length + 1);
      const want = toHex(poly1305Noble(msg, key));
      assert.equal(toHex(wasm([msg], key)), want);
      assert.equal(toHex(wasm([msg.subarray(0, at), msg.subarray(at)], key)), want);
    }),
    { numRuns: 2000 },
  );
  const rnd = fromHex('d3f1a0c5e6b7984a3b2c1d0e0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c');
  // every length to 130 (the scalar loops), and around and past 512, where the four-lane SIMD
  // loop takes every whole group of four blocks first and the scalar loops the rest
  const lengths = [...Array(131).keys(), ...Array.from({ length: 200 }, (_, i) => 440 + i)];
  for (const n of [...lengths, 1023, 1024, 1025, 32768 + 4, 32768 + 12]) {
    const msg = Uint8Array.from({ length: n }, (_, i) => (i * 167 + n) & 0xff);
    assert.equal(toHex(wasm([msg], rnd)), toHex(poly1305Noble(msg, rnd)), `length ${n}`);
  }
  // every limb at its largest in both loops: all ones under the largest clamped r
  const key = fromHex('ffffff0ffcffff0ffcffff0ffcffff0f' + 'ff'.repeat(16));
  for (const n of [511, 512, 575, 576, 600, 32768 + 12]) {
    const ones = new Uint8Array(n).fill(0xff);
    assert.equal(toHex(wasm([ones], key)), toHex(poly1305Noble(ones, key)), `ones ${n}`);
  }
  // The same, longer than any packet: the module's memory grows, and the 64-bit product sums
  // are at their largest.
  const msg = new Uint8Array(1024 * 1024 + 13).fill(0xff);
  assert.equal(toHex(wasm([msg], key)), toHex(poly1305Noble(msg, key)));
  // and a short message afterwards still works in the grown memory
  assert.equal(
    toHex(wasm([msg.subarray(0, 5)], key)),
    toHex(poly1305Noble(msg.subarray(0, 5), key)),
  );
});

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 4 (AES-128) and 16
// (AES-256): 60-byte plaintext, 20-byte AAD, 96-bit IV.
const gcmP =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
  '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39';
const gcmA = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
const gcmIv = 'cafebabefacedbaddecaf888';
const gcmCases = [
  {
    name: 'test case 4',
    key: 'feffe9928665731c6d6a8f9467308308',
    ct:
      '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e' +
      '21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    tag: '5bc94fbc3221a5db94fae95ae7121a47',
  },
  {
    name: 'test case 16',
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
    ct:
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
      '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

test('AES-GCM: McGrew–Viega test cases 4 and 16, seal and open, on both backends', () => {
  for (const be of backends) {
    for (const c of gcmCases) {
      const g = gcmPrimitive(fromHex(c.key), be);
      const out = new Uint8Array(3 + 60 + 16);
      g.seal(fromHex(gcmIv), fromHex(gcmA), fromHex(gcmP), out, 3);
      assert.equal(toHex(out.subarray(3)), c.ct + c.tag, `${be} ${c.name}`);
      const opened = g.open(fromHex(gcmIv), fromHex(gcmA), fromHex(c.ct + c.tag));
      assert.ok(opened !== undefined);
      assert.equal(toHex(opened), gcmP);
      const bad = fromHex(c.ct + c.tag);
      bad[5] = (bad[5] ?? 0) ^ 0x20;
      assert.equal(g.open(fromHex(gcmIv), fromHex(gcmA), bad), undefined, `${be} tamper`);
      const badAad = fromHex(gcmA);
      badAad[0] = (badAad[0] ?? 0) ^ 1;
      assert.equal(g.open(fromHex(gcmIv), badAad, fromHex(c.ct + c.tag)), undefined);
    }
  }
});

// NIST SP 800-38A F.5.1 / F.5.3 / F.5.5, CTR-AESxxx.Encrypt. The initial counter block
// f0…feff carries into the next byte after the first block.
const ctrPlain =
  '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51' +
  '30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710';
const ctrCases = [
  {
    info: aes128CtrInfo,
    key: '2b7e151628aed2a6abf7158809cf4f3c',
    ct:
      '874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff' +
      '5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee',
  },
  {
    info: aes192CtrInfo,
    key: '8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b',
    ct:
      '1abc932417521ca24f2b0459fe7e6e0b090339ec0aa6faefd5ccc2c6f4ce8e94' +
      '1e36b26bd1ebc670d1bd1d665620abf74f78a7f6d29809585a97daec58c6b050',
  },
  {
    info: aes256CtrInfo,
    key: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
    ct:
      '601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5' +
      '2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6',
  },
];

test('AES-CTR: SP 800-38A F.5.1/F.5.3/F.5.5, one stream across several calls', () => {
  const iv = fromHex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
  const p = fromHex(ctrPlain);
  for (const be of backends) {
    for (const c of ctrCases) {
      const s = aesCtrStream(c.info, fromHex(c.key), iv, be);
      const out = concatBytes(
        s.xor(p.subarray(0, 16)),
        s.xor(p.subarray(16, 48)),
        s.xor(p.subarray(48)),
      );
      assert.equal(toHex(out), c.ct, `${be} ${c.info.name}`);
    }
  }
});

test('AES-CTR: the counter is the whole 128-bit IV and wraps mod 2^128', () => {
  const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  for (const start of [
    'ff'.repeat(16),
    '00'.repeat(8) + 'ff'.repeat(8),
    '00'.repeat(12) + 'fffffffe',
  ]) {
    const a = aesCtrStream(aes128CtrInfo, key, fromHex(start), 'node');
    const b = aesCtrStream(aes128CtrInfo, key, fromHex(start), 'noble');
    const data = new Uint8Array(16 * 5);
    assert.equal(
      toHex(b.xor(data.subarray(0, 32))) + toHex(b.xor(data.subarray(32))),
      toHex(a.xor(data)),
    );
  }
  const c = fromHex('00'.repeat(8) + 'ff'.repeat(8));
  addToCounter(c, 1);
  assert.equal(toHex(c), '0000000000000001' + '00'.repeat(8));
  const d = fromHex('ff'.repeat(16));
  addToCounter(d, 0x12345);
  assert.equal(toHex(d), '00'.repeat(13) + '012344');
});
