import { describe, expect, it } from '@jest/globals';
import { WindowProgress } from '../../../../engine/streams/window-progress.js';

const records = (label: string) => [{ label }];

describe('WindowProgress', () => {
  it('releases windows in order, however they complete', () => {
    const progress = new WindowProgress([10, 20, 30, 40]);
    expect(progress.complete(2, records('c'))).toEqual([]);
    expect(progress.complete(1, records('b'))).toEqual([]);
    expect(progress.complete(0, records('a'))).toEqual([
      { records: records('a'), end: 10 },
      { records: records('b'), end: 20 },
      { records: records('c'), end: 30 },
    ]);
    expect(progress.complete(3, records('d'))).toEqual([{ records: records('d'), end: 40 }]);
  });

  it('after a failed window, still releases the windows before it and drops those after it', () => {
    const progress = new WindowProgress([10, 20, 30, 40]);
    expect(progress.complete(3, records('d'))).toEqual([]);
    progress.failed(2);
    expect(progress.worthReading(1)).toBe(true);
    expect(progress.worthReading(3)).toBe(false);
    expect(progress.complete(1, records('b'))).toEqual([]);
    expect(progress.complete(0, records('a'))).toEqual([
      { records: records('a'), end: 10 },
      { records: records('b'), end: 20 },
    ]);
    // A window after the failure that completes late is never released.
    expect(progress.complete(3, records('d'))).toEqual([]);
  });
});
