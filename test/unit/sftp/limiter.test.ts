/**
 * limiter(n): at most n functions running, the rest started in the order they came as places
 * free up, a failure freeing its place like a success; acquire() taking a place directly,
 * its release giving it back once however often it is called; work of several places
 * (weight) counting as that many, the first in line waiting for all of its places and those
 * behind it waiting too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limiter } from '../../../core/sftp/transfer/limiter.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('at most n run at once; the waiting start first come, first served', async () => {
  const limit = limiter(3);
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const gates: (() => void)[] = [];
  const all = Array.from({ length: 10 }, (_, i) =>
    limit(async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await new Promise<void>((r) => gates.push(r));
      running--;
      return i * 2;
    }),
  );
  await tick();
  assert.deepEqual(started, [0, 1, 2]);
  // finish them one at a time, oldest gate first: each finish lets exactly one more start
  for (let done = 0; done < 10; done++) {
    gates.shift()?.();
    await tick();
    await tick();
    assert.equal(started.length, Math.min(10, 3 + done + 1));
  }
  assert.deepEqual(await Promise.all(all), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(most, 3);
});

test('a failure passes to its caller and frees its place', async () => {
  const limit = limiter(1);
  const failed = limit(async () => {
    throw new Error('boom');
  });
  const after = limit(async () => 'ran');
  await assert.rejects(failed, /boom/);
  assert.equal(await after, 'ran');
  // and the place is free again afterwards
  assert.equal(await limit(async () => 7), 7);
});

test('acquire() takes a place; its release gives it back once, to the next in line', async () => {
  const limit = limiter(2);
  const first = await limit.acquire();
  const second = await limit.acquire();
  const order: string[] = [];
  const third = limit.acquire().then((r) => (order.push('third'), r));
  const ran = limit(async () => order.push('work'));
  await tick();
  assert.deepEqual(order, []);
  first();
  first(); // a second call frees nothing more
  await tick();
  assert.deepEqual(order, ['third']);
  second();
  await ran;
  assert.deepEqual(order, ['third', 'work']);
  // 'work' is done and 'third' still holds its place: one left
  const fourth = await limit.acquire();
  let fifth = false;
  void limit.acquire().then(() => (fifth = true));
  await tick();
  assert.equal(fifth, false);
  (await third)();
  await tick();
  assert.equal(fifth, true);
  fourth();
});

test('the limit must be a positive integer', () => {
  for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => limiter(bad), RangeError);
});

test('weights: places add up; the first in line waits for all of its own, and the rest behind it', async () => {
  const limit = limiter(4);
  const big = await limit.acquire(3);
  const order: string[] = [];
  const two = limit.acquire(2).then((r) => (order.push('two'), r));
  // one place is free, but 'one' came after 'two', which needs two: it waits its turn
  const one = limit.acquire(1).then((r) => (order.push('one'), r));
  await tick();
  assert.deepEqual(order, []);
  big();
  await tick();
  assert.deepEqual(order, ['two', 'one']);
  // two + one hold three places: work of two more waits until 'two' gives its back
  let ran = false;
  const more = limit(async () => (ran = true), 2);
  await tick();
  assert.equal(ran, false);
  (await two)();
  await more;
  assert.equal(ran, true);
  (await one)();
  // all four are free again
  (await limit.acquire(4))();
});

test('a weight must be an integer from 1 to the limit', async () => {
  const limit = limiter(4);
  for (const bad of [0, -1, 1.5, 5, NaN]) {
    await assert.rejects(limit.acquire(bad), RangeError);
    await assert.rejects(
      limit(async () => 1, bad),
      RangeError,
    );
  }
  // nothing was taken by the refusals
  (await limit.acquire(4))();
});
