import { describe, it, expect } from '@jest/globals';
import { componentRegistry } from '../../../../engine/manifest/registry.js';
import { CompileContext } from '../../../../engine/manifest/compile-context.js';
import type { DatetimeBasedCursorDefinition } from '../../../../engine/format/manifest-types.generated.js';
import { DatetimeCursor, type DateSlice } from '../../../../engine/streams/datetime-cursor.js';
import { DAY_MS, FakeClock, TEST_NOW, compile, lineOf, oneStreamManifest, PROJECT_ROOT, rejection, testRuntime, toYaml } from '../../../helpers/index.js';

const utc = (year: number, month: number, day: number, hour = 0) => Date.UTC(year, month - 1, day, hour);

/** A cursor built directly through a CompileContext, with the schema's defaults filled in by hand. */
function cursorOf(overrides: Partial<DatetimeBasedCursorDefinition>, clock = new FakeClock(TEST_NOW)): DatetimeCursor {
  const definition: DatetimeBasedCursorDefinition = {
    type: 'DatetimeBasedCursor',
    cursor_field: 'period_end',
    cursor_datetime_format: 'epoch_ms',
    start_datetime: utc(2026, 1, 1),
    end_datetime: utc(2026, 3, 1),
    step: 'P30D',
    granularity: 'P1D',
    lookback_window: 'P0D',
    lookback_only_with_new_data: false,
    is_data_feed: false,
    ...overrides,
  };
  const { runtime } = testRuntime({ clock });
  const context = new CompileContext(
    { value: { incremental_sync: definition }, positions: new WeakMap(), file: 'manifest.yaml' },
    runtime,
    PROJECT_ROOT,
    componentRegistry,
  );
  return context.build(definition, ['incremental_sync']);
}

async function slicesOf(overrides: Partial<DatetimeBasedCursorDefinition>, cursor?: number, config: Record<string, unknown> = {}): Promise<DateSlice[]> {
  const c = cursorOf(overrides);
  return c.slices(await c.range({ config }), cursor);
}

const days = (slice: DateSlice) => (slice.end - slice.start) / DAY_MS;

describe('DAY granularity', () => {
  it('30-day steps of whole UTC days; the last slice is shorter', async () => {
    expect(await slicesOf({ start_datetime: utc(2026, 1, 1), end_datetime: utc(2026, 3, 1) })).toEqual([
      { start: utc(2026, 1, 1), end: utc(2026, 1, 31) },
      { start: utc(2026, 1, 31), end: utc(2026, 3, 1) },
    ]);
  });

  it('12 months are 13 slices, contiguous, each a whole number of days', async () => {
    const slices = await slicesOf({ start_datetime: utc(2025, 11, 27), end_datetime: utc(2026, 11, 27) });
    expect(slices).toHaveLength(13);
    expect(slices[0].start).toBe(utc(2025, 11, 27));
    expect(slices[12].end).toBe(utc(2026, 11, 27));
    expect(slices.slice(0, 12).map(days)).toEqual(Array(12).fill(30));
    expect(days(slices[12])).toBe(5);
    for (let i = 1; i < slices.length; i += 1) expect(slices[i].start).toBe(slices[i - 1].end);
    for (const slice of slices) {
      expect(slice.start % DAY_MS).toBe(0);
      expect(slice.end % DAY_MS).toBe(0);
    }
  });

  it('a one-day step gives one slice per day', async () => {
    expect(await slicesOf({ step: 'P1D', start_datetime: utc(2026, 1, 1), end_datetime: utc(2026, 1, 4) })).toEqual([
      { start: utc(2026, 1, 1), end: utc(2026, 1, 2) },
      { start: utc(2026, 1, 2), end: utc(2026, 1, 3) },
      { start: utc(2026, 1, 3), end: utc(2026, 1, 4) },
    ]);
  });

  it('a week step', async () => {
    const slices = await slicesOf({ step: 'P1W', start_datetime: utc(2026, 1, 1), end_datetime: utc(2026, 1, 20) });
    expect(slices.map(days)).toEqual([7, 7, 5]);
  });

  it('a step of hours beyond a day is rounded down to whole days', async () => {
    const slices = await slicesOf({ step: 'PT36H', start_datetime: utc(2026, 1, 1), end_datetime: utc(2026, 1, 4) });
    expect(slices.map(days)).toEqual([1, 1, 1]);
  });

  it('the end is exclusive: start == end gives nothing, end before start gives nothing', async () => {
    expect(await slicesOf({ start_datetime: utc(2026, 1, 1), end_datetime: utc(2026, 1, 1) })).toEqual([]);
    expect(await slicesOf({ start_datetime: utc(2026, 2, 1), end_datetime: utc(2026, 1, 1) })).toEqual([]);
  });
});

