// libsodium for chacha20-poly1305@openssh.com (core/crypto/sodium.ts): it loads here and is
// what 'auto' uses; a missing or wrong library is refused at load and the packet code falls
// back; whole packets agree byte for byte with the node:crypto + WebAssembly path and @noble's
// on every size around the short-packet threshold and the 32 KiB bulk size.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { test } from 'node:test';
import {
  ChaChaPolyOpener,
  ChaChaPolySealer,
} from '../../../core/crypto/cipher/chacha20-poly1305.js';
import { createOpener, createSealer } from '../../../core/crypto/cipher/index.js';
import { loadSodium, sodium, type SodiumChaChaPoly } from '../../../core/crypto/sodium.js';
import { defaultAlgorithms } from '../../../core/transport/algorithms.js';
import { MacError, ProtocolError } from '../../../core/errors.js';
import { toHex } from '../../../core/wire/bytes.js';

const NAME = 'chacha20-poly1305@openssh.com';

function lib(): SodiumChaChaPoly {
  const s = sodium();
  assert.ok(s !== null, 'sodium-native loads and passes its self-test in this runtime');
  return s;
}

/** A packet as the transport frames it: length, padding length, payload, 4+ bytes of pad. */
function frame(payload: number): Uint8Array {
  let pad = 8 - ((1 + payload) % 8);
  if (pad < 4) pad += 8;
  const p = randomBytes(4 + 1 + payload + pad);
  p.writeUInt32BE(1 + payload + pad, 0);
  p[4] = pad;
  return new Uint8Array(p);
}

test('sodium-native loads, and "auto" seals and opens chacha20-poly1305 with it', () => {
  lib();
  const keys = { key: randomBytes(64), iv: new Uint8Array(0), macKey: new Uint8Array(0) };
  assert.match(inspect(createSealer(NAME, null, keys, 'auto')), /sodium/);
  assert.match(inspect(createOpener(NAME, null, keys, 'auto')), /sodium/);
  // a backend asked for by name keeps its own path, so tests can cross-check them
  assert.doesNotMatch(inspect(createSealer(NAME, null, keys, 'node')), /sodium/);
  assert.doesNotMatch(inspect(createOpener(NAME, null, keys, 'noble')), /sodium/);
});

test('with libsodium, chacha20-poly1305 keeps its place first in the default ciphers', () => {
  lib();
  assert.equal(defaultAlgorithms().ciphers[0], NAME);
});

test("sodium-native's own entry, the fallback to its prebuild's path, loads as well", () => {
  const viaEntry = loadSodium(() => createRequire(import.meta.url)('sodium-native'));
  assert.ok(viaEntry !== null);
});

test('a library that cannot be loaded or answers wrongly is refused', () => {
  assert.equal(
    loadSodium(() => {
      throw new Error('Cannot find module sodium-native');
    }),
    null,
  );
  assert.equal(
    loadSodium(() => ({})),
    null,
    'no such functions',
  );
  const real = lib();
  const native = {
    // a ChaCha20 that ignores its block counter: the layout check must catch it
    crypto_stream_chacha20_xor_ic: (
      c: Uint8Array,
      m: Uint8Array,
      n: Uint8Array,
      _ic: number,
      k: Uint8Array,
    ) => real.chacha20Xor(c, m, n, 0, k),
    crypto_onetimeauth: (out: Uint8Array, input: Uint8Array, k: Uint8Array) =>
      real.poly1305(out, input, k),
  };
  assert.equal(
    loadSodium(() => native),
    null,
    'wrong block counter',
  );
  const badTag = { ...native, crypto_onetimeauth: (out: Uint8Array) => out.fill(7) };
  assert.equal(
    loadSodium(() => ({
      ...badTag,
      crypto_stream_chacha20_xor_ic: (
        c: Uint8Array,
        m: Uint8Array,
        n: Uint8Array,
        ic: number,
        k: Uint8Array,
      ) => real.chacha20Xor(c, m, n, ic, k),
    })),
    null,
    'wrong Poly1305',
  );
});

test('libsodium packets equal the node:crypto + WebAssembly path and @noble, both ways', () => {
  const s = lib();
  const key = randomBytes(64);
  const sealers = [
    new ChaChaPolySealer(key, 'node', 'auto', s),
    new ChaChaPolySealer(key, 'node', 'node', null),
    new ChaChaPolySealer(key, 'noble', 'noble', null),
  ];
  const openers = [
    new ChaChaPolyOpener(key, 'node', 'auto', s),
    new ChaChaPolyOpener(key, 'node', 'node', null),
  ];
  const sizes = [0, 1, 7, 63, 64, 1000, 1015, 1016, 1017, 1100, 32_768, 32_768 + 13, 70_000];
  sizes.forEach((size, i) => {
    const seq = (0xfffffffe + i) >>> 0; // across the 2^32 wrap
    const p = frame(size);
    const wires = sealers.map((x) => toHex(x.seal(seq, p)));
    assert.equal(wires[0], wires[1], `${size}: sodium against node`);
    assert.equal(wires[0], wires[2], `${size}: sodium against noble`);
    const parts = sealers[0]?.sealParts(seq, p) ?? [];
    assert.equal(toHex(Buffer.concat(parts)), wires[0], `${size}: sealParts`);
    for (const o of openers) {
      const wire = Buffer.from(wires[0] ?? '', 'hex');
      assert.equal(o.packetLength(seq, wire.subarray(0, 4)), p.length - 4);
      const plain = o.open(seq, wire);
      assert.equal(toHex(plain), toHex(p.subarray(4)), `${size}: ${inspect(o)}`);
      wire.fill(0); // the payload is the opener's own, not a view of the wire
      assert.equal(toHex(plain), toHex(p.subarray(4)));
    }
  });
});

const refused = (e: unknown): boolean => e instanceof MacError || e instanceof ProtocolError;

test('libsodium opener: a flipped bit in length, body or tag is a MacError', () => {
  const s = lib();
  const key = randomBytes(64);
  const sealer = new ChaChaPolySealer(key, 'node', 'auto', s);
  for (const size of [20, 40_000]) {
    const wire = sealer.seal(9, frame(size));
    for (const at of [0, 3, 4, 5, Math.floor(wire.length / 2), wire.length - 17, wire.length - 1]) {
      const bad = wire.slice();
      bad[at] = (bad[at] ?? 0) ^ 0x10;
      const o = new ChaChaPolyOpener(key, 'node', 'auto', s);
      // open() without packetLength(): the length is decrypted from the (flipped) wire, and a
      // flipped length byte either no longer frames the packet or fails the tag
      assert.throws(() => o.open(9, bad), at < 4 ? refused : MacError, `byte ${at}`);
    }
    // and under the wrong sequence number
    assert.throws(() => new ChaChaPolyOpener(key, 'node', 'auto', s).open(10, wire), refused);
  }
});
