import { describe, it, expect } from '@jest/globals';
import { componentRegistry } from '../../../../engine/manifest/registry.js';
import { ConnectorError } from '../../../../engine/core/errors.js';
import { CompileContext } from '../../../../engine/manifest/compile-context.js';
import type { DatetimeBasedCursorDefinition } from '../../../../engine/format/manifest-types.generated.js';
import type { DatetimeCursor } from '../../../../engine/streams/datetime-cursor.js';
import { StreamState } from '../../../../engine/streams/stream-state.js';
import { PROJECT_ROOT, testRuntime } from '../../../helpers/index.js';

function cursorOf(format: DatetimeBasedCursorDefinition['cursor_datetime_format'] = 'epoch_ms'): DatetimeCursor {
  const definition: DatetimeBasedCursorDefinition = {
    type: 'DatetimeBasedCursor',
    cursor_field: 'period_end',
    cursor_datetime_format: format,
    start_datetime: 0,
    end_datetime: 0,
    step: 'P1D',
    granularity: 'P1D',
    lookback_window: 'P0D',
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
