import { describe, it, expect } from '@jest/globals';
import { addMonths, dateFunctions, parseDate } from '../../../../engine/expressions/date-functions.js';
import { Template } from '../../../../engine/expressions/template.js';
import { FakeClock, DAY_MS, TEST_NOW, rejection } from '../../../helpers/index.js';

type DateFns = {
  now_ms: () => number;
  day_start: (ms: unknown) => number;
  month_start: (ms: unknown) => number;
  add_days: (ms: unknown, days: number) => number;
  add_months: (ms: unknown, months: number) => number;
  to_iso: (ms: unknown) => string;
  to_date: (ms: unknown) => string;
  parse_date: (text: unknown) => number;
};

const clock = new FakeClock(TEST_NOW);
const fns = dateFunctions(clock) as unknown as DateFns;
const evaluate = (source: string, c: FakeClock = clock) =>
  Template.compile(source, { path: 'x', file: 'manifest.yaml', line: 1, column: 1 }, c).evaluate({ config: {} });

describe('$now_ms', () => {
  it('reads the injected clock, and follows it', async () => {
    const local = new FakeClock(TEST_NOW);
    expect(await evaluate('{{ $now_ms() }}', local)).toBe(Date.UTC(2026, 10, 29, 10, 0, 0));
    local.advance(DAY_MS);
    expect(await evaluate('{{ $now_ms() }}', local)).toBe(Date.UTC(2026, 10, 30, 10, 0, 0));
  });
});

describe('$day_start and $month_start', () => {
  it('$day_start is UTC midnight of the same day', async () => {
    expect(fns.day_start(Date.UTC(2026, 10, 29, 23, 59, 59, 999))).toBe(Date.UTC(2026, 10, 29));
    expect(fns.day_start(Date.UTC(2026, 10, 29))).toBe(Date.UTC(2026, 10, 29));
    expect(await evaluate('{{ $day_start($now_ms()) }}')).toBe(Date.UTC(2026, 10, 29));
  });

  it('$day_start works before 1970', () => {
    expect(fns.day_start(Date.UTC(1969, 11, 31, 12))).toBe(Date.UTC(1969, 11, 31));
  });

  it('$month_start is the first of the UTC month', async () => {
    expect(fns.month_start(Date.UTC(2026, 10, 29, 10))).toBe(Date.UTC(2026, 10, 1));
    expect(fns.month_start(Date.UTC(2024, 1, 29, 23, 59))).toBe(Date.UTC(2024, 1, 1));
    expect(await evaluate('{{ $month_start($now_ms()) }}')).toBe(Date.UTC(2026, 10, 1));
  });

  it('accept epoch ms as a digit string and ISO dates', () => {
    expect(fns.day_start(String(Date.UTC(2026, 0, 5, 7)))).toBe(Date.UTC(2026, 0, 5));
    expect(fns.day_start('2026-01-05T07:00:00Z')).toBe(Date.UTC(2026, 0, 5));
  });

  it('refuse what is not a date', () => {
    expect(() => fns.day_start({})).toThrow('expected a date in epoch milliseconds, got {}');
    expect(() => fns.month_start(Number.NaN)).toThrow('expected a date in epoch milliseconds');
  });
});

describe('$add_days', () => {
  it('adds and subtracts whole days', async () => {
    expect(fns.add_days(Date.UTC(2026, 10, 29), -2)).toBe(Date.UTC(2026, 10, 27));
    expect(fns.add_days(Date.UTC(2026, 11, 31, 6), 1)).toBe(Date.UTC(2027, 0, 1, 6));
    expect(await evaluate('{{ $add_days($day_start($now_ms()), 1) }}')).toBe(Date.UTC(2026, 10, 30));
  });
});

