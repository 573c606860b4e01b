import { describe, it, expect } from '@jest/globals';
import { componentRegistry } from '../../../../engine/manifest/registry.js';
import { ConnectorError } from '../../../../engine/core/errors.js';
import { CompileContext } from '../../../../engine/manifest/compile-context.js';
import type { DatetimeBasedCursorDefinition } from '../../../../engine/format/manifest-types.generated.js';
import type { DatetimeCursor } from '../../../../engine/streams/datetime-cursor.js';
import type { DateRange } from '../../../../engine/streams/datetime-cursor.js';
import { parseDuration } from '../../../../engine/streams/duration.js';
import { StreamState } from '../../../../engine/streams/stream-state.js';
import { PROJECT_ROOT, testRuntime } from '../../../helpers/index.js';

function cursorOf(format: DatetimeBasedCursorDefinition['cursor_datetime_format'] = 'epoch_ms', overrides: Partial<DatetimeBasedCursorDefinition> = {}): DatetimeCursor {
  const definition: DatetimeBasedCursorDefinition = {
    type: 'DatetimeBasedCursor',
    cursor_field: 'period_end',
    cursor_datetime_format: format,
    start_datetime: 0,
    end_datetime: 0,
    step: 'P1D',
    granularity: 'P1D',
    lookback_window: 'P0D',
    lookback_only_with_new_data: false,
    is_data_feed: false,
    ...overrides,
  };
  const context = new CompileContext({ value: { c: definition }, positions: new WeakMap(), file: 'manifest.yaml' }, testRuntime().runtime, PROJECT_ROOT, componentRegistry);
  return context.build(definition, ['c']);
}

const cursor = cursorOf();
const ACCOUNT_1 = { account_id: '1' };
const ACCOUNT_2 = { account_id: '2' };
const parse = (value: unknown) => StreamState.parse('stats', cursor, value);

