import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SshReader } from '../../../core/wire/reader.js';
import { SshWriter } from '../../../core/wire/writer.js';
import { ProtocolError } from '../../../core/errors.js';
import { fromHex, toHex } from '../../../core/wire/bytes.js';

// RFC 4251 §5 mpint examples.
const mpintVectors: [bigint, string][] = [
  [0n, '00000000'],
  [0x9a378f9b2e332a7n, '0000000809a378f9b2e332a7'],
  [0x80n, '000000020080'],
  [-0x1234n, '00000002edcc'],
  [-0xdeadbeefn, '00000005ff21524111'],
];

test('mpint encodes and decodes the RFC 4251 §5 examples', () => {
  for (const [v, hex] of mpintVectors) {
    const w = new SshWriter().writeMpint(v);
    assert.equal(toHex(w.toBytes()), hex, `encode ${v}`);
    const r = new SshReader(fromHex(hex));
    assert.equal(r.readMpint(), v, `decode ${hex}`);
    r.expectEnd();
  }
});

test('mpint round-trips any bigint', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(1n << 600n), max: 1n << 600n }), (v) => {
      const r = new SshReader(new SshWriter().writeMpint(v).toBytes());
      assert.equal(r.readMpint(), v);
      r.expectEnd();
    }),
  );
});

test('non-minimal mpints are rejected', () => {
  assert.throws(() => new SshReader(fromHex('000000020012')).readMpint(), ProtocolError);
  assert.throws(() => new SshReader(fromHex('00000002ff80')).readMpint(), ProtocolError);
  assert.throws(() => new SshReader(fromHex('00000002ff80')).readMpintBytes(), ProtocolError);
  assert.throws(() => new SshReader(fromHex('0000000180')).readMpintBytes(), ProtocolError);
});

test('mpint bytes round-trip unsigned magnitudes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (mag) => {
      const r = new SshReader(new SshWriter().writeMpintBytes(mag).toBytes());
      const back = r.readMpintBytes();
      let i = 0;
      while (i < mag.length && mag[i] === 0) i++;
      assert.deepEqual(back, mag.subarray(i));
    }),
  );
});

test('every data type round-trips', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.uint8Array({ maxLength: 300 }),
      fc.string(),
      fc.array(fc.stringMatching(/^[a-z0-9@.-]{1,20}$/), { maxLength: 8 }),
      (b, bool, u32, u64, bytes, text, names) => {
        const w = new SshWriter(1)
          .writeByte(b)
          .writeBoolean(bool)
          .writeUint32(u32)
          .writeUint64(u64)
          .writeString(bytes)
          .writeString(text)
          .writeNameList(names);
        const r = new SshReader(w.toBytes());
        assert.equal(r.readByte(), b);
        assert.equal(r.readBoolean(), bool);
        assert.equal(r.readUint32(), u32);
        assert.equal(r.readUint64(), u64);
        assert.deepEqual(r.readString(), bytes);
        assert.equal(r.readUtf8(), text);
        assert.deepEqual(r.readNameList(), names);
        r.expectEnd();
      },
    ),
  );
});

test('reads past the end throw ProtocolError, never RangeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
      const ops: ((r: SshReader) => unknown)[] = [
        (r) => r.readUint32(),
        (r) => r.readUint64(),
        (r) => r.readString(),
        (r) => r.readMpint(),
        (r) => r.readNameList(),
        (r) => r.readBytes(13),
      ];
      for (const op of ops) {
        try {
          op(new SshReader(bytes));
        } catch (e) {
          assert.ok(e instanceof ProtocolError, `got ${String(e)}`);
        }
      }
    }),
  );
});

test('a huge declared string length fails without allocating', () => {
  const r = new SshReader(fromHex('ffffffff00'));
  assert.throws(() => r.readString(), /truncated/);
});

test('expectEnd rejects trailing bytes and name-lists reject empty names', () => {
  const r = new SshReader(fromHex('0102'));
  r.readByte();
  assert.throws(() => r.expectEnd(), ProtocolError);
  assert.throws(() => new SshReader(new SshWriter().writeString('a,,b').toBytes()).readNameList());
  assert.throws(() => new SshReader(new SshWriter().writeString('a\u0001').toBytes()).readAscii());
});
