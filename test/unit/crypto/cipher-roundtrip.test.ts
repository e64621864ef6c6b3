// Seal → open across every cipher × MAC × (sealer backend, opener backend) pair: several
// consecutive packets (CTR streams and GCM invocation counters must stay in step, and a node
// sealer must interoperate with a noble opener), tampering anywhere is refused, a wrong
// sequence number or a skipped packet is refused, and random sizes round-trip across the
// 2^32 sequence-number wrap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import {
  cipherInfo,
  createOpener,
  createSealer,
  supportedCiphers,
  supportedMacs,
  type CryptoBackend,
  type DirectionKeys,
  type PacketOpener,
  type PacketSealer,
} from '../../../core/crypto/cipher/index.js';
import { MacError, ProtocolError } from '../../../core/errors.js';
import { toHex } from '../../../core/wire/bytes.js';

const combos = supportedCiphers().flatMap((c): [string, string | null][] =>
  cipherInfo(c)?.aead ? [[c, null]] : supportedMacs().map((m) => [c, m]),
);
// 'auto' is libsodium for chacha20-poly1305 (core/crypto/sodium.ts), node:crypto for the rest
const pairs: [CryptoBackend, CryptoBackend][] = [
  ['node', 'node'],
  ['node', 'noble'],
  ['noble', 'node'],
  ['noble', 'noble'],
  ['auto', 'noble'],
  ['noble', 'auto'],
  ['auto', 'auto'],
];

function makeKeys(): DirectionKeys {
  return { key: randomBytes(64), iv: randomBytes(16), macKey: randomBytes(64) };
}

/** RFC 4253 §6 framing with random padding of at least 4 bytes (up to 4 extra blocks). */
function frame(payload: Uint8Array, s: PacketSealer, extraBlocks = 0): Uint8Array {
  const aligned = 1 + payload.length + (s.lengthOutsideBlocks ? 0 : 4);
  let pad = s.blockSize - (aligned % s.blockSize);
  if (pad < 4) pad += s.blockSize;
  pad += extraBlocks * s.blockSize;
  const p = new Uint8Array(4 + 1 + payload.length + pad);
  new DataView(p.buffer).setUint32(0, 1 + payload.length + pad, false);
  p[4] = pad;
  p.set(payload, 5);
  p.set(randomBytes(pad), 5 + payload.length);
  return p;
}

function openWire(o: PacketOpener, seq: number, wire: Uint8Array): Uint8Array {
  const len = o.packetLength(seq, wire.subarray(0, o.headerSize));
  assert.ok(len >= 0);
  return o.open(seq, wire);
}

function pair(cipher: string, mac: string | null, sb: CryptoBackend, ob: CryptoBackend) {
  const keys = makeKeys();
  return { keys, s: createSealer(cipher, mac, keys, sb), o: createOpener(cipher, mac, keys, ob) };
}

for (const [cipher, mac] of combos) {
  const name = mac === null ? cipher : `${cipher} + ${mac}`;

  test(`${name}: consecutive packets round-trip between every backend pair`, () => {
    for (const [sb, ob] of pairs) {
      const { s, o } = pair(cipher, mac, sb, ob);
      let seq = 0xfffffffd;
      for (const size of [0, 1, 15, 16, 17, 100, 1000, 32768, 3]) {
        const p = frame(randomBytes(size), s, size % 3);
        const wire = s.seal(seq, p);
        assert.equal(wire.length, p.length + s.overhead);
        assert.deepEqual(openWire(o, seq, wire), p.subarray(4), `${sb}→${ob} size ${size}`);
        seq = (seq + 1) >>> 0;
      }
    }
  });

  test(`${name}: a flipped bit anywhere is refused, never returns garbage`, () => {
    const { keys, s } = pair(cipher, mac, 'node', 'node');
    const wires = [frame(randomBytes(20), s), frame(randomBytes(40), s)].map((p, i) =>
      s.seal(100 + i, p),
    );
    const second = wires[1] ?? new Uint8Array();
    for (let i = 0; i < second.length; i++) {
      for (const be of ['auto', 'node', 'noble'] as const) {
        const o = createOpener(cipher, mac, keys, be);
        openWire(o, 100, wires[0] ?? new Uint8Array()); // keeps stream/counter in step
        const bad = second.slice();
        bad[i] = (bad[i] ?? 0) ^ (1 << (i % 8));
        // A flip in the bytes that carry the length may show as a length that no longer
        // frames the packet (ProtocolError); anywhere else it must be a MacError.
        assert.throws(
          () => openWire(o, 101, bad),
          (e: unknown) => e instanceof MacError || (i < o.headerSize && e instanceof ProtocolError),
          `byte ${i} on ${be}`,
        );
      }
    }
  });

  test(`${name}: a dropped, replayed or misnumbered packet is refused`, () => {
    const { keys, s } = pair(cipher, mac, 'node', 'node');
    const w0 = s.seal(5, frame(randomBytes(30), s));
    const w1 = s.seal(6, frame(randomBytes(30), s));
    const refused = (e: unknown) => e instanceof MacError || e instanceof ProtocolError;
    for (const be of ['auto', 'node', 'noble'] as const) {
      const fresh = () => createOpener(cipher, mac, keys, be);
      // w0 dropped in transit: the receiver, expecting sequence number 5, gets w1.
      assert.throws(() => openWire(fresh(), 5, w1), refused, 'dropped');
      // w0 delivered twice.
      const o = fresh();
      assert.equal(openWire(o, 5, w0).length, w0.length - 4 - s.overhead);
      assert.throws(() => openWire(o, 6, w0), refused, 'replayed');
      // The sequence number is an input of every mode except aes-gcm, which counts packets
      // with its own invocation counter (RFC 5647): there, drop and replay are what fail.
      if (!cipher.includes('gcm')) assert.throws(() => openWire(fresh(), 6, w0), refused, 'seq');
    }
  });

  test(`${name}: open() refuses bytes that do not frame packet_length exactly`, () => {
    const { keys, s } = pair(cipher, mac, 'node', 'node');
    const wire = s.seal(0, frame(randomBytes(50), s));
    for (const bad of [wire.subarray(0, wire.length - 1), new Uint8Array([...wire, 0])]) {
      const o = createOpener(cipher, mac, keys, 'auto');
      o.packetLength(0, bad.subarray(0, o.headerSize));
      assert.throws(() => o.open(0, bad), ProtocolError);
    }
  });
}

