// Terminal output flow control and batching (core/service/terminals): the watermarks pause
// and resume the source, and the batcher hands on bytes in order, by size or by timer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLOW_HIGH_WATERMARK, FLOW_LOW_WATERMARK } from '../../../core/service/api/contract.js';
import { DataBatcher } from '../../../core/service/terminals/batcher.js';
import { FlowController } from '../../../core/service/terminals/flow-control.js';

test('pauses above the high watermark, resumes only below the low one', () => {
  const log: string[] = [];
  const f = new FlowController(
    () => log.push('pause'),
    () => log.push('resume'),
  );
  f.sent(FLOW_HIGH_WATERMARK);
  assert.deepEqual(log, []);
  f.sent(1);
  assert.deepEqual(log, ['pause']);
  assert.equal(f.paused, true);
  f.sent(50_000); // data already in flight: counted, no second pause
  f.ack(FLOW_HIGH_WATERMARK + 50_001 - FLOW_LOW_WATERMARK);
  assert.deepEqual(log, ['pause'], 'at the low watermark it stays paused');
  f.ack(1);
  assert.deepEqual(log, ['pause', 'resume']);
  assert.equal(f.unacknowledged, FLOW_LOW_WATERMARK - 1);
});

test('acknowledging more than was sent clamps at zero', () => {
  const f = new FlowController(
    () => {},
    () => {},
  );
  f.sent(10);
  f.ack(1_000_000);
  assert.equal(f.unacknowledged, 0);
  assert.throws(
    () =>
      new FlowController(
        () => {},
        () => {},
        10,
        10,
      ),
    RangeError,
  );
});

test('the batcher flushes at its byte limit at once, in order', () => {
  const out: number[][] = [];
  const b = new DataBatcher((d) => out.push([...d]), 1_000_000, 4);
  b.push(Uint8Array.from([1, 2]));
  assert.deepEqual(out, []);
  b.push(Uint8Array.from([3, 4, 5]));
  assert.deepEqual(out, [[1, 2, 3, 4, 5]]);
  b.push(Uint8Array.from([6]));
  b.flush();
  b.flush();
  assert.deepEqual(out, [[1, 2, 3, 4, 5], [6]]);
  b.dispose();
});

test('the batcher flushes small output on its timer', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const out: number[][] = [];
  const b = new DataBatcher((d) => out.push([...d]), 16, 1024);
  b.push(Uint8Array.from([7]));
  b.push(Uint8Array.from([8]));
  t.mock.timers.tick(15);
  assert.deepEqual(out, []);
  t.mock.timers.tick(1);
  assert.deepEqual(out, [[7, 8]]);
  b.push(Uint8Array.from([9]));
  b.dispose();
  t.mock.timers.tick(100);
  assert.deepEqual(out, [[7, 8]], 'disposed: nothing more');
});
