// bcrypt_pbkdf (OpenSSH PROTOCOL.key's KDF) and the Blowfish under it: known answers from
// OpenBSD's regress suite, Eric Young's Blowfish vectors, the S-boxes recomputed from pi, the
// limits, and the async variant giving the event loop its turns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Blowfish, blowfishInitialState } from '../../../core/keys/blowfish.js';
import {
  BCRYPT_PBKDF_MAX_ROUNDS,
  bcryptPbkdf,
  bcryptPbkdfSync,
} from '../../../core/keys/bcrypt-pbkdf.js';
import { fromHex, toHex, utf8 } from '../../../core/wire/bytes.js';

/** OpenBSD regress/lib/libutil/bcrypt_pbkdf/bcrypt_pbkdf_test.c: rounds, pass, salt, key (hex). */
const openbsdVectors: readonly [number, string, string, string][] = [
  [
    4,
    '70617373776f7264',
    '73616c74',
    '5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9',
  ],
  [4, '70617373776f7264', '00', 'c12b566235eee04c212598970a579a67'],
  [4, '00', '73616c74', '6051be18c2f4f82cbf0efee5471b4bb9'],
  [
    4,
    '70617373776f726400',
    '73616c7400',
    '7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050',
  ],
  [4, '7061737300776f72', '7361006c', 'c2bffd9db38f6569efef4372f4de83c0'],
  [4, '7061737300776f7264', '7361006c74', '4ba4ac3925c0e8d7f0cdb6bb1684a56f'],
  [
    8,
    '70617373776f7264',
    '73616c74',
    'e1367ec5151a33faac4cc1c144cd23fa15d5548493ecc99b9b5d9c0d3b27bec7' +
      '6227ea66088b849b20ab7aa478010246e74bba51723fefa9f9474d6508845e8d',
  ],
  [42, '70617373776f7264', '73616c74', '833cf0dcf56db65608e8f0dc0ce882bd'],
  [
    8,
    toHex(
      utf8(
        'Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor ' +
          'incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud ' +
          'exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure ' +
          'dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. ' +
          'Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt ' +
          'mollit anim id est laborum.',
      ),
    ),
    '73616c697300',
    '10978b07253df57f71a162eb0e8ad30a',
  ],
  [
    8,
    '0db3ac94b3ee53284f4a22893b3c24ae',
    '3a62f0f0dbcef823cfcc854856ea1028',
    '204438175eee7ce136c91b49a67923ff',
  ],
  [
    8,
    '0db3ac94b3ee53284f4a22893b3c24ae',
    '3a62f0f0dbcef823cfcc854856ea1028',
    '2054b9fff34e3721440334746828e9ed38de4b72e0a69adc170a13b5e8d646385ea4034ae6d26600ee2332c5ed40ad55' +
      '7c86e3403fbb30e4e1dc1ae06b99a071368f518d2c426651c9e7e437fd6c915b1bbfc3a4cea71491490ea7afb7dd02' +
      '90a678a4f441128db1792eab2776b21eb4238e0715add4127dff44e4b3e4cc4c4f9970083f3f74bd698873fdf64884' +
      '4f75c9bf7f9e0c4d9e5d89a7783997492966616707611cb901de31a19726b6e08c3a8001661f2d5c9dcc33b4aa072f' +
      '90dd0b3f548d5eeba4211397e2fb062e526e1d68f46a4ce256185b4badc2685fbe78e1c7657b59f83ab9ab80cf9318' +
      'd6add1f5933f12d6f36182c8e8115f68030a1244',
  ],
];

test('bcrypt_pbkdf gives OpenBSD regress vectors, including the interleaved 256-byte key', () => {
  for (const [rounds, pass, salt, key] of openbsdVectors) {
    const out = bcryptPbkdfSync(fromHex(pass), fromHex(salt), key.length / 2, rounds);
    assert.equal(toHex(out), key, `rounds ${rounds}, pass ${pass.slice(0, 16)}…`);
  }
});