test('chacha20-poly1305: short packets (keystream computed here) and long ones seal alike on both backends', () => {
  const name = 'chacha20-poly1305@openssh.com';
  const keys = makeKeys();
  const node = createSealer(name, null, keys, 'node');
  const noble = createSealer(name, null, keys, 'noble');
  const opener = createOpener(name, null, keys, 'node');
  // every packet length from 8 to past 1,024 bytes (where the keystream changes hands)
  for (let payload = 0; payload <= 1100; payload += 3) {
    const seq = (0xfffffff0 + payload) >>> 0;
    const p = frame(randomBytes(payload), node);
    const wire = node.seal(seq, p);
    assert.equal(toHex(wire), toHex(noble.seal(seq, p)), `${p.length} bytes`);
    const parts = node.sealParts?.(seq, p) ?? [];
    assert.equal(toHex(Buffer.concat(parts)), toHex(wire), `${p.length} bytes in parts`);
    assert.equal(toHex(openWire(opener, seq, wire)), toHex(p.subarray(4)));
    const bad = wire.slice();
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    assert.throws(() => openWire(opener, seq, bad), MacError);
  }
});

test('round-trip property: random sizes and padding, sequence numbers across 2^32', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...combos),
      fc.constantFrom(...pairs),
      fc.integer({ min: 0xffffffff - 6, max: 0xffffffff }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 3 })), {
        minLength: 1,
        maxLength: 10,
      }),
      ([cipher, mac], [sb, ob], start, packets) => {
        const { s, o } = pair(cipher, mac, sb, ob);
        let seq = start;
        for (const [size, extra] of packets) {
          const p = frame(randomBytes(size), s, extra);
          assert.equal(toHex(openWire(o, seq, s.seal(seq, p))), toHex(p.subarray(4)));
          seq = (seq + 1) >>> 0;
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('seal refuses malformed packets and sequence numbers from its caller', () => {
  for (const [cipher, mac] of combos) {
    const s = createSealer(cipher, mac, makeKeys());
    const good = frame(randomBytes(10), s);
    assert.throws(() => s.seal(-1, good), RangeError);
    assert.throws(() => s.seal(2 ** 32, good), RangeError);
    assert.throws(() => s.seal(1.5, good), RangeError);
    assert.throws(() => s.seal(0, good.subarray(0, good.length - 1)), RangeError, 'length field');
    const misaligned = new Uint8Array(good.length + 1);
    misaligned.set(good);
    new DataView(misaligned.buffer).setUint32(0, good.length - 3, false);
    assert.throws(() => s.seal(0, misaligned), RangeError, 'alignment');
    assert.throws(() => s.seal(0, new Uint8Array(3)), RangeError);
  }
});

test('encrypt-and-MAC opener: open() must follow packetLength() for the same packet', () => {
  const keys = makeKeys();
  const s = createSealer('aes128-ctr', 'hmac-sha2-256', keys);
  const o = createOpener('aes128-ctr', 'hmac-sha2-256', keys);
  assert.equal(o.headerSize, 16);
  const wire = s.seal(0, frame(randomBytes(40), s));
  assert.throws(() => o.open(0, wire), RangeError);
  // Asking twice for the same header does not advance the keystream.
  const len = o.packetLength(0, wire.subarray(0, 16));
  assert.equal(o.packetLength(0, wire.subarray(0, 16)), len);
  assert.equal(o.open(0, wire).length, len);
});

for (const cipher of supportedCiphers().filter((c) => c.includes('gcm'))) {
  test(`${cipher}: sealParts gives seal()'s bytes in pieces, on both backends`, () => {
    for (const backend of ['node', 'noble'] as const) {
      const keys = makeKeys();
      const whole = createSealer(cipher, null, keys, backend);
      const pieces = createSealer(cipher, null, keys, backend);
      const o = createOpener(cipher, null, keys, backend);
      assert.ok(pieces.sealParts, 'AES-GCM has sealParts');
      for (const [seq, size] of [
        [7, 0],
        [8, 100],
        [9, 32768],
      ] as const) {
        const p = frame(randomBytes(size), whole);
        const sealed = whole.seal(seq, p);
        const parts: Uint8Array[] = pieces.sealParts(seq, p);
        // the pieces are the sealer's own: changing the packet afterwards changes none of them
        p.fill(0xa5);
        const joined = new Uint8Array(Buffer.concat(parts));
        assert.deepEqual(joined, sealed, `${backend} size ${size}`);
        assert.equal(openWire(o, seq, joined).length, sealed.length - 4 - o.overhead);
      }
    }
  });
}
