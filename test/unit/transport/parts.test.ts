/**
 * The transport's parts on their own: version lines, algorithm specs, KEXINIT negotiation,
 * EXT_INFO, packet framing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VersionParser } from '../../../core/transport/version.js';
import { applyAlgorithmSpec } from '../../../core/transport/algorithm-list.js';
import { decodeKexInit, encodeKexInit, negotiate } from '../../../core/transport/kexinit.js';
import { kexInitLists } from '../../support/kexinit-lists.js';
import { decodeExtInfo, encodeExtInfo, serverSigAlgs } from '../../../core/transport/ext-info.js';
import { PacketReader, PacketWriter } from '../../../core/transport/packet-codec.js';
import { resolveAlgorithms } from '../../../core/transport/algorithms.js';
import { SshWriter } from '../../../core/wire/writer.js';
import { Msg } from '../../../core/wire/messages.js';
import {
  AlgorithmNegotiationError,
  ConfigError,
  ProtocolError,
  VersionError,
} from '../../../core/errors.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

test('version: banner lines before the identification line are kept; CRLF or LF', () => {
  const p = new VersionParser(true);
  assert.deepEqual(p.push(bytes('Hello\r\nsecond line\nSSH-2.0-Open')), { done: false });
  const r = p.push(bytes('SSH_9.2 Debian\r\n\x00\x00\x00\x0c'));
  assert.ok(r.done);
  assert.equal(r.version, 'SSH-2.0-OpenSSH_9.2 Debian');
  assert.deepEqual(r.banner, ['Hello', 'second line']);
  assert.deepEqual([...r.rest], [0, 0, 0, 12]);
});

test('version: 1.99 is accepted, 1.5 and junk are not; a client peer may not send banners', () => {
  assert.ok(new VersionParser(true).push(bytes('SSH-1.99-x\r\n')).done);
  assert.throws(() => new VersionParser(true).push(bytes('SSH-1.5-x\r\n')), VersionError);
  assert.throws(() => new VersionParser(true).push(bytes('SSH-2.0\r\n')), /malformed/);
  assert.throws(() => new VersionParser(false).push(bytes('hello\r\n')), /did not start/);
  assert.throws(
    () => new VersionParser(true).push(bytes('SSH-2.0-' + 'x'.repeat(260) + '\r\n')),
    /longer than 255/,
  );
});

test('version: arbitrary chunking gives the same result', () => {
  const input = bytes('banner 1\r\nbanner 2\r\nSSH-2.0-Peer_1.0 comment\r\nREST');
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: input.length }), { maxLength: 6 }), (cuts) => {
      const p = new VersionParser(true);
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      let last = 0;
      let result;
      for (const c of [...points, input.length]) {
        const r = p.push(input.slice(last, c));
        last = c;
        if (r.done) {
          result = r;
          // bytes after the line arrive as rest (the rest of this chunk only)
          break;
        }
      }
      assert.ok(result?.done);
      assert.equal(result.version, 'SSH-2.0-Peer_1.0 comment');
      assert.deepEqual(result.banner, ['banner 1', 'banner 2']);
    }),
  );
});

test('algorithm specs: replace, +, -, ^ and wildcards, as ssh_config(5)', () => {
  const supported = ['a', 'b', 'c', 'd-1', 'd-2'];
  const defaults = ['a', 'b', 'c'];
  assert.deepEqual(applyAlgorithmSpec('x', defaults, supported, undefined), ['a', 'b', 'c']);
  assert.deepEqual(applyAlgorithmSpec('x', defaults, supported, 'c,a'), ['c', 'a']);
  assert.deepEqual(applyAlgorithmSpec('x', defaults, supported, '+d-*'), [
    'a',
    'b',
    'c',
    'd-1',
    'd-2',
  ]);
  assert.deepEqual(applyAlgorithmSpec('x', defaults, supported, '-b'), ['a', 'c']);
  assert.deepEqual(applyAlgorithmSpec('x', defaults, supported, '^c,d-2'), ['c', 'd-2', 'a', 'b']);
  assert.throws(() => applyAlgorithmSpec('x', defaults, supported, 'nope'), ConfigError);
  assert.throws(() => applyAlgorithmSpec('x', defaults, supported, '-*'), /leaves no algorithm/);
});

test('resolveAlgorithms: ssh-rsa only when asked for; unknown ciphers are refused', () => {
  assert.ok(!resolveAlgorithms().hostKey.includes('ssh-rsa'));
  assert.ok(resolveAlgorithms({ hostKey: '+ssh-rsa' }).hostKey.includes('ssh-rsa'));
  assert.throws(
    () => resolveAlgorithms({ ciphers: '3des-cbc' }),
    /unsupported cipher algorithm "3des-cbc"/,
  );
  const d = resolveAlgorithms();
  assert.equal(d.kex[0], 'mlkem768x25519-sha256');
  assert.deepEqual(d.compression, ['none']);
});

const lists = kexInitLists;

test('KEXINIT round-trips and rejects trailing bytes', () => {
  const l = lists({ kex: ['a', 'b', 'kex-strict-c-v00@openssh.com'], firstKexPacketFollows: true });
  assert.deepEqual(decodeKexInit(encodeKexInit(l)), l);
  const extra = new Uint8Array([...encodeKexInit(l), 0]);
  assert.throws(() => decodeKexInit(extra), ProtocolError);
});

test('negotiation: client order wins, pseudo-algorithms are never chosen, AEAD needs no MAC', () => {
  const client = lists({
    kex: ['ext-info-c', 'kex-strict-c-v00@openssh.com', 'x', 'curve25519-sha256'],
    cipherCtoS: ['aes256-gcm@openssh.com', 'aes128-ctr'],
    macCtoS: ['hmac-sha2-512'],
  });
  const server = lists({
    kex: ['curve25519-sha256', 'x', 'kex-strict-s-v00@openssh.com'],
    cipherCtoS: ['aes128-ctr', 'aes256-gcm@openssh.com'],
  });
  const n = negotiate(client, server, (c) => c.includes('gcm'));
  assert.equal(n.kex, 'x');
  assert.equal(n.cipherCtoS, 'aes256-gcm@openssh.com');
  assert.equal(n.macCtoS, null);
  assert.equal(n.macStoC, 'hmac-sha2-256');
  const err = (() => {
    try {
      negotiate(lists({ kex: ['ext-info-c'] }), lists({ kex: ['ext-info-c'] }), () => false);
    } catch (e) {
      return e;
    }
    return null;
  })();
  assert.ok(err instanceof AlgorithmNegotiationError);
  assert.equal(err.category, 'kex');
});

test('EXT_INFO: parsed defensively', () => {
  const ok = encodeExtInfo(
    new Map([
      ['server-sig-algs', 'ssh-ed25519,rsa-sha2-512'],
      ['x', 'y'],
    ]),
  );
  const ext = decodeExtInfo(ok);
  assert.deepEqual(serverSigAlgs(ext), ['ssh-ed25519', 'rsa-sha2-512']);
  const huge = new SshWriter().writeByte(Msg.EXT_INFO).writeUint32(1_000_000).toBytes();
  assert.throws(() => decodeExtInfo(huge), /announces 1000000 extensions/);
  const truncated = new SshWriter()
    .writeByte(Msg.EXT_INFO)
    .writeUint32(2)
    .writeString('a')
    .toBytes();
  assert.throws(() => decodeExtInfo(truncated), ProtocolError);
  assert.deepEqual(serverSigAlgs(new Map([['server-sig-algs', new Uint8Array([0x20, 0x01])]])), []);
});

test('packets: frames are padded to the block size and read back across any chunking', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 600 }), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 1, max: 97 }),
      (payloads, chunk) => {
        const w = new PacketWriter();
        const wire = payloads.map((p) => w.encode(p));
        for (const f of wire) assert.equal(f.length % 8, 0);
        const all = Buffer.concat(wire);
        const r = new PacketReader();
        const got: Uint8Array[] = [];
        for (let i = 0; i < all.length; i += chunk) {
          r.push(new Uint8Array(all.subarray(i, i + chunk)));
          for (let p = r.next(); p; p = r.next()) got.push(p.payload.slice());
        }
        assert.deepEqual(got, payloads);
        assert.equal(r.seq, payloads.length);
      },
    ),
  );
});

test('packets: payload and tail parts frame as one payload; the writer reuses no wire bytes', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.uint8Array({ minLength: 1, maxLength: 300 }),
          fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 3 }),
        ),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
      fc.boolean(),
      (pairs, parts) => {
        const w = new PacketWriter();
        const wire = pairs.flatMap(([head, tail]) =>
          parts ? w.encodeParts(head, tail) : [w.encode(head, tail)],
        );
        // every frame is still whole after later ones were built in the writer's scratch
        const r = new PacketReader();
        r.push(new Uint8Array(Buffer.concat(wire)));
        const got: Uint8Array[] = [];
        for (let p = r.next(); p; p = r.next()) got.push(p.payload.slice());
        assert.deepEqual(
          got,
          pairs.map(([head, tail]) => new Uint8Array(Buffer.concat([head, ...tail]))),
        );
      },
    ),
  );
});

test('packets: lengths past the limit, too small, misaligned, or with bad padding are refused', () => {
  const read = (hex: string) => {
    const r = new PacketReader();
    r.push(new Uint8Array(Buffer.from(hex, 'hex')));
    return r.next();
  };
  assert.throws(() => read('00040001' + '00'.repeat(8)), /exceeds the limit/);
  assert.throws(() => read('00000004' + '00'.repeat(8)), /too small/);
  assert.throws(() => read('0000000d' + '00'.repeat(16)), /multiple of the cipher block size/);
  assert.throws(() => read('0000000c' + '02' + '00'.repeat(11)), /bad padding length 2/);
  assert.throws(() => read('0000000c' + '0b' + '00'.repeat(11)), /bad padding length 11/);
  assert.equal(read('0000000c0a'), null); // incomplete: waits
});