describe('MONTH granularity', () => {
  it('calendar months with a P1M step', async () => {
    expect(await slicesOf({ granularity: 'P1M', step: 'P1M', start_datetime: utc(2026, 1, 1), end_datetime: utc(2026, 4, 1) })).toEqual([
      { start: utc(2026, 1, 1), end: utc(2026, 2, 1) },
      { start: utc(2026, 2, 1), end: utc(2026, 3, 1) },
      { start: utc(2026, 3, 1), end: utc(2026, 4, 1) },
    ]);
  });

  it('a P12M step covers up to a year of whole months per slice', async () => {
    expect(await slicesOf({ granularity: 'P1M', step: 'P12M', start_datetime: utc(2025, 1, 1), end_datetime: utc(2026, 11, 1) })).toEqual([
      { start: utc(2025, 1, 1), end: utc(2026, 1, 1) },
      { start: utc(2026, 1, 1), end: utc(2026, 11, 1) },
    ]);
  });

  it('P1Y is the same as P12M', async () => {
    const a = await slicesOf({ granularity: 'P1M', step: 'P1Y', start_datetime: utc(2024, 3, 1), end_datetime: utc(2026, 5, 1) });
    const b = await slicesOf({ granularity: 'P1M', step: 'P12M', start_datetime: utc(2024, 3, 1), end_datetime: utc(2026, 5, 1) });
    expect(a).toEqual(b);
    expect(a).toHaveLength(3);
  });

  it('a day step shorter than a month still covers the whole range (or is refused)', async () => {
    const c = cursorOf({ granularity: 'P1M', step: 'P30D', start_datetime: utc(2026, 2, 1), end_datetime: utc(2026, 5, 1) });
    let slices: DateSlice[] | undefined;
    try {
      slices = c.slices(await c.range({ config: {} }), undefined);
    } catch (error) {
      expect((error as { failureType?: string }).failureType).toBe('config_error');
      return;
    }
    expect(slices[slices.length - 1].end).toBe(utc(2026, 5, 1));
  });
});

describe('alignment of the range', () => {
  it('DAY: an unaligned start is rounded up, an unaligned end rounded down', async () => {
    const c = cursorOf({ start_datetime: utc(2026, 1, 10, 5), end_datetime: utc(2026, 1, 20, 23) });
    const range = await c.range({ config: {} });
    expect(range.start).toBe(utc(2026, 1, 11));
    expect(range.end).toBe(utc(2026, 1, 20));
    expect(c.slices(range, undefined)).toEqual([{ start: utc(2026, 1, 11), end: utc(2026, 1, 20) }]);
  });

  it('MONTH: to the next first-of-month at the start, the previous one at the end', async () => {
    const c = cursorOf({ granularity: 'P1M', step: 'P1M', start_datetime: utc(2026, 1, 15), end_datetime: utc(2026, 5, 20) });
    const range = await c.range({ config: {} });
    expect(range.start).toBe(utc(2026, 2, 1));
    expect(range.end).toBe(utc(2026, 5, 1));
    expect(c.slices(range, undefined).map((s) => [s.start, s.end])).toEqual([
      [utc(2026, 2, 1), utc(2026, 3, 1)],
      [utc(2026, 3, 1), utc(2026, 4, 1)],
      [utc(2026, 4, 1), utc(2026, 5, 1)],
    ]);
  });

  it('already aligned bounds are kept', async () => {
    const range = await cursorOf({ granularity: 'P1M', step: 'P1M', start_datetime: utc(2026, 1, 1), end_datetime: utc(2026, 3, 1) }).range({ config: {} });
    expect([range.start, range.end]).toEqual([utc(2026, 1, 1), utc(2026, 3, 1)]);
  });

  it('bounds may be ISO dates or templates over the config and the clock', async () => {
    const c = cursorOf({
      start_datetime: '{{ config.start }}',
      end_datetime: '{{ $add_days($day_start($now_ms()), -2) }}',
    });
    const range = await c.range({ config: { start: '2026-11-01T12:00:00Z' } });
    expect(range.start).toBe(utc(2026, 11, 2));
    expect(range.end).toBe(utc(2026, 11, 27));
  });
});

