/**
 * DATA replies without the gather: PacketDecoder's dataAsParts hands a DATA packet's data over
 * as views of the chunks it arrived in, whatever the chunking (property tests), and the client
 * carries them through readParts() unjoined while read() still answers one buffer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PacketType, StatusCode } from '../../../core/sftp/constants.js';
import { PacketDecoder, encodePacket, type SftpPacket } from '../../../core/sftp/packets.js';
import { SftpHandle } from '../../../core/sftp/client.js';
import { startedClient } from './fake-sftp-server.js';

type Sent = { type: 'data'; id: number; data: Uint8Array } | { type: 'status'; id: number };

const sentArb = fc.array(
  fc.oneof(
    fc.record({
      type: fc.constant('data' as const),
      id: fc.nat(),
      data: fc.uint8Array({ maxLength: 300 }),
    }),
    fc.record({ type: fc.constant('status' as const), id: fc.nat() }),
  ),
  { minLength: 1, maxLength: 8 },
);

function encode(s: Sent): Uint8Array {
  return s.type === 'data'
    ? encodePacket(PacketType.DATA, (w) => w.writeUint32(s.id).writeString(s.data))
    : encodePacket(PacketType.STATUS, (w) =>
        w.writeUint32(s.id).writeUint32(StatusCode.EOF).writeString('').writeString(''),
      );
}

/** `bytes` cut at the given points (sorted, deduplicated), as separate buffers. */
function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...at, bytes.length]) {
    if (p > from) out.push(Uint8Array.from(bytes.subarray(from, p)));
    from = p;
  }
  return out;
}

test('dataAsParts: DATA data arrives as views of the received chunks, for every chunking', () => {
  fc.assert(
    fc.property(sentArb, fc.array(fc.nat(), { maxLength: 40 }), (sent, points) => {
      const chunks = cut(Buffer.concat(sent.map(encode)), points);
      const received = new Set<ArrayBufferLike>(chunks.map((c) => c.buffer));
      const d = new PacketDecoder(undefined, { dataAsParts: true });
      const got: SftpPacket[] = [];
      for (const c of chunks) got.push(...d.push(c));
      assert.equal(d.pending, 0);
      assert.equal(got.length, sent.length);
      sent.forEach((s, i) => {
        const p = got[i] as SftpPacket;
        if (s.type === 'status') {
          assert.equal(p.type, PacketType.STATUS);
          assert.equal(p.parts, undefined);
          assert.equal(Buffer.from(p.body).readUint32BE(0), s.id);
          return;
        }
        assert.equal(p.type, PacketType.DATA);
        // the head: request id and the data's length; the data itself in parts
        assert.equal(p.body.length, 8);
        assert.equal(Buffer.from(p.body).readUint32BE(0), s.id);
        assert.equal(Buffer.from(p.body).readUint32BE(4), s.data.length);
        const parts = p.parts ?? assert.fail('DATA without parts');
        for (const part of parts) {
          assert.ok(part.length > 0, 'no empty parts');
          assert.ok(received.has(part.buffer), 'a view of a received chunk, not a copy');
        }
        assert.deepEqual(Buffer.concat(parts), Buffer.from(s.data));
      });
    }),
  );
});

test('without dataAsParts a DATA packet is one body, as the server side reads packets', () => {
  fc.assert(
    fc.property(sentArb, fc.array(fc.nat(), { maxLength: 20 }), (sent, points) => {
      const d = new PacketDecoder();
      const got: SftpPacket[] = [];
      for (const c of cut(Buffer.concat(sent.map(encode)), points)) got.push(...d.push(c));
      assert.deepEqual(
        got.map((p) => [p.type, p.parts, Buffer.from(p.body)]),
        sent.map((s) => [
          s.type === 'data' ? PacketType.DATA : PacketType.STATUS,
          undefined,
          Buffer.from(encode(s).subarray(5)),
        ]),
      );
    }),
  );
});

test('readParts hands the data over unjoined and read() joins it, for every chunking', async () => {
  const H = new SftpHandle(Buffer.from('h'), '/f');
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 2000 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      async (data, points) => {
        const { fake, client } = await startedClient();
        for (const how of ['readParts', 'read'] as const) {
          const p = how === 'read' ? client.read(H, 0, 4000) : client.readParts(H, 0, 4000);
          const r = await fake.next();
          const reply = encodePacket(PacketType.DATA, (w) => w.writeUint32(r.id).writeString(data));
          for (const c of cut(reply, points)) fake.send(c);
          const got = await p;
          if (how === 'read') {
            assert.ok(got instanceof Uint8Array);
            assert.deepEqual(Buffer.from(got), Buffer.from(data));
          } else {
            assert.ok(Array.isArray(got));
            assert.deepEqual(Buffer.concat(got), Buffer.from(data));
          }
        }
        // EOF is null on both paths
        const eof = client.readParts(H, 0, 10);
        fake.status((await fake.next()).id, StatusCode.EOF);
        assert.equal(await eof, null);
        client.end();
      },
    ),
    { numRuns: 40 },
  );
});
