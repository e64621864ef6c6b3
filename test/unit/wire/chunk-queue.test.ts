/** ChunkQueue: bytes taken in order whatever the chunking; views when one chunk holds them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkQueue } from '../../../core/wire/chunk-queue.js';

test('take and peek return the stream in order for any chunking and any take sizes', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
      (chunks, sizes) => {
        const q = new ChunkQueue();
        for (const c of chunks) q.push(c);
        const all = Buffer.concat(chunks);
        assert.equal(q.length, all.length);
        let at = 0;
        for (const want of sizes) {
          const n = Math.min(want, q.length);
          if (n === 0) break;
          assert.deepEqual(Buffer.from(q.peek(n)), all.subarray(at, at + n));
          assert.deepEqual(Buffer.from(q.take(n)), all.subarray(at, at + n));
          at += n;
          assert.equal(q.length, all.length - at);
        }
      },
    ),
  );
});

test('bytes inside one chunk come back as a view of it, not a copy', () => {
  const q = new ChunkQueue();
  const chunk = new Uint8Array([1, 2, 3, 4, 5, 6]);
  q.push(chunk);
  q.push(new Uint8Array(0));
  const v = q.take(4);
  assert.equal(v.buffer, chunk.buffer);
  q.push(new Uint8Array([7, 8]));
  const straddling = q.take(3);
  assert.notEqual(straddling.buffer, chunk.buffer);
  assert.deepEqual([...straddling], [5, 6, 7]);
  assert.equal(q.length, 1);
});

test('straddling bytes are joined in a scratch buffer when one big enough is given', () => {
  const q = new ChunkQueue();
  q.push(new Uint8Array([1, 2, 3]));
  q.push(new Uint8Array([4, 5, 6]));
  const scratch = new Uint8Array(8);
  const joined = q.take(4, scratch);
  assert.equal(joined.buffer, scratch.buffer);
  assert.deepEqual([...joined], [1, 2, 3, 4]);
  // too small a scratch: a new buffer, the scratch untouched
  q.push(new Uint8Array([7, 8, 9]));
  const small = new Uint8Array(2);
  const own = q.take(4, small);
  assert.notEqual(own.buffer, small.buffer);
  assert.deepEqual([...own], [5, 6, 7, 8]);
  assert.deepEqual([...small], [0, 0]);
});

test('own() copies what is held, so the chunks it came in can be reused', () => {
  const q = new ChunkQueue();
  const a = new Uint8Array([1, 2, 3]);
  const b = new Uint8Array([4, 5]);
  q.push(a);
  q.push(b);
  q.take(2);
  q.own();
  a.fill(0);
  b.fill(0);
  assert.equal(q.length, 3);
  assert.deepEqual([...q.take(3)], [3, 4, 5]);
  q.own(); // nothing held: nothing to do
  assert.equal(q.length, 0);
});

test('takeParts returns the stream in order as views of the chunks, for any chunking', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }),
      fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
      (chunks, sizes, asParts) => {
        const q = new ChunkQueue();
        for (const c of chunks) q.push(c);
        const all = Buffer.concat(chunks);
        const buffers = new Set<ArrayBufferLike>(chunks.map((c) => c.buffer));
        let at = 0;
        sizes.forEach((want, i) => {
          const n = Math.min(want, q.length);
          if (asParts[i] === true) {
            const parts = q.takeParts(n);
            for (const p of parts) {
              assert.ok(p.length > 0, 'no empty parts');
              assert.ok(buffers.has(p.buffer), 'a view of a pushed chunk, not a copy');
            }
            assert.deepEqual(Buffer.concat(parts), all.subarray(at, at + n));
          } else if (n > 0) {
            assert.deepEqual(Buffer.from(q.take(n)), all.subarray(at, at + n));
          }
          at += n;
          assert.equal(q.length, all.length - at);
        });
      },
    ),
  );
});