describe('resuming from a cursor', () => {
  const overrides = { start_datetime: utc(2026, 1, 1), end_datetime: utc(2026, 3, 1) };

  it('starts exactly at the cursor', async () => {
    expect(await slicesOf(overrides, utc(2026, 1, 15))).toEqual([
      { start: utc(2026, 1, 15), end: utc(2026, 2, 14) },
      { start: utc(2026, 2, 14), end: utc(2026, 3, 1) },
    ]);
  });

  it('a cursor at the end or in the future leaves nothing to read', async () => {
    expect(await slicesOf(overrides, utc(2026, 3, 1))).toEqual([]);
    expect(await slicesOf(overrides, utc(2030, 1, 1))).toEqual([]);
  });

  it('a cursor between day boundaries (midday, fractional) re-reads its day: nothing is skipped', async () => {
    const fromJan15 = [
      { start: utc(2026, 1, 15), end: utc(2026, 2, 14) },
      { start: utc(2026, 2, 14), end: utc(2026, 3, 1) },
    ];
    expect(await slicesOf(overrides, utc(2026, 1, 15, 12))).toEqual(fromJan15);
    expect(await slicesOf(overrides, utc(2026, 1, 15) + 0.5)).toEqual(fromJan15);
    expect(await slicesOf(overrides, utc(2026, 1, 16) - 1)).toEqual(fromJan15);
  });

  it('a cursor in the middle of a month re-reads that month (MONTH granularity)', async () => {
    const slices = await slicesOf({ granularity: 'P1M', step: 'P1M', start_datetime: utc(2026, 1, 1), end_datetime: utc(2026, 6, 1) }, utc(2026, 4, 17, 9));
    expect(slices.map((s) => s.start)).toEqual([utc(2026, 4, 1), utc(2026, 5, 1)]);
  });

  it('a cursor beyond any date leaves nothing to read', async () => {
    expect(await slicesOf(overrides, 1e20)).toEqual([]);
    expect(await slicesOf({ granularity: 'P1M', step: 'P1M' }, 1e20)).toEqual([]);
  });

  it('a cursor before the start starts at the start', async () => {
    expect((await slicesOf(overrides, utc(2020, 1, 1)))[0]).toEqual({ start: utc(2026, 1, 1), end: utc(2026, 1, 31) });
  });

  it('the lookback window re-reads before the cursor', async () => {
    expect((await slicesOf({ ...overrides, lookback_window: 'P3D' }, utc(2026, 1, 15)))[0]).toEqual({ start: utc(2026, 1, 12), end: utc(2026, 2, 11) });
  });

  it('the lookback never reaches before the start', async () => {
    expect((await slicesOf({ ...overrides, lookback_window: 'P30D' }, utc(2026, 1, 15)))[0].start).toBe(utc(2026, 1, 1));
  });

  it('a month lookback with month granularity', async () => {
    const slices = await slicesOf(
      { granularity: 'P1M', step: 'P1M', lookback_window: 'P1M', start_datetime: utc(2026, 1, 1), end_datetime: utc(2026, 6, 1) },
      utc(2026, 4, 1),
    );
    expect(slices.map((s) => s.start)).toEqual([utc(2026, 3, 1), utc(2026, 4, 1), utc(2026, 5, 1)]);
  });
});

