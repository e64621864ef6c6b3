/**
 * The SFTP foundation: ATTRS encoding both ways (draft-ietf-secsh-filexfer-02 §5), packet
 * framing with its length limit, and the status → error class mapping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SshReader } from '../../../core/wire/reader.js';
import { SshWriter } from '../../../core/wire/writer.js';
import {
  decodeAttrs,
  writeAttrs,
  readAttrs,
  type FileAttributes,
} from '../../../core/sftp/attrs.js';
import { PacketDecoder, encodePacket } from '../../../core/sftp/packets.js';
import {
  SftpEofError,
  SftpError,
  SftpFailureError,
  SftpNoSuchFileError,
  SftpOpUnsupportedError,
  SftpPermissionDeniedError,
  SftpProtocolError,
  sftpErrorFromStatus,
} from '../../../core/sftp/errors.js';
import { ProtocolError } from '../../../core/errors.js';

function attrsBytes(a: FileAttributes): Uint8Array {
  const w = new SshWriter();
  writeAttrs(w, a);
  return w.toBytes();
}

test('ATTRS: flags and fields in the draft order', () => {
  const b = attrsBytes({
    size: 0x1_0000_0002,
    uid: 1000,
    gid: 100,
    permissions: 0o100644,
    atime: 5,
    mtime: 6,
  });
  assert.equal(
    Buffer.from(b).toString('hex'),
    '0000000f' +
      '0000000100000002' +
      '000003e8' +
      '00000064' +
      '000081a4' +
      '00000005' +
      '00000006',
  );
  assert.equal(Buffer.from(attrsBytes({})).toString('hex'), '00000000');
  assert.equal(
    Buffer.from(attrsBytes({ extended: [{ type: 'a@b', data: new Uint8Array([1]) }] })).toString(
      'hex',
    ),
    '80000000' + '00000001' + '00000003' + '614062' + '0000000101',
  );
});

test('ATTRS: what is written reads back the same (property)', () => {
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  fc.assert(
    fc.property(
      fc.record(
        {
          size: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          ids: fc.tuple(u32, u32),
          permissions: u32,
          times: fc.tuple(u32, u32),
        },
        { requiredKeys: [] },
      ),
      (r) => {
        const a: FileAttributes = {
          ...(r.size !== undefined ? { size: r.size } : {}),
          ...(r.ids ? { uid: r.ids[0], gid: r.ids[1] } : {}),
          ...(r.permissions !== undefined ? { permissions: r.permissions } : {}),
          ...(r.times ? { atime: r.times[0], mtime: r.times[1] } : {}),
        };
        assert.deepEqual(decodeAttrs(attrsBytes(a)), a);
      },
    ),
  );
});

test('ATTRS: half a pair, a size past 2^53, lying extended counts are refused', () => {
  assert.throws(() => attrsBytes({ uid: 1 }), RangeError);
  assert.throws(() => attrsBytes({ mtime: 1 }), RangeError);
  const big = new SshWriter()
    .writeUint32(1)
    .writeUint64(1n << 60n)
    .toBytes();
  assert.throws(() => decodeAttrs(big), SftpProtocolError);
  const lying = new SshWriter().writeUint32(0x80000000).writeUint32(0xffffffff).toBytes();
  assert.throws(() => decodeAttrs(lying), SftpProtocolError);
  const truncated = new SshWriter().writeUint32(1).writeUint32(0).toBytes();
  assert.throws(() => readAttrs(new SshReader(truncated)), ProtocolError);
});

test('packets: whole, split at every byte, and several in one chunk', () => {
  const p1 = encodePacket(101, (w) =>
    w.writeUint32(7).writeUint32(0).writeString('ok').writeString(''),
  );
  const p2 = encodePacket(103, (w) => w.writeUint32(8).writeString(new Uint8Array(1000).fill(9)));
  assert.equal(new DataView(p1.buffer).getUint32(0), p1.length - 4);
  const all = Buffer.concat([p1, p2]);
  for (let cut = 0; cut <= all.length; cut++) {
    const d = new PacketDecoder();
    const got = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
    assert.deepEqual(
      got.map((g) => g.type),
      [101, 103],
    );
    assert.deepEqual(Buffer.from(got[1]!.body.subarray(8)), Buffer.alloc(1000, 9));
    assert.equal(d.pending, 0);
  }
  const d = new PacketDecoder();
  for (const byte of all) d.push(Uint8Array.of(byte));
  assert.equal(d.pending, 0);
});

test('packets: a length of 0 or over the limit is an error before any allocation', () => {
  assert.throws(() => new PacketDecoder().push(Uint8Array.of(0, 0, 0, 0)), SftpProtocolError);
  assert.throws(() => new PacketDecoder().push(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), /exceeds/);
  assert.throws(() => new PacketDecoder(100).push(Uint8Array.of(0, 0, 0, 101)), /exceeds/);
  assert.deepEqual(new PacketDecoder(100).push(Uint8Array.of(0, 0, 0, 100)), []);
});

test('status codes map to their error classes with request and path in the message', () => {
  const cases: [number, typeof SftpError, string][] = [
    [1, SftpEofError, 'SFTP_EOF'],
    [2, SftpNoSuchFileError, 'SFTP_NO_SUCH_FILE'],
    [3, SftpPermissionDeniedError, 'SFTP_PERMISSION_DENIED'],
    [4, SftpFailureError, 'SFTP_FAILURE'],
    [8, SftpOpUnsupportedError, 'SFTP_OP_UNSUPPORTED'],
  ];
  for (const [status, Class, code] of cases) {
    const e = sftpErrorFromStatus(status, '', { request: 'open', path: '/x' });
    assert.ok(e instanceof Class);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
  }
  const e = sftpErrorFromStatus(2, 'No such file', { request: 'stat', path: '/nope' });
  assert.equal(e.message, 'stat /nope: No such file');
  assert.equal(e.details['path'], '/nope');
  assert.equal(sftpErrorFromStatus(3, '').message, 'permission denied');
  const unknown = sftpErrorFromStatus(31, '');
  assert.equal(unknown.constructor, SftpError);
  assert.equal(unknown.status, 31);
});
