// Packet MACs: RFC 4231 HMAC-SHA-256/512 vectors through the PacketMac objects on both
// backends, and the MAC registry (RFC 6668 names, OpenSSH PROTOCOL §1.5 -etm names).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { hmacPacketMac } from '../../../core/crypto/mac/hmac-sha2.js';
import { createMac, macInfo, supportedMacs } from '../../../core/crypto/mac/index.js';
import { ConfigError } from '../../../core/errors.js';
import { fromHex, toHex, utf8 } from '../../../core/wire/bytes.js';

// A PacketMac computes HMAC(key, uint32 seq ‖ data). RFC 4231's messages start with four
// ASCII bytes, which serve as the sequence number: "Hi T" = 0x48692054, and so on.
function asSeq(message: Uint8Array): [number, Uint8Array] {
  const seq = new DataView(message.buffer, message.byteOffset).getUint32(0, false);
  return [seq, message.subarray(4)];
}

const rfc4231 = [
  {
    name: 'test case 1',
    key: '0b'.repeat(20),
    data: utf8('Hi There'),
    sha256: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    sha512:
      '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde' +
      'daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
  },
  {
    name: 'test case 2',
    key: toHex(utf8('Jefe')),
    data: utf8('what do ya want for nothing?'),
    sha256: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    sha512:
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554' +
      '9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
  },
  {
    name: 'test case 6',
    key: 'aa'.repeat(131),
    data: utf8('Test Using Larger Than Block-Size Key - Hash Key First'),
    sha256: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    sha512:
      '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352' +
      '6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
  },
];

test('HMAC-SHA-256/512: RFC 4231 test cases 1, 2, 6 on both backends', () => {
  for (const backend of ['node', 'noble'] as const) {
    for (const c of rfc4231) {
      const [seq, rest] = asSeq(c.data);
      for (const hash of ['sha256', 'sha512'] as const) {
        const mac = hmacPacketMac(hash, fromHex(c.key), backend);
        const got = mac.compute(seq, rest);
        assert.equal(toHex(got), c[hash], `${backend} ${hash} ${c.name}`);
        assert.ok(mac.verify(seq, rest, fromHex(c[hash])));
        assert.ok(!mac.verify(seq + 1, rest, fromHex(c[hash])));
        assert.ok(!mac.verify(seq, rest, fromHex(c[hash]).subarray(1)));
      }
    }
  }
});

test('registry MACs: keyed with their fixed key length, equal to HMAC over seq ‖ data', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...supportedMacs()),
      fc.constantFrom('auto', 'node', 'noble' as const),
      fc.uint8Array({ minLength: 64, maxLength: 80 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.uint8Array({ maxLength: 200 }),
      (name, backend, key, seq, data) => {
        const info = macInfo(name);
        assert.ok(info);
        const hash = info.macLength === 32 ? 'sha256' : 'sha512';
        const seqBytes = new Uint8Array(4);
        new DataView(seqBytes.buffer).setUint32(0, seq, false);
        const expected = createHmac(hash, key.subarray(0, info.keyLength))
          .update(seqBytes)
          .update(data)
          .digest();
        const mac = createMac(name, key, backend);
        key.fill(0); // the MAC kept its own copy
        assert.equal(toHex(mac.compute(seq, data)), toHex(expected));
      },
    ),
    { numRuns: 200 },
  );
});

test('MAC registry: names, lengths, etm flags; unknown names and short keys refused', () => {
  assert.deepEqual(supportedMacs(), [
    'hmac-sha2-256-etm@openssh.com',
    'hmac-sha2-512-etm@openssh.com',
    'hmac-sha2-256',
    'hmac-sha2-512',
  ]);
  assert.deepEqual(macInfo('hmac-sha2-256'), {
    name: 'hmac-sha2-256',
    keyLength: 32,
    macLength: 32,
    etm: false,
  });
  assert.deepEqual(macInfo('hmac-sha2-512-etm@openssh.com'), {
    name: 'hmac-sha2-512-etm@openssh.com',
    keyLength: 64,
    macLength: 64,
    etm: true,
  });
  assert.equal(macInfo('hmac-sha1'), undefined);
  assert.equal(macInfo('none'), undefined);
  assert.throws(() => createMac('hmac-md5', new Uint8Array(32)), ConfigError);
  assert.throws(() => createMac('hmac-sha2-512', new Uint8Array(32)), RangeError);
  assert.throws(
    () => createMac('hmac-sha2-256', new Uint8Array(32)).compute(-1, new Uint8Array()),
    RangeError,
  );
  assert.throws(
    () => createMac('hmac-sha2-256', new Uint8Array(32)).compute(2 ** 32, new Uint8Array()),
    RangeError,
  );
});
