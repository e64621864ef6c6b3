// The backend self-test and selection (core/crypto/backend.ts), the cipher registry, the
// 'none' protection, key handling (copied, redacted) and core/crypto/random.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import {
  cipherInfo,
  createOpener,
  createSealer,
  nativeAvailable,
  noneOpener,
  noneSealer,
  supportedCiphers,
  supportedMacs,
  type DirectionKeys,
} from '../../../core/crypto/cipher/index.js';
import { chooseBackend, hasNative, resolveBackend } from '../../../core/crypto/backend.js';
import { randomBytes, randomFill } from '../../../core/crypto/random.js';
import { ConfigError, ProtocolError } from '../../../core/errors.js';
import { fromHex, toHex } from '../../../core/wire/bytes.js';

test('self-test: Node (OpenSSL) has every native primitive, found by known answers', () => {
  assert.deepEqual(nativeAvailable, { chacha20: true, aesGcm: true, aesCtr: true, hmacSha2: true });
  assert.ok(Object.isFrozen(nativeAvailable));
  for (const alg of [
    'chacha20',
    'aes-128-gcm',
    'aes-256-gcm',
    'aes-128-ctr',
    'aes-192-ctr',
  ] as const) {
    assert.ok(hasNative(alg), alg);
    assert.equal(resolveBackend(alg), 'node');
    assert.equal(resolveBackend(alg, 'noble'), 'noble');
  }
});

test('backend choice: auto falls back to noble, a forced node backend refuses', () => {
  assert.equal(chooseBackend(true, 'auto', 'x'), 'node');
  assert.equal(chooseBackend(false, 'auto', 'x'), 'noble');
  assert.equal(chooseBackend(false, 'noble', 'x'), 'noble');
  assert.equal(chooseBackend(true, 'noble', 'x'), 'noble');
  assert.equal(chooseBackend(true, 'node', 'x'), 'node');
  assert.throws(() => chooseBackend(false, 'node', 'chacha20-poly1305@openssh.com'), ConfigError);
  assert.throws(() => resolveBackend('chacha20', 'openssl' as never), ConfigError);
});

const keys = (): DirectionKeys => ({
  key: nodeRandomBytes(64),
  iv: nodeRandomBytes(16),
  macKey: nodeRandomBytes(64),
});

function frame(payloadLength: number, blockSize: number, lengthOutside: boolean): Uint8Array {
  const aligned = 1 + payloadLength + (lengthOutside ? 0 : 4);
  let pad = blockSize - (aligned % blockSize);
  if (pad < 4) pad += blockSize;
  const p = new Uint8Array(5 + payloadLength + pad).fill(0x5a);
  new DataView(p.buffer).setUint32(0, 1 + payloadLength + pad, false);
  p[4] = pad;
  return p;
}

test("forcing 'noble' works for every cipher and MAC", () => {
  for (const cipher of supportedCiphers()) {
    for (const mac of cipherInfo(cipher)?.aead ? [null] : supportedMacs()) {
      const k = keys();
      const s = createSealer(cipher, mac, k, 'noble');
      const o = createOpener(cipher, mac, k, 'noble');
      assert.match(inspect(s), /noble/);
      const p = frame(33, s.blockSize, s.lengthOutsideBlocks);
      const wire = s.seal(9, p);
      o.packetLength(9, wire.subarray(0, o.headerSize));
      assert.deepEqual(o.open(9, wire), p.subarray(4));
    }
  }
});

test('cipher registry: names in OpenSSH 10 order and their RFC 4253 §6.3 properties', () => {
  assert.deepEqual(supportedCiphers(), [
    'chacha20-poly1305@openssh.com',
    'aes128-gcm@openssh.com',
    'aes256-gcm@openssh.com',
    'aes128-ctr',
    'aes192-ctr',
    'aes256-ctr',
  ]);
  const props = (n: string) => {
    const i = cipherInfo(n);
    return i && [i.keyLength, i.ivLength, i.blockSize, i.aead];
  };
  assert.deepEqual(props('chacha20-poly1305@openssh.com'), [64, 0, 8, true]);
  assert.deepEqual(props('aes128-gcm@openssh.com'), [16, 12, 16, true]);
  assert.deepEqual(props('aes256-gcm@openssh.com'), [32, 12, 16, true]);
  assert.deepEqual(props('aes128-ctr'), [16, 16, 16, false]);
  assert.deepEqual(props('aes192-ctr'), [24, 16, 16, false]);
  assert.deepEqual(props('aes256-ctr'), [32, 16, 16, false]);
  assert.equal(cipherInfo('none'), undefined, "'none' is not negotiable");
  assert.equal(cipherInfo('aes128-cbc'), undefined);
});

