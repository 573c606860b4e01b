import { describe, it, expect } from '@jest/globals';
import { datetimeFormat, shorthandFormat } from '../../../../engine/streams/datetime-format.js';

const MS = Date.UTC(2026, 10, 29, 7, 5, 9, 123);

describe('strftime-style datetime formats', () => {
  it.each([
    ['%Y-%m-%dT%H:%M:%SZ', '2026-11-29T07:05:09Z', Date.UTC(2026, 10, 29, 7, 5, 9)],
    ['%Y-%m-%d %H:%M:%S', '2026-11-29 07:05:09', Date.UTC(2026, 10, 29, 7, 5, 9)],
    ['%Y-%m-%d', '2026-11-29', Date.UTC(2026, 10, 29)],
    ['%Y-%m-%dT%H:%M:%S.%fZ', '2026-11-29T07:05:09.123000Z', MS],
    ['%Y-%m-%dT%H:%M:%S%z', '2026-11-29T07:05:09+0000', Date.UTC(2026, 10, 29, 7, 5, 9)],
    ['%d/%m/%Y %H%%', '29/11/2026 07%', Date.UTC(2026, 10, 29, 7)],
  ])('%s writes %s and reads it back', (text, written, read) => {
    const format = datetimeFormat(text);
    expect(format.format(MS)).toBe(written);
    expect(format.parse(written)).toBe(read);
  });

  it('%z reads offsets and Z; %f reads fewer digits', () => {
    const format = datetimeFormat('%Y-%m-%dT%H:%M:%S%z');
    expect(format.parse('2026-11-29T09:05:09+02:00')).toBe(Date.UTC(2026, 10, 29, 7, 5, 9));
    expect(format.parse('2026-11-29T02:05:09-0500')).toBe(Date.UTC(2026, 10, 29, 7, 5, 9));
    expect(format.parse('2026-11-29T07:05:09Z')).toBe(Date.UTC(2026, 10, 29, 7, 5, 9));
    expect(datetimeFormat('%H:%M:%S.%f').parse('00:00:01.5')).toBe(1500);
  });

  it('a value in another format, an impossible date or a non-string is not read', () => {
    const format = datetimeFormat('%Y-%m-%dT%H:%M:%SZ');
    expect(format.parse('2026-11-29')).toBeUndefined();
    expect(format.parse('2026-02-30T00:00:00Z')).toBeUndefined();
    expect(format.parse('2026-11-29T25:00:00Z')).toBeUndefined();
    expect(format.parse(1767225600000)).toBeUndefined();
  });

  it('%s and %ms alone are epoch seconds and milliseconds, written as numbers, read from numbers or digit strings', () => {
    expect(datetimeFormat('%s').format(MS)).toBe(Math.floor(MS / 1000));
    expect(datetimeFormat('%s').parse('1764399909')).toBe(1764399909000);
    expect(datetimeFormat('%ms').format(MS)).toBe(MS);
    expect(datetimeFormat('%ms').parse(MS)).toBe(MS);
    expect(datetimeFormat('%ms').parse('soon')).toBeUndefined();
  });

  it('an unknown directive is refused, naming it', () => {
    expect(() => datetimeFormat('%Y-%j')).toThrow('"%Y-%j" is not a datetime format this engine knows: %j is not one of %Y %m %d %H %M %S %f %z %%');
    expect(() => datetimeFormat('%Y%')).toThrow('it ends with a lone %');
  });

  it('the cursor_datetime_format shorthands write as before and read any ISO-8601 date', () => {
    expect(shorthandFormat('iso8601').format(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00Z');
    expect(shorthandFormat('iso8601').parse('2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(shorthandFormat('date').format(MS)).toBe('2026-11-29');
    expect(shorthandFormat('date').parse('2026-11-29T07:05:09Z')).toBe(Date.UTC(2026, 10, 29, 7, 5, 9));
    expect(shorthandFormat('epoch_ms').format(1.5)).toBe(1.5);
    expect(shorthandFormat('epoch_s').format(MS)).toBe(Math.floor(MS / 1000));
  });
});
