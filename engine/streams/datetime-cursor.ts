import { configError } from '../core/errors.js';
import type { CompiledValue } from '../expressions/compiled-value.js';
import { parseDate } from '../expressions/date-functions.js';
import type { ExpressionContext, Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { DatetimeBasedCursorDefinition } from '../format/manifest-types.generated.js';
import { addDuration, parseDuration, type Duration } from './duration.js';

/** One slice [start, end) of a read's range, in epoch ms: what one request (with its pages) covers. */
export interface DateSlice {
  start: number;
  end: number;
}

/** The whole range of one read and how it is cut into slices, evaluated once when the read starts. */
export interface DateRange {
  start: number;
  end: number;
  step: Duration;
  granularity: 'day' | 'month';
  lookback: Duration;
}

const DAY_MS = 86_400_000;

/**
 * Date-sliced incremental reads. Slices are whole UTC days or whole calendar months, `step` long at most; the
 * saved cursor of a partition is the end of its last completed slice, so a rerun starts exactly there.
 */
export class DatetimeCursor {
  readonly field: string;
  readonly format: DatetimeBasedCursorDefinition['cursor_datetime_format'];
  private readonly start: CompiledValue;
  private readonly end: CompiledValue;
  private readonly step: Template;
  private readonly granularity: Template;
  private readonly lookback: Template;
  private readonly where: string;
  /** The config values start_datetime and granularity read, to name them when they do not fit. */
  private readonly startReads: string[];
  private readonly granularityReads: string[];

  constructor(definition: DatetimeBasedCursorDefinition, path: Path, context: ComponentContext) {
    this.field = definition.cursor_field;
    this.format = definition.cursor_datetime_format;
    this.start = context.value(definition.start_datetime, [...path, 'start_datetime']);
    this.end = context.value(definition.end_datetime, [...path, 'end_datetime']);
    this.step = context.template(definition.step, [...path, 'step']);
    this.granularity = context.template(definition.granularity, [...path, 'granularity']);
    this.lookback = context.template(definition.lookback_window, [...path, 'lookback_window']);
    this.where = context.describe(path);
    this.startReads = configReferences(definition.start_datetime);
    this.granularityReads = configReferences(definition.granularity);
  }

  async range(context: ExpressionContext): Promise<DateRange> {
    const granularityText = String(await this.granularity.evaluate(context));
    if (granularityText !== 'P1D' && granularityText !== 'P1M') {
      throw configError('CONFIG_INVALID', `granularity at ${this.where} is "${granularityText}"; expected P1D (whole days) or P1M (whole months).`);
    }
    const granularity = granularityText === 'P1D' ? 'day' : 'month';
    const step = this.duration(await this.step.evaluate(context), 'step');
    if (step.months === 0 && step.ms < DAY_MS) throw configError('CONFIG_INVALID', `step at ${this.where} must be at least one day, got ${step.text}.`);
    if (granularity === 'month' && (step.months === 0 || step.ms !== 0)) {
      throw configError('CONFIG_INVALID', `step at ${this.where} is ${step.text}, but windows are whole months (granularity P1M): use whole months, e.g. P1M or P12M.`);
    }
    return {
      start: alignUp(this.date(await this.start.evaluate(context), 'start_datetime'), granularity),
      end: alignDown(this.date(await this.end.evaluate(context), 'end_datetime'), granularity),
      step,
      granularity,
      lookback: this.duration(await this.lookback.evaluate(context), 'lookback_window'),
    };
  }

  /**
   * Slices of `range` still to read after `cursor` (the end of the last completed slice), oldest first. A cursor
   * between two slice boundaries (one this connector did not write) is taken back to the boundary before it: that
   * day or month is read again rather than skipped.
   */
  slices(range: DateRange, cursor: number | undefined): DateSlice[] {
    let from = range.start;
    if (cursor !== undefined) from = Math.max(from, alignDown(addDuration(cursor, range.lookback, -1), range.granularity));
    const slices: DateSlice[] = [];
    while (from < range.end) {
      const to = Math.min(alignDown(addDuration(from, range.step), range.granularity), range.end);
      if (to <= from) break;
      slices.push({ start: from, end: to });
      from = to;
    }
    return slices;
  }

  /** stream_slice as expressions see it: bounds in the cursor's format. */
  sliceContext(slice: DateSlice): Record<string, unknown> {
    return { start_time: this.formatValue(slice.start), end_time: this.formatValue(slice.end) };
  }

  formatValue(ms: number): string | number {
    switch (this.format) {
      case 'epoch_ms':
        return ms;
      case 'epoch_s':
        return Math.floor(ms / 1000);
      case 'date':
        return new Date(ms).toISOString().slice(0, 10);
      case 'iso8601':
        return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
    }
  }

  /** The error of a first read whose range starts after it ends: it would read nothing, whatever the API holds. */
  startAfterEnd(range: DateRange, config: Record<string, unknown>): Error {
    const reads = this.startReads.map((key) => `config.${key} = ${JSON.stringify(config[key])}`).join(', ');
    return configError(
      'CONFIG_INVALID',
      `start_datetime at ${this.where} is ${describeDate(range.start)}, after the end of the range (${describeDate(range.end)}, exclusive): ` +
        `a sync would read nothing.${reads ? ` It comes from ${reads}.` : ''} Give a start date before ${describeDate(range.end)}.`,
    );
  }

  /** What sets the granularity, for messages: the config values it reads, or the manifest. */
  granularitySource(config: Record<string, unknown>): string {
    if (this.granularityReads.length === 0) return `the granularity at ${this.where}`;
    return this.granularityReads.map((key) => `config.${key} (now ${JSON.stringify(config[key])})`).join(', ');
  }

  /** Reads a cursor value written in the cursor's format; undefined when it is not one. */
  parseValue(value: unknown): number | undefined {
    if (this.format === 'epoch_ms' || this.format === 'epoch_s') {
      const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number)) return undefined;
      return this.format === 'epoch_s' ? number * 1000 : number;
    }
    try {
      return parseDate(String(value));
    } catch {
      return undefined;
    }
  }

  private date(value: unknown, field: string): number {
    const ms = typeof value === 'number' ? value : this.parseValue(value) ?? tryParse(value);
    if (ms === undefined || !Number.isFinite(ms)) {
      throw configError('CONFIG_INVALID', `${field} at ${this.where} gave ${JSON.stringify(value)}; expected a date (epoch ms or ISO-8601).`);
    }
    return ms;
  }

  private duration(value: unknown, field: string): Duration {
    try {
      return parseDuration(String(value));
    } catch (error) {
      throw configError('CONFIG_INVALID', `${field} at ${this.where}: ${(error as Error).message}.`);
    }
  }
}