test('factories: unknown names, a missing MAC and short keys are refused', () => {
  const k = keys();
  assert.throws(() => createSealer('3des-cbc', null, k), ConfigError);
  assert.throws(() => createOpener('none', null, k), ConfigError);
  assert.throws(() => createSealer('aes128-ctr', null, k), ConfigError);
  assert.throws(() => createOpener('aes128-ctr', 'hmac-md5', k), ConfigError);
  assert.throws(
    () => createSealer('aes128-ctr', 'hmac-sha2-256', k, 'bogus' as never),
    ConfigError,
  );
  // AEAD ciphers ignore the MAC, whatever was negotiated for it.
  assert.equal(createSealer('aes128-gcm@openssh.com', 'hmac-md5', k).overhead, 16);
  const short = { key: new Uint8Array(16), iv: new Uint8Array(16), macKey: new Uint8Array(64) };
  assert.throws(() => createSealer('aes256-gcm@openssh.com', null, short), RangeError);
  assert.throws(() => createSealer('chacha20-poly1305@openssh.com', null, short), RangeError);
  assert.throws(
    () => createSealer('aes128-ctr', 'hmac-sha2-512', { ...short, macKey: new Uint8Array(32) }),
    RangeError,
  );
});

test('factories copy the keys: wiping the caller’s buffers changes nothing', () => {
  for (const cipher of supportedCiphers()) {
    const mac = cipherInfo(cipher)?.aead ? null : 'hmac-sha2-256-etm@openssh.com';
    const k = keys();
    const reference = createSealer(cipher, mac, {
      key: k.key.slice(),
      iv: k.iv.slice(),
      macKey: k.macKey.slice(),
    });
    const s = createSealer(cipher, mac, k);
    const o = createOpener(cipher, mac, k);
    for (const b of [k.key, k.iv, k.macKey]) b.fill(0);
    const p = frame(100, s.blockSize, s.lengthOutsideBlocks);
    const wire = s.seal(1, p);
    assert.equal(toHex(wire), toHex(reference.seal(1, p)), cipher);
    o.packetLength(1, wire.subarray(0, o.headerSize));
    assert.deepEqual(o.open(1, wire), p.subarray(4));
  }
});

test('inspect shows the algorithm and backend, never key bytes', () => {
  const k: DirectionKeys = {
    key: fromHex('a5'.repeat(64)),
    iv: fromHex('c3'.repeat(16)),
    macKey: fromHex('e7'.repeat(64)),
  };
  for (const cipher of supportedCiphers()) {
    const mac = cipherInfo(cipher)?.aead ? null : 'hmac-sha2-512';
    for (const obj of [createSealer(cipher, mac, k), createOpener(cipher, mac, k)]) {
      const shown = inspect(obj, { showHidden: true, depth: 10 });
      assert.ok(shown.includes(cipher), shown);
      assert.doesNotMatch(shown, /a5|165|c3|195|e7|231/);
    }
  }
});

test("'none': packets as they are, block size 8, the peer's framing still checked", () => {
  const s = noneSealer();
  const o = noneOpener();
  assert.deepEqual([s.blockSize, s.overhead, s.lengthOutsideBlocks], [8, 0, false]);
  assert.deepEqual([o.headerSize, o.overhead], [4, 0]);
  const p = frame(7, 8, false);
  const wire = s.seal(0, p);
  assert.deepEqual(wire, p);
  assert.notEqual(wire, p);
  assert.equal(o.packetLength(0, wire.subarray(0, 4)), p.length - 4);
  assert.deepEqual(o.open(0, wire), p.subarray(4));
  const odd = fromHex('0000000d' + '04' + '00'.repeat(12));
  assert.throws(() => o.open(1, odd), ProtocolError, 'not a multiple of 8');
  assert.throws(() => o.open(1, wire.subarray(0, wire.length - 8)), ProtocolError, 'short');
  assert.throws(() => o.open(1, fromHex('000000')), ProtocolError);
  assert.throws(() => o.open(1, fromHex('00000000')), ProtocolError, 'zero length');
  assert.throws(() => s.seal(0, odd), RangeError);
});

test('random: fresh bytes of the requested length in a plain Uint8Array', () => {
  const a = randomBytes(32);
  assert.equal(a.length, 32);
  assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype);
  assert.notEqual(toHex(a), toHex(randomBytes(32)));
  assert.equal(randomBytes(0).length, 0);
  assert.throws(() => randomBytes(-1), RangeError);
  const buf = new Uint8Array(64);
  randomFill(buf, 8, 16);
  assert.ok(buf.subarray(0, 8).every((b) => b === 0));
  assert.ok(buf.subarray(24).every((b) => b === 0));
  assert.ok(buf.subarray(8, 24).some((b) => b !== 0));
});