describe('$add_months', () => {
  it('moves by calendar months', () => {
    expect(fns.add_months(Date.UTC(2026, 10, 29), -12)).toBe(Date.UTC(2025, 10, 29));
    expect(fns.add_months(Date.UTC(2026, 0, 15), 1)).toBe(Date.UTC(2026, 1, 15));
    expect(fns.add_months(Date.UTC(2026, 10, 15), 3)).toBe(Date.UTC(2027, 1, 15));
  });

  it('clamps to the end of a shorter month', () => {
    expect(fns.add_months(Date.UTC(2026, 0, 31), 1)).toBe(Date.UTC(2026, 1, 28));
    expect(fns.add_months(Date.UTC(2024, 0, 31), 1)).toBe(Date.UTC(2024, 1, 29));
    expect(fns.add_months(Date.UTC(2026, 2, 31), -1)).toBe(Date.UTC(2026, 1, 28));
    expect(fns.add_months(Date.UTC(2026, 4, 31), 1)).toBe(Date.UTC(2026, 5, 30));
    expect(fns.add_months(Date.UTC(2024, 1, 29), 12)).toBe(Date.UTC(2025, 1, 28));
  });

  it('keeps the time of day', () => {
    expect(fns.add_months(Date.UTC(2026, 0, 31, 10, 30, 15, 250), 1)).toBe(Date.UTC(2026, 1, 28, 10, 30, 15, 250));
    expect(addMonths(Date.UTC(2026, 6, 31, 23, 59), -1)).toBe(Date.UTC(2026, 5, 30, 23, 59));
  });

  it('the manifest\'s "12 months back, plus a day" from the test clock', async () => {
    expect(await evaluate('{{ $add_days($add_months($day_start($now_ms()), -12), 1) }}')).toBe(Date.UTC(2025, 10, 30));
  });
});

describe('$to_iso and $to_date', () => {
  it('$to_iso writes UTC with seconds and Z', async () => {
    expect(fns.to_iso(Date.UTC(2026, 0, 31))).toBe('2026-01-31T00:00:00Z');
    expect(await evaluate('{{ $to_iso($now_ms()) }}')).toBe('2026-11-29T10:00:00Z');
  });

  it('$to_date writes the UTC calendar date', async () => {
    expect(fns.to_date(Date.UTC(2026, 0, 31, 23, 59))).toBe('2026-01-31');
    expect(await evaluate('{{ $to_date($add_days($now_ms(), -2)) }}')).toBe('2026-11-27');
  });

  it('round-trip with $parse_date', async () => {
    expect(await evaluate('{{ $parse_date($to_iso($now_ms())) }}')).toBe(TEST_NOW);
    expect(await evaluate('{{ $parse_date($to_date($now_ms())) }}')).toBe(Date.UTC(2026, 10, 29));
  });
});

describe('$parse_date', () => {
  it('a date alone is UTC midnight', () => {
    expect(parseDate('2026-01-31')).toBe(Date.UTC(2026, 0, 31));
  });

  it('Z', () => {
    expect(parseDate('2026-01-31T10:20:30Z')).toBe(Date.UTC(2026, 0, 31, 10, 20, 30));
    expect(parseDate('2026-01-31T10:20:30.500Z')).toBe(Date.UTC(2026, 0, 31, 10, 20, 30, 500));
  });

  it('an offset is honoured', () => {
    expect(parseDate('2026-01-31T10:00:00+02:00')).toBe(Date.UTC(2026, 0, 31, 8));
    expect(parseDate('2026-01-31T10:00:00-05:30')).toBe(Date.UTC(2026, 0, 31, 15, 30));
    expect(parseDate('2026-01-31T10:00:00+0200')).toBe(Date.UTC(2026, 0, 31, 8));
  });

  it('a date-time without zone is UTC; a space may separate date and time', () => {
    expect(parseDate('2026-01-31T10:00:00')).toBe(Date.UTC(2026, 0, 31, 10));
    expect(parseDate('2026-01-31 10:00:00')).toBe(Date.UTC(2026, 0, 31, 10));
  });

  it.each(['yesterday', '31/01/2026', '2026-1-31', '', '2026-01-31T10:00:00 UTC'])('refuses %j', (text) => {
    expect(() => parseDate(text)).toThrow(`"${text}" is not an ISO-8601 date (expected e.g. 2025-01-31 or 2025-01-31T00:00:00Z)`);
  });

  it('refuses a well-shaped but impossible date', () => {
    expect(() => parseDate('2026-13-01')).toThrow('"2026-13-01" is not a valid date');
    expect(() => parseDate('2026-01-31T25:00:00Z')).toThrow('is not a valid date');
  });

  it('refuses a day that the month does not have', () => {
    expect(() => parseDate('2026-02-30')).toThrow('is not a valid date');
    expect(() => parseDate('2026-04-31T00:00:00Z')).toThrow('is not a valid date');
  });

  it('refuses non-strings', () => {
    expect(() => fns.parse_date(20260131)).toThrow('"20260131" is not an ISO-8601 date');
  });

  it('through an expression, a bad date is a config error naming the expression', async () => {
    const error = await rejection(evaluate('{{ $parse_date("2026-31-01") }}'));
    expect(error.failureType).toBe('config_error');
    expect(error.message).toContain('The expression "{{ $parse_date(\\"2026-31-01\\") }}" at x (manifest.yaml:1:1) failed: "2026-31-01" is not a valid date');
  });
});