/** The top-level config keys an expression names (`config.start_date` gives start_date). */
function configReferences(expression: unknown): string[] {
  if (typeof expression !== 'string') return [];
  return [...new Set([...expression.matchAll(/\bconfig\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]))];
}

/** The last moment of year 9999: later values are no date anyone means. */
const LAST_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A date for messages: YYYY-MM-DD (UTC), with the time when it is not midnight; beyond year 9999, said so. */
export function describeDate(ms: number): string {
  if (!Number.isFinite(ms) || ms > LAST_DATE_MS) return `${ms}, beyond any date`;
  if (ms < -8.64e15) return `${ms}, before any date`;
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}

function tryParse(value: unknown): number | undefined {
  try {
    return parseDate(String(value));
  } catch {
    return undefined;
  }
}

export function alignDown(ms: number, granularity: 'day' | 'month'): number {
  if (granularity === 'day') return Math.floor(ms / DAY_MS) * DAY_MS;
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function alignUp(ms: number, granularity: 'day' | 'month'): number {
  const down = alignDown(ms, granularity);
  if (down === ms) return ms;
  if (granularity === 'day') return down + DAY_MS;
  const d = new Date(down);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

declare module '../format/component-context.js' {
  interface Components {
    DatetimeBasedCursor: DatetimeCursor;
  }
}
