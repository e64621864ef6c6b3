/**
 * TakeMap's behaviour as a map: set, get, take, keys while taking, takeAll. That a taken
 * value is let go of even by the tables V8 leaves behind is a matter of the collector, and is
 * checked where it matters, by test/interop/sftp-client-memory (which fails with 843–906 MiB
 * of packet buffers alive when take() leaves the value in its slot).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TakeMap } from '../../../core/sftp/take-map.js';

test('TakeMap: set, get, has and take', () => {
  const m = new TakeMap<number, string>();
  assert.equal(m.size, 0);
  assert.equal(m.take(1), undefined);
  m.set(1, 'a').set(2, 'b');
  assert.equal(m.size, 2);
  assert.ok(m.has(1));
  assert.equal(m.get(1), 'a');
  assert.equal(m.get(1), 'a', 'get leaves the entry in place');
  assert.equal(m.take(1), 'a');
  assert.equal(m.size, 1);
  assert.ok(!m.has(1));
  assert.equal(m.get(1), undefined);
  assert.equal(m.take(1), undefined, 'taken once only');
  m.set(2, 'c');
  assert.equal(m.size, 1, 'setting a key again replaces its value');
  assert.equal(m.take(2), 'c');
  assert.equal(m.size, 0);
});

test('TakeMap: keys in insertion order, and entries may be taken while iterating', () => {
  const m = new TakeMap<number, { n: number }>();
  for (const k of [5, 1, 9, 3]) m.set(k, { n: k * 10 });
  const taken: number[] = [];
  for (const k of m.keys()) {
    if (k >= 5) taken.push(m.take(k)?.n ?? -1);
  }
  assert.deepEqual(taken, [50, 90]);
  assert.deepEqual([...m.keys()], [1, 3]);
});

test('TakeMap: takeAll returns every value in order and leaves the map empty', () => {
  const m = new TakeMap<string, number>();
  m.set('x', 1).set('y', 2).set('z', 3);
  m.take('y');
  assert.deepEqual(m.takeAll(), [1, 3]);
  assert.equal(m.size, 0);
  assert.deepEqual([...m.keys()], []);
  assert.deepEqual(m.takeAll(), []);
  m.set('x', 4);
  assert.equal(m.get('x'), 4, 'usable again');
});

test('TakeMap: a long churn of ids, as requests come and go, keeps exactly the live ones', () => {
  const m = new TakeMap<number, number>();
  const live = new Set<number>();
  let next = 0;
  for (let round = 0; round < 10_000; round++) {
    m.set(next, next * 2);
    live.add(next);
    next++;
    if (live.size > 64 || round % 3 === 0) {
      const oldest = live.values().next().value as number;
      assert.equal(m.take(oldest), oldest * 2);
      live.delete(oldest);
    }
  }
  assert.equal(m.size, live.size);
  for (const k of live) assert.equal(m.get(k), k * 2);
});
