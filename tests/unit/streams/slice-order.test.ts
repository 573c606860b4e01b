import { describe, expect, it } from '@jest/globals';
import { SliceOrder } from '../../../engine/streams/slice-order.js';

const records = (label: string) => [{ label }];

/** An order of slices ending at `ends`, in order. */
function orderOf(ends: number[]): SliceOrder {
  const order = new SliceOrder();
  for (const end of ends) order.add(end);
  return order;
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
});