test('the async bcrypt_pbkdf equals the sync one and lets timers run', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    const out = await bcryptPbkdf(utf8('password'), utf8('salt'), 48, 32);
    assert.deepEqual(out, bcryptPbkdfSync(utf8('password'), utf8('salt'), 48, 32));
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks >= 2, `timers ran ${ticks} times`);
});

test('bcrypt_pbkdf refuses what OpenSSH refuses, and more rounds than our limit', () => {
  const p = utf8('password');
  const s = utf8('salt');
  assert.throws(() => bcryptPbkdfSync(p, s, 32, 0), RangeError);
  assert.throws(() => bcryptPbkdfSync(new Uint8Array(0), s, 32, 4), RangeError);
  assert.throws(() => bcryptPbkdfSync(p, new Uint8Array(0), 32, 4), RangeError);
  assert.throws(() => bcryptPbkdfSync(p, s, 0, 4), RangeError);
  assert.throws(() => bcryptPbkdfSync(p, s, 1025, 4), RangeError);
  // refused before any round runs: the rounds asked for would take many seconds
  const started = Date.now();
  assert.throws(() => bcryptPbkdfSync(p, s, 32, BCRYPT_PBKDF_MAX_ROUNDS + 1), /rounds/);
  assert.throws(() => bcryptPbkdfSync(p, s, 32, 0xffffffff), /rounds/);
  assert.ok(Date.now() - started < 1_000);
});

/** Eric Young's Blowfish test vectors (key, plaintext, ciphertext), and one from OpenSSL. */
const blowfishVectors: readonly [string, string, string][] = [
  ['0000000000000000', '0000000000000000', '4ef997456198dd78'],
  ['ffffffffffffffff', 'ffffffffffffffff', '51866fd5b85ecb8a'],
  ['3000000000000000', '1000000000000001', '7d856f9a613063f2'],
  ['1111111111111111', '1111111111111111', '2466dd878b963c9d'],
  ['0123456789abcdef', '1111111111111111', '61f9c3802281b096'],
  ['fedcba9876543210', '0123456789abcdef', '0aceab0fc6a0a28d'],
  // openssl enc -bf-ecb -nopad -K ffffffffffffffff0000000000000000 (a 16-byte key)
  ['ffffffffffffffff0000000000000000', 'ffffffffffffffff', '5aacfb5a8dc0155d'],
];

test('Blowfish (the standard key schedule is ExpandKey(0, key)) gives the published vectors', () => {
  for (const [key, plain, cipher] of blowfishVectors) {
    const bf = new Blowfish();
    bf.expandZeroState(fromHex(key));
    const w = new Uint32Array([parseInt(plain.slice(0, 8), 16), parseInt(plain.slice(8), 16)]);
    bf.encryptWords(w);
    const out =
      (w[0] ?? 0).toString(16).padStart(8, '0') + (w[1] ?? 0).toString(16).padStart(8, '0');
    assert.equal(out, cipher, key);
  }
});

/** The first `words` 32-bit words of pi's fractional part, from Machin's formula in BigInt. */
function piWords(words: number): Uint32Array {
  const bits = BigInt(words * 32 + 64);
  const one = 1n << bits;
  const atanInv = (x: bigint): bigint => {
    let term = one / x;
    let sum = term;
    for (let n = 3n, sign = -1n; term !== 0n; n += 2n, sign = -sign) {
      term /= x * x;
      sum += (sign * term) / n;
    }
    return sum;
  };
  const frac = ((16n * atanInv(5n) - 4n * atanInv(239n) - 3n * one) >> 64n).toString(16);
  const hex = frac.padStart(words * 8, '0');
  return Uint32Array.from({ length: words }, (_, i) => parseInt(hex.slice(8 * i, 8 * i + 8), 16));
}

test("Blowfish's initial P-array and S-boxes are the hex digits of pi", () => {
  const pi = piWords(18 + 1024);
  assert.equal(pi[0], 0x243f6a88); // P[0], as every Blowfish description prints it
  assert.equal(pi[1041], 0x3ac372e6); // S3[255]
  assert.deepEqual(blowfishInitialState(), pi);
});