describe('invalid declarations are config errors', () => {
  it.each([
    [{ granularity: 'PT7H' }, 'granularity at incremental_sync is "PT7H"; expected P1D (whole days), P1M (whole months) or a part of a day (PT1S, PT1M, PT1H, PT15M...).'],
    [{ granularity: 'P1W' }, 'granularity at incremental_sync is "P1W"; expected P1D (whole days), P1M (whole months) or a part of a day (PT1S, PT1M, PT1H, PT15M...).'],
    [{ step: 'thirty days' }, 'step at incremental_sync: "thirty days" is not an ISO-8601 duration (expected e.g. P1D, P30D, P1M, PT1H).'],
    [{ step: 'P' }, 'step at incremental_sync: "P" is not an ISO-8601 duration (expected e.g. P1D, P30D, P1M, PT1H).'],
    [{ step: 'PT12H' }, 'step at incremental_sync must be at least one day, got PT12H.'],
    [{ step: 'P0D' }, 'step at incremental_sync must be at least one day, got P0D.'],
    [{ lookback_window: '3 days' }, 'lookback_window at incremental_sync: "3 days" is not an ISO-8601 duration (expected e.g. P1D, P30D, P1M, PT1H).'],
    [{ start_datetime: 'soon' }, 'start_datetime at incremental_sync gave "soon"; expected a date (epoch ms or ISO-8601).'],
    [{ end_datetime: '{{ config.missing }}' }, 'end_datetime at incremental_sync gave undefined; expected a date (epoch ms or ISO-8601).'],
  ] as [Partial<DatetimeBasedCursorDefinition>, string][])('%j', async (overrides, message) => {
    const error = await rejection(cursorOf(overrides).range({ config: {} }));
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe(message);
  });

  it('errors name the manifest location when compiled from a manifest', async () => {
    const text = toYaml(
      oneStreamManifest({
        stream: {
          incremental_sync: {
            type: 'DatetimeBasedCursor',
            cursor_field: 'day',
            start_datetime: '2026-01-01',
            end_datetime: '2026-02-01',
            step: 'P1D',
            granularity: '{{ config.granularity }}',
          },
        },
      }),
    );
    const cursor = compile(text).streams[0].cursor!;
    const error = await rejection(cursor.range({ config: { granularity: 'P1Y' } }));
    expect(error.message).toBe(
      `granularity at streams[0].incremental_sync (manifest.yaml:${lineOf(text, 'incremental_sync:')}:5) is "P1Y"; expected P1D (whole days), P1M (whole months) or a part of a day (PT1S, PT1M, PT1H, PT15M...).`,
    );
  });
});

describe('cursor formats', () => {
  const slice = { start: utc(2026, 1, 1), end: utc(2026, 1, 31) };

  it.each([
    ['epoch_ms', utc(2026, 1, 1), utc(2026, 1, 31)],
    ['epoch_s', utc(2026, 1, 1) / 1000, utc(2026, 1, 31) / 1000],
    ['date', '2026-01-01', '2026-01-31'],
    ['iso8601', '2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z'],
  ] as const)('%s: slice bounds and round trip', (format, start, end) => {
    const c = cursorOf({ cursor_datetime_format: format });
    expect(c.sliceContext(slice)).toEqual({ start_time: start, end_time: end });
    expect(c.parseValue(c.formatValue(slice.end))).toBe(slice.end);
  });

  it('epoch values may be digit strings; anything else is not a cursor', () => {
    const ms = cursorOf({ cursor_datetime_format: 'epoch_ms' });
    expect(ms.parseValue('1767225600000')).toBe(utc(2026, 1, 1));
    expect(ms.parseValue('2026-01-01')).toBeUndefined();
    expect(ms.parseValue(null)).toBeUndefined();
    expect(cursorOf({ cursor_datetime_format: 'iso8601' }).parseValue('not a date')).toBeUndefined();
  });
});

