// The connector's time-bound cursor (definitions.time_bound_cursor of manifest.yaml), compiled and asked for its
// windows at a fixed time: the engine's DatetimeBasedCursor is tested on its own in tests/engine/unit/streams/.
import { describe, it, expect } from '@jest/globals';
import { FakeClock, TEST_NOW, testRuntime } from '../../helpers/index.js';
import { compileConnector } from '../linkedin.js';

const utc = (year: number, month: number, day: number, hour = 0) => Date.UTC(year, month - 1, day, hour);

describe('the real manifest\'s time-bound cursor, at 2026-11-29T10:00Z', () => {
  const cursor = () => compileConnector(undefined, testRuntime({ clock: new FakeClock(TEST_NOW) }).runtime).streams.find((s) => s.name === 'follower_statistics_time_bound')!.cursor!;

  it('DAY: 12 months back (plus a day) to two days ago, in one request', async () => {
    const c = cursor();
    const slices = c.slices(await c.range({ config: { time_granularity_type: 'DAY', lookback_days: 7 } }), undefined);
    expect(slices).toEqual([{ start: utc(2025, 11, 30), end: utc(2026, 11, 27) }]);
    expect(c.sliceContext(slices[0])).toEqual({ start_time: utc(2025, 11, 30), end_time: utc(2026, 11, 27) });
  });

  it('MONTH: whole months from the first full month in range to the current month, in one request', async () => {
    const c = cursor();
    const slices = c.slices(await c.range({ config: { time_granularity_type: 'MONTH', lookback_days: 7 } }), undefined);
    expect(slices).toEqual([{ start: utc(2025, 12, 1), end: utc(2026, 11, 1) }]);
  });

  it('MONTH with a start_date mid-month starts at that month', async () => {
    const c = cursor();
    const slices = c.slices(await c.range({ config: { time_granularity_type: 'MONTH', start_date: '2026-03-15T00:00:00Z', lookback_days: 7 } }), undefined);
    expect(slices).toEqual([{ start: utc(2026, 3, 1), end: utc(2026, 11, 1) }]);
  });

  it('a start_date older than 12 months is clamped to 12 months back', async () => {
    const c = cursor();
    const window = await c.range({ config: { time_granularity_type: 'DAY', start_date: '2020-01-01T00:00:00Z', lookback_days: 7 } });
    expect(window.start).toBe(utc(2025, 11, 30));
  });

  it('a start_date within range is used as is', async () => {
    const c = cursor();
    const slices = c.slices(await c.range({ config: { start_date: '2026-11-01T00:00:00Z', lookback_days: 7 } }), undefined);
    expect(slices).toEqual([{ start: utc(2026, 11, 1), end: utc(2026, 11, 27) }]);
  });
});