function parseError(value: unknown): ConnectorError {
  try {
    parse(value);
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected the state to be refused');
}

describe('parsing a saved state', () => {
  it('per-partition states', () => {
    const state = parse({
      states: [
        { partition: ACCOUNT_1, cursor: { period_end: 1000 } },
        { partition: ACCOUNT_2, cursor: { period_end: 2000 } },
      ],
    });
    expect(state.get(ACCOUNT_1)).toBe(1000);
    expect(state.get(ACCOUNT_2)).toBe(2000);
    expect(state.get({ account_id: '3' })).toBeUndefined();
  });

  it('a flat {period_end} applies to every partition', () => {
    const state = parse({ period_end: 5000 });
    expect(state.get(ACCOUNT_1)).toBe(5000);
    expect(state.get({ anything: 'else' })).toBe(5000);
  });

  it('per-partition entries win over the flat fallback', () => {
    const state = parse({ period_end: 5000, states: [{ partition: ACCOUNT_1, cursor: { period_end: 7000 } }] });
    expect(state.get(ACCOUNT_1)).toBe(7000);
    expect(state.get(ACCOUNT_2)).toBe(5000);
  });

  it('epoch values written as digit strings are read', () => {
    expect(parse({ states: [{ partition: ACCOUNT_1, cursor: { period_end: '1000' } }] }).get(ACCOUNT_1)).toBe(1000);
  });

  it.each([[{}], [undefined], [null], [{ states: [] }]])('%j is no state', (value) => {
    const state = parse(value);
    expect(state.get(ACCOUNT_1)).toBeUndefined();
    expect(state.snapshot()).toEqual({ states: [] });
  });

  it('an iso8601 cursor is parsed from its text', () => {
    const state = StreamState.parse('stats', cursorOf('iso8601'), { states: [{ partition: ACCOUNT_1, cursor: { period_end: '2026-01-31T00:00:00Z' } }] });
    expect(state.get(ACCOUNT_1)).toBe(Date.UTC(2026, 0, 31));
  });

  it('a partition is found whatever the order of its keys', () => {
    const state = parse({ states: [{ partition: { post: 'p', account_id: '1' }, cursor: { period_end: 1000 } }] });
    expect(state.get({ account_id: '1', post: 'p' })).toBe(1000);
  });
});

describe('corrupt states are config errors naming the stream', () => {
  const HINT = "Fix or remove this stream's state (a reset of the stream) to sync it again from the start date.";
  it.each([
    ['a string', 'abc', 'it is not an object', '"abc"'],
    ['a list', [1], 'it is not an object', '[1]'],
    ['unknown keys', { cursor: 1 }, 'expected "states" (a list) or "period_end"', '{"cursor":1}'],
    ['states not a list', { states: {} }, '"states" must be a list', '{"states":{}}'],
    ['an entry without partition', { states: [{ cursor: { period_end: 1 } }] }, 'each entry of "states" needs a "partition" and a "cursor" object', '{"states":[{"cursor":{"period_end":1}}]}'],
    ['a null entry', { states: [null] }, 'each entry of "states" needs a "partition" and a "cursor" object', '{"states":[null]}'],
    ['a cursor that is not a date', { states: [{ partition: ACCOUNT_1, cursor: { period_end: 'yesterday' } }] }, '"period_end" is "yesterday", not a epoch_ms date', null],
    ['a missing cursor value', { states: [{ partition: ACCOUNT_1, cursor: {} }] }, '"period_end" is undefined, not a epoch_ms date', null],
    ['a flat cursor that is not a date', { period_end: true }, '"period_end" is true, not a epoch_ms date', '{"period_end":true}'],
  ])('%s', (_name, value, why, shown) => {
    const error = parseError(value);
    expect(error.failureType).toBe('config_error');
    expect(error.stream).toBe('stats');
    expect(error.message.startsWith(`The saved state of stream "stats" is not one this connector wrote (${why}): `)).toBe(true);
    if (shown !== null) expect(error.message).toContain(`(${why}): ${shown}. ${HINT}`);
    expect(error.message.endsWith(HINT)).toBe(true);
  });

  it('a huge corrupt state is shown cut to 200 characters', () => {
    const error = parseError({ junk: 'x'.repeat(1000) });
    // '{"junk":"' is 9 characters, so 191 x's make 200.
    expect(error.message).toContain(`: {"junk":"${'x'.repeat(191)}. Fix or remove`);
    expect(error.message).not.toContain('x'.repeat(192));
  });
});

describe('moving the cursor', () => {
  it('set() moves forward', () => {
    const state = parse(undefined);
    state.set(ACCOUNT_1, 1000);
    state.set(ACCOUNT_1, 2000);
    expect(state.get(ACCOUNT_1)).toBe(2000);
  });

  it('set() never moves back', () => {
    const state = parse({ states: [{ partition: ACCOUNT_1, cursor: { period_end: 3000 } }] });
    state.set(ACCOUNT_1, 2000);
    state.set(ACCOUNT_1, 3000);
    expect(state.get(ACCOUNT_1)).toBe(3000);
  });

  it('set() below the flat fallback is ignored too', () => {
    const state = parse({ period_end: 5000 });
    state.set(ACCOUNT_1, 4000);
    expect(state.get(ACCOUNT_1)).toBe(5000);
    expect(state.snapshot()).toEqual({ states: [], period_end: 5000 });
  });

  it('partitions move independently', () => {
    const state = parse(undefined);
    state.set(ACCOUNT_1, 1000);
    state.set(ACCOUNT_2, 500);
    expect([state.get(ACCOUNT_1), state.get(ACCOUNT_2)]).toEqual([1000, 500]);
  });
});

describe('snapshot', () => {
  it('one entry per partition, in the cursor format, in the order partitions were first set', () => {
    const state = parse(undefined);
    state.set(ACCOUNT_2, 2000);
    state.set(ACCOUNT_1, 1000);
    state.set(ACCOUNT_2, 3000);
    expect(state.snapshot()).toEqual({
      states: [
        { partition: ACCOUNT_2, cursor: { period_end: 3000 } },
        { partition: ACCOUNT_1, cursor: { period_end: 1000 } },
      ],
    });
    expect(Object.keys(state.snapshot())).toEqual(['states']);
  });

  it('keeps the flat fallback so partitions not yet read keep it', () => {
    const state = parse({ period_end: 5000 });
    state.set(ACCOUNT_1, 6000);
    expect(state.snapshot()).toEqual({ states: [{ partition: ACCOUNT_1, cursor: { period_end: 6000 } }], period_end: 5000 });
  });

  it('a snapshot parses back to the same positions', () => {
    const state = parse(undefined);
    state.set(ACCOUNT_1, 1000);
    state.set(ACCOUNT_2, 2000);
    const again = parse(JSON.parse(JSON.stringify(state.snapshot())));
    expect([again.get(ACCOUNT_1), again.get(ACCOUNT_2)]).toEqual([1000, 2000]);
  });

  it('written in the cursor format (date)', () => {
    const state = StreamState.parse('stats', cursorOf('date'), undefined);
    state.set(ACCOUNT_1, Date.UTC(2026, 0, 31));
    expect(state.snapshot()).toEqual({ states: [{ partition: ACCOUNT_1, cursor: { period_end: '2026-01-31' } }] });
  });

  it('a snapshot is a copy: later moves do not change it', () => {
    const state = parse(undefined);
    state.set(ACCOUNT_1, 1000);
    const first = state.snapshot();
    state.set(ACCOUNT_1, 2000);
    expect(first).toEqual({ states: [{ partition: ACCOUNT_1, cursor: { period_end: 1000 } }] });
  });
});

describe('checked against the range of a read', () => {
  const utc = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day);
  /** A range of daily (or monthly) windows from 2026-01-01 to 2026-11-29, exclusive. */
  const range = (granularity: 'day' | 'month' = 'day', start = utc(2026, 1, 1)): DateRange => ({
    start,
    end: granularity === 'day' ? utc(2026, 11, 29) : utc(2026, 11, 1),
    step: parseDuration(granularity === 'day' ? 'P30D' : 'P12M'),
    granularity: parseDuration(granularity === 'day' ? 'P1D' : 'P1M'),
    records: false,
    lookback: parseDuration('P0D'),
  });
  /** The WARN messages begin() tells for `value`. */
  function warnings(value: unknown, checked = range(), config: Record<string, unknown> = {}, on = cursor): string[] {
    const told: string[] = [];
    StreamState.parse('stats', on, value).begin(checked, config, (message) => told.push(message));
    return told;
  }
  function refusal(value: unknown, checked: DateRange, config: Record<string, unknown> = {}, on = cursor): ConnectorError {
    try {
      StreamState.parse('stats', on, value).begin(checked, config);
    } catch (error) {
      if (error instanceof ConnectorError) return error;
      throw error;
    }
    throw new Error('expected the state to be refused');
  }
  const at = (cursorValue: unknown) => ({ states: [{ partition: ACCOUNT_1, cursor: { period_end: cursorValue } }] });

  it('a cursor within the range, or at its end (up to date), is told nothing', () => {
    expect(warnings(at(utc(2026, 6, 1)))).toEqual([]);
    expect(warnings(at(utc(2026, 11, 29)))).toEqual([]);
    expect(warnings(at(utc(2026, 11, 29) + 3_600_000))).toEqual([]);
    expect(warnings(undefined)).toEqual([]);
  });

  it.each([
    ['in 2030', utc(2030, 1, 1), '2030-01-01'],
    ['the day after the end', utc(2026, 11, 30), '2026-11-30'],
    ['beyond any date', 1e20, '100000000000000000000, beyond any date'],
  ])('a cursor after the range (%s) is a WARN naming the stream, the date and the reset', (_name, value, shown) => {
    const told = warnings(at(value));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('Stream "stats"');
    expect(told[0]).toContain(`is ${shown}, after the newest final data (up to 2026-11-29, exclusive)`);
    expect(told[0]).toContain("remove this stream's entry from the state");
    expect(told[0]).toContain('`_connector_state`');
  });

  it('a flat cursor after the range and several partitions after it are one WARN', () => {
    expect(warnings({ period_end: utc(2031, 5, 2) })[0]).toContain('is 2031-05-02, after');
    const told = warnings({ states: [{ partition: ACCOUNT_1, cursor: { period_end: utc(2030, 1, 1) } }, { partition: ACCOUNT_2, cursor: { period_end: utc(2031, 1, 1) } }] });
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('cursor of 2 partitions (the latest) is 2031-01-01');
  });

  it('an epoch_ms cursor that looks like epoch seconds is a WARN: the stream is read from its start', () => {
    const told = warnings(at(1_700_000_000));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('Stream "stats"');
    expect(told[0]).toContain('looks like epoch seconds (2023-11-14T22:13:20Z)');
    expect(told[0]).toContain('read from its start date, so nothing is lost');
    // In a format of seconds, the same number is no mistake.
    expect(warnings(at(1_700_000_000), range(), {}, cursorOf('epoch_s'))).toEqual([]);
  });

  it('the snapshot records the granularity of the read; a state without one is read as before', () => {
    const state = parse(at(utc(2026, 6, 1)));
    expect(state.snapshot()).toEqual(at(utc(2026, 6, 1)));
    state.begin(range(), {});
    expect(state.snapshot()).toEqual({ ...at(utc(2026, 6, 1)), granularity: 'P1D' });
    const monthly = parse(at(utc(2026, 6, 1)));
    monthly.begin(range('month'), {});
    expect(monthly.snapshot()).toEqual({ ...at(utc(2026, 6, 1)), granularity: 'P1M' });
    expect(parse({ ...at(utc(2026, 6, 1)), granularity: 'P1D' }).snapshot()).toEqual({ ...at(utc(2026, 6, 1)), granularity: 'P1D' });
  });

  it.each([
    ['P1D', 'month', 'daily windows (P1D)', 'monthly (P1M'],
    ['P1M', 'day', 'monthly windows (P1M)', 'daily (P1D'],
  ] as const)('a state written with %s, read with %s windows, is refused with what to do', (saved, now, was, is) => {
    const granularityCursor = cursorOf('epoch_ms', { granularity: "{{ config.unit = 'MONTH' ? 'P1M' : 'P1D' }}" });
    const error = refusal({ ...at(utc(2026, 6, 1)), granularity: saved }, range(now), { unit: now === 'day' ? 'DAY' : 'MONTH' }, granularityCursor);
    expect(error.code).toBe('STATE_INVALID');
    expect(error.failureType).toBe('config_error');
    expect(error.stream).toBe('stats');
    expect(error.message).toContain(`stream "stats" was written with ${was}`);
    expect(error.message).toContain(`this read's are ${is}, from config.unit (now "${now === 'day' ? 'DAY' : 'MONTH'}"))`);
    expect(error.message).toContain('go back to the previous granularity');
    expect(error.message).toContain('sync it from scratch into a new output');
    expect(error.message).toContain('`_connector_state`');
  });

  it('the same granularity, or a state that lists no cursor, is accepted', () => {
    expect(warnings({ ...at(utc(2026, 6, 1)), granularity: 'P1D' })).toEqual([]);
    expect(warnings({ states: [], granularity: 'P1M' })).toEqual([]);
  });

  it('a granularity that is not a duration is a corrupt state', () => {
    expect(parseError({ ...at(1000), granularity: 'daily' }).message).toContain('("granularity" must be an ISO-8601 duration such as P1D or P1M)');
  });

  it('a first read whose range starts after its end is a config error naming start_datetime and the config values it reads', () => {
    const startCursor = cursorOf('epoch_ms', { start_datetime: '{{ config.start_date }}' });
    const error = refusal(undefined, range('day', utc(2027, 1, 1)), { start_date: '2027-01-01' }, startCursor);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.failureType).toBe('config_error');
    expect(error.message).toContain('start_datetime at c is 2027-01-01, after the end of the range (2026-11-29, exclusive): a sync would read nothing.');
    expect(error.message).toContain('It comes from config.start_date = "2027-01-01".');
    // A range that is merely empty (start at its end), or a later read from a state, is no error.
    expect(warnings(undefined, range('day', utc(2026, 11, 29)))).toEqual([]);
    expect(() => StreamState.parse('stats', startCursor, at(utc(2027, 2, 1))).begin(range('day', utc(2027, 1, 1)), {}, () => undefined)).not.toThrow();
  });
});