describe('sub-day windows, no step, and record cursors', () => {
  const hour = (h: number, m = 0, s = 0) => Date.UTC(2026, 0, 1, h, m, s);

  it('without a step the whole range is one slice, from the cursor when there is one', async () => {
    expect(await slicesOf({ step: undefined })).toEqual([{ start: utc(2026, 1, 1), end: utc(2026, 3, 1) }]);
    expect(await slicesOf({ step: undefined }, utc(2026, 2, 10))).toEqual([{ start: utc(2026, 2, 10), end: utc(2026, 3, 1) }]);
  });

  it('granularity PT1H aligns windows to whole hours and allows hour steps', async () => {
    const slices = await slicesOf({ granularity: 'PT1H', step: 'PT6H', start_datetime: hour(1, 30), end_datetime: hour(14, 10) });
    expect(slices).toEqual([
      { start: hour(2), end: hour(8) },
      { start: hour(8), end: hour(14) },
    ]);
  });

  it('a record cursor (cursor_granularity) is not aligned; its slices end one granularity before the next starts', async () => {
    const c = cursorOf({ granularity: undefined, cursor_granularity: 'PT1S', datetime_format: '%Y-%m-%dT%H:%M:%SZ', cursor_datetime_format: undefined, step: 'PT6H', start_datetime: hour(1, 30), end_datetime: hour(9) });
    const range = await c.range({ config: {} });
    const slices = c.slices(range, undefined);
    expect(slices.map((s) => [s.start, s.end])).toEqual([
      [hour(1, 30), hour(7, 30)],
      [hour(7, 30), hour(9)],
    ]);
    expect(c.sliceContext(slices[0])).toEqual({ start_time: '2026-01-01T01:30:00Z', end_time: '2026-01-01T07:29:59Z' });
    // From a saved cursor (the newest record read), the next read starts one second after it.
    expect(c.slices(range, hour(8, 15))).toEqual([{ start: hour(8, 15, 1), end: hour(9), last: hour(8, 59, 59) }]);
  });

  it('start_time_option and end_time_option inject the slice bounds into parameters, headers or the JSON body', async () => {
    const c = cursorOf({
      cursor_datetime_format: 'date',
      start_time_option: { inject_into: 'header', field_name: 'X-From' },
      end_time_option: { inject_into: 'body_json', field_name: 'to' },
    });
    const [slice] = c.slices(await c.range({ config: {} }), undefined);
    expect(c.requestOptions(slice)).toEqual({ headers: { 'X-From': '2026-01-01' }, body: { to: '2026-01-31' } });
  });

  it('lookback_window is a template over the config', async () => {
    expect((await slicesOf({ lookback_window: 'P{{ config.days }}D' }, utc(2026, 1, 15), { days: 4 }))[0].start).toBe(utc(2026, 1, 11));
  });

  it('with lookback_only_with_new_data, a cursor at the end of the range gives no slice; one before it re-reads in the same slice', async () => {
    const overrides = { step: undefined, lookback_window: 'P3D', lookback_only_with_new_data: true };
    expect(await slicesOf(overrides, utc(2026, 3, 1))).toEqual([]);
    expect(await slicesOf(overrides, utc(2026, 2, 27))).toEqual([{ start: utc(2026, 2, 24), end: utc(2026, 3, 1) }]);
    expect(await slicesOf({ ...overrides, lookback_only_with_new_data: false }, utc(2026, 3, 1))).toEqual([{ start: utc(2026, 2, 26), end: utc(2026, 3, 1) }]);
  });

  it.each([
    [{ cursor_granularity: 'PT1S' }, 'gives both granularity (a window cursor) and cursor_granularity (a record cursor): keep one.'],
    [{ datetime_format: '%Y' }, 'gives both datetime_format and cursor_datetime_format (a shorthand for it): keep one.'],
    [{ is_data_feed: true }, 'is a data feed (is_data_feed), read newest first in one slice: remove its step.'],
    [{ datetime_format: '%Y-%q', cursor_datetime_format: undefined }, 'datetime_format at incremental_sync: "%Y-%q" is not a datetime format this engine knows'],
  ] as [Partial<DatetimeBasedCursorDefinition>, string][])('%j is a manifest error', (overrides, message) => {
    let error: unknown;
    try {
      cursorOf(overrides);
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).toContain(message);
  });
});
