import { addMonths } from '../expressions/date-functions.js';

/** An ISO-8601 duration such as P30D, P1M, P1Y, PT12H. Months and years are calendar months. */
export interface Duration {
  months: number;
  ms: number;
  text: string;
}

const PATTERN = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function parseDuration(text: string): Duration {
  const match = PATTERN.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) {
    throw new Error(`"${text}" is not an ISO-8601 duration (expected e.g. P1D, P30D, P1M, PT1H)`);
  }
  // A group that did not match is undefined, whatever RegExpExecArray's type says.
  const [, y, mo, w, d, h, mi, s] = match.map((part: string | undefined) => Number(part ?? 0));
  return {
    months: y * 12 + mo,
    ms: ((w * 7 + d) * 24 * 3600 + h * 3600 + mi * 60 + s) * 1000,
    text,
  };
}

export function addDuration(ms: number, duration: Duration, times = 1): number {
  return addMonths(ms, duration.months * times) + duration.ms * times;
}
