import { describe, expect, it } from '@jest/globals';
import { SliceOrder } from '../../../../engine/streams/slice-order.js';

const records = (label: string) => [{ label }];

/** An order of slices ending at `ends`, in order, `bound` of them started at most (by default all). */
function orderOf(ends: number[], bound = ends.length): SliceOrder {
  const order = new SliceOrder(bound);
  for (const end of ends) order.add(end);
  return order;
}

/** Whether a slice may start once pending callbacks have run: at once (no promise), or when its turn came. */
async function started(turn: Promise<void> | undefined): Promise<boolean> {
  if (!turn) return true;
  let came = false;
  void turn.then(() => (came = true));
  await new Promise((resolve) => setImmediate(resolve));
  return came;
}

describe('SliceOrder', () => {
  it('releases slices in order, however they complete', () => {
    const order = orderOf([10, 20, 30, 40]);
    expect(order.complete(2, records('c'))).toEqual([]);
    expect(order.complete(1, records('b'))).toEqual([]);
    expect(order.complete(0, records('a'))).toEqual([
      { records: records('a'), end: 10 },
      { records: records('b'), end: 20 },
      { records: records('c'), end: 30 },
    ]);
    expect(order.complete(3, records('d'))).toEqual([{ records: records('d'), end: 40 }]);
  });

  it('after a failed slice, still releases the slices before it and drops those after it', () => {
    const order = orderOf([10, 20, 30, 40]);
    expect(order.complete(3, records('d'))).toEqual([]);
    order.failed(2);
    expect(order.worthReading(1)).toBe(true);
    expect(order.worthReading(3)).toBe(false);
    expect(order.complete(1, records('b'))).toEqual([]);
    expect(order.complete(0, records('a'))).toEqual([
      { records: records('a'), end: 10 },
      { records: records('b'), end: 20 },
    ]);
    // A slice after the failure that completes late is never released.
    expect(order.complete(3, records('d'))).toEqual([]);
  });

  it('starts a slice only once the slices `bound` before it were emitted, not merely completed', async () => {
    const order = orderOf([10, 20, 30, 40], 2);
    expect(await started(order.turn(0))).toBe(true);
    expect(await started(order.turn(1))).toBe(true);
    const third = order.turn(2);
    const fourth = order.turn(3);
    expect(order.complete(1, records('b'))).toEqual([]);
    expect(order.complete(0, records('a'))).toHaveLength(2);
    expect(await started(third)).toBe(false);
    order.emitted();
    expect(await started(third)).toBe(true);
    expect(await started(fourth)).toBe(false);
    order.emitted();
    expect(await started(fourth)).toBe(true);
  });

  it('after a failed slice, lets the slices waiting behind it go, and does not hold those that come later', async () => {
    const order = orderOf([10, 20, 30, 40, 50], 2);
    const third = order.turn(2);
    order.failed(1);
    expect(await started(third)).toBe(true);
    expect(order.worthReading(2)).toBe(false);
    expect(await started(order.turn(4))).toBe(true);
  });
});
