// The contract's wire frames (core/service/api/frames.ts): round trips with bytes anywhere in
// the message, and every malformed frame refused with FrameError, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeClientFrame,
  decodeHostFrame,
  encodeFrame,
  FrameError,
  MAX_ATTACHMENTS,
} from '../../../core/service/api/frames.js';

test('a call with nested bytes round-trips, bytes as Uint8Array', () => {
  const args = {
    a: Uint8Array.from([1, 2, 3]),
    list: [new Uint8Array(0), 'x', { b: Uint8Array.from([255]) }],
  };
  const m = decodeClientFrame(encodeFrame({ type: 'call', id: 7, method: 'writeTerminal', args }));
  assert.deepEqual(m, { type: 'call', id: 7, method: 'writeTerminal', args });
  assert.ok((m.args as { a: unknown }).a instanceof Uint8Array);
});

test('a Node Buffer travels as bytes too, not as its toJSON form', () => {
  const buf = Buffer.from([9, 8, 7]);
  const m = decodeClientFrame(
    encodeFrame({ type: 'call', id: 1, method: 'writeUpload', args: { data: buf, list: [buf] } }),
  );
  const args = m.args as { data: unknown; list: unknown[] };
  assert.ok(args.data instanceof Uint8Array);
  assert.deepEqual([...(args.data as Uint8Array)], [9, 8, 7]);
  assert.ok(args.list[0] instanceof Uint8Array);
});

test('results, errors and events round-trip', () => {
  const event = {
    type: 'event',
    name: 'terminalData',
    payload: { terminalId: 't', data: Uint8Array.from([0x1b, 0x5b]) },
  } as const;
  assert.deepEqual(decodeHostFrame(encodeFrame(event)), event);
  const error = {
    type: 'error',
    id: 3,
    error: { name: 'NotFoundError', code: 'NOT_FOUND', message: 'm', details: { id: 'x' } },
  } as const;
  assert.deepEqual(decodeHostFrame(encodeFrame(error)), error);
  assert.deepEqual(decodeHostFrame(encodeFrame({ type: 'result', id: 0, value: null })), {
    type: 'result',
    id: 0,
    value: null,
  });
});

test('any JSON value with byte arrays round-trips (property)', () => {
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 64 }),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(
        fc.string().filter((k) => k !== '__proto__' && k !== '$bin'),
        tie('node'),
        { maxKeys: 4, noNullPrototype: true },
      ),
    ),
  })).node;
  fc.assert(
    fc.property(value, (args) => {
      assert.deepEqual(
        decodeClientFrame(encodeFrame({ type: 'call', id: 1, method: 'm', args })).args,
        args,
      );
    }),
  );
});

function frame(json: string, blobs: Uint8Array[] = []): Uint8Array {
  const text = new TextEncoder().encode(json);
  const parts = [Buffer.alloc(4), Buffer.from(text)];
  parts[0]?.writeUInt32BE(text.length);
  for (const b of blobs) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, Buffer.from(b));
  }
  return new Uint8Array(Buffer.concat(parts));
}

test('malformed frames are FrameError', () => {
  const bad: [string, Uint8Array][] = [
    ['too short', Uint8Array.from([0, 0])],
    ['JSON length past the end', Uint8Array.from([0, 0, 0, 50, 123])],
    ['attachment length truncated', Uint8Array.from([...frame('{}'), 0, 0])],
    ['attachment past the frame', Uint8Array.from([...frame('{}'), 0, 0, 0, 9, 1])],
    ['not JSON', frame('{nope')],
    ['not UTF-8', Uint8Array.from([0, 0, 0, 2, 0xc3, 0x28])],
    ['reference out of range', frame('{"type":"call","id":1,"method":"m","args":{"$bin":0}}')],
    ['not a call', frame('{"type":"result","id":1}')],
    ['id not an integer', frame('{"type":"call","id":-1,"method":"m"}')],
    ['array', frame('[1]')],
  ];
  for (const [what, f] of bad) assert.throws(() => decodeClientFrame(f), FrameError, what);
  assert.throws(() => decodeHostFrame(frame('{"type":"error","id":1,"error":"x"}')), FrameError);
  assert.throws(() => decodeHostFrame(frame('{"type":"event"}')), FrameError);
  const many = Array.from({ length: MAX_ATTACHMENTS + 1 }, () => new Uint8Array(0));
  assert.throws(
    () => decodeClientFrame(frame('{"type":"call","id":1,"method":"m"}', many)),
    /too many attachments/,
  );
});
