import { configError } from '../core/errors.js';
import type { CompiledValue } from '../expressions/compiled-value.js';
import { parseDate } from '../expressions/date-functions.js';
import type { ExpressionContext, Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { DatetimeBasedCursorDefinition, RequestOptionDefinition } from '../format/manifest-types.generated.js';
import type { RequestOptions } from '../http/http-requester.js';
import { primaryKeyOf, shown, type Cursor, type CursorSlice, type SliceProgress, type StateTag } from './cursor.js';
import { datetimeFormat, shorthandFormat, type DatetimeFormat } from './datetime-format.js';
import { addDuration, parseDuration, type Duration } from './duration.js';
import type { StreamRecord } from './record-selector.js';
import { injectOption } from './request-option.js';

/** One slice [start, end) of a read's range, in epoch ms: what one request (with its pages) covers. */
export type DateSlice = CursorSlice;

/** The whole range of one read and how it is cut into slices, evaluated once when the read starts. */
export interface DateRange {
  start: number;
  end: number;
  /** Undefined: the whole range (from the start or the saved cursor) is one slice. */
  step?: Duration;
  /**
   * A window cursor's alignment unit (slices are whole units of it), or a record cursor's cursor_granularity
   * (the smallest step between two record values).
   */
  granularity: Duration;
  /** A record cursor (cursor_granularity): the state is the newest record value, not the end of the last slice. */
  records: boolean;
  lookback: Duration;
}

const DAY_MS = 86_400_000;
/** Epoch ms below this (1973-03-03) with a plausible date as seconds (from 2001-09-09) were written in seconds. */
const SECONDS_UP_TO = 1e11;
const SECONDS_FROM = 1e9;

/** The reset a message about a saved state suggests. */
export const RESET =
  'remove this stream\'s entry from the state (after a `sync` into SQLite, its row of the `_connector_state` table)';

/**
 * Date-sliced incremental reads. A window cursor (`granularity`, P1D by default) cuts the range into slices of
 * whole granularity units, `step` long at most, and a partition's saved cursor is the end of its last completed
 * slice, so a rerun starts exactly there. A record cursor (`cursor_granularity`) saves the newest cursor value of
 * the records read, and a rerun starts one cursor_granularity after it.
 */
export class DatetimeCursor implements Cursor<DateRange> {
  readonly field: string;
  readonly format: DatetimeFormat;
  readonly valueKind: string;
  readonly perPartition: boolean;
  /** The formats a record's cursor value is read with, in order. */
  private readonly recordFormats: DatetimeFormat[];
  private readonly start: CompiledValue;
  private readonly end: CompiledValue;
  private readonly step?: Template;
  private readonly granularity: Template;
  private readonly records: boolean;
  private readonly lookback: Template;
  private readonly lookbackOnlyWithNewData: boolean;
  private readonly dataFeed: boolean;
  private readonly startOption?: RequestOptionDefinition;
  private readonly endOption?: RequestOptionDefinition;
  private readonly where: string;
  /** The config values start_datetime and granularity read, to name them when they do not fit. */
  private readonly startReads: string[];
  private readonly granularityReads: string[];

  constructor(definition: DatetimeBasedCursorDefinition, path: Path, context: ComponentContext) {
    this.where = context.describe(path);
    this.field = definition.cursor_field;
    if (definition.datetime_format !== undefined && definition.cursor_datetime_format !== undefined) {
      throw configError('MANIFEST_INVALID', `${this.where} gives both datetime_format and cursor_datetime_format (a shorthand for it): keep one.`);
    }
    if (definition.granularity !== undefined && definition.cursor_granularity !== undefined) {
      throw configError('MANIFEST_INVALID', `${this.where} gives both granularity (a window cursor) and cursor_granularity (a record cursor): keep one.`);
    }
    if (definition.is_data_feed && definition.step !== undefined) {
      throw configError('MANIFEST_INVALID', `${this.where} is a data feed (is_data_feed), read newest first in one slice: remove its step.`);
    }
    this.format = this.formatOf(definition.datetime_format, definition.cursor_datetime_format, 'datetime_format');
    this.valueKind = `a ${this.format.text} date`;
    this.recordFormats = definition.cursor_datetime_formats
      ? definition.cursor_datetime_formats.map((text, index) => this.formatOf(text, undefined, `cursor_datetime_formats[${index}]`))
      : [this.format];
    this.start = context.value(definition.start_datetime, [...path, 'start_datetime']);
    this.end = context.value(definition.end_datetime, [...path, 'end_datetime']);
    this.step = context.optionalTemplate(definition.step, [...path, 'step']);
    this.records = definition.cursor_granularity !== undefined;
    this.granularity = context.template(definition.cursor_granularity ?? definition.granularity ?? 'P1D', [...path, this.records ? 'cursor_granularity' : 'granularity']);
    this.lookback = context.template(definition.lookback_window, [...path, 'lookback_window']);
    this.lookbackOnlyWithNewData = definition.lookback_only_with_new_data;
    this.dataFeed = definition.is_data_feed;
    this.startOption = definition.start_time_option;
    this.endOption = definition.end_time_option;
    this.perPartition = [definition.start_datetime, definition.end_datetime].some((bound) => JSON.stringify(bound ?? '').includes('stream_partition'));
    this.startReads = configReferences(definition.start_datetime);
    this.granularityReads = configReferences(definition.cursor_granularity ?? definition.granularity);
  }

  async range(context: ExpressionContext): Promise<DateRange> {
    const granularity = this.granularityOf(String(await this.granularity.evaluate(context)));
    const stepValue = await this.step?.evaluate(context);
    const step = stepValue === undefined ? undefined : this.duration(stepValue, 'step');
    if (step) this.checkStep(step, granularity);
    const start = this.date(await this.start.evaluate(context), 'start_datetime');
    const end = this.date(await this.end.evaluate(context), 'end_datetime');
    return {
      start: this.records ? start : alignUp(start, granularity),
      end: this.records ? end : alignDown(end, granularity),
      step,
      granularity,
      records: this.records,
      lookback: this.duration(await this.lookback.evaluate(context), 'lookback_window'),
    };
  }

  /**
   * Slices of `range` still to read after `cursor`, oldest first. A window cursor between two slice boundaries (one
   * this connector did not write) is taken back to the boundary before it: that day or month is read again rather
   * than skipped. With lookback_only_with_new_data, a cursor with nothing after it gives no slice.
   */
  slices(range: DateRange, cursor: number | undefined): DateSlice[] {
    const from = this.readStart(range, cursor);
    if (from === undefined) return [];
    const slices: DateSlice[] = [];
    for (let start = from; start < range.end; ) {
      let to = range.step ? addDuration(start, range.step) : range.end;
      if (!range.records) to = alignDown(to, range.granularity);
      to = Math.min(to, range.end);
      if (!(to > start)) break;
      slices.push(range.records ? { start, end: to, last: addDuration(to, range.granularity, -1) } : { start, end: to });
      start = to;
    }
    return slices;
  }

  /** Where a partition's read starts (lookback included); undefined when it reads nothing. */
  private readStart(range: DateRange, cursor: number | undefined): number | undefined {
    if (cursor === undefined) return range.start;
    const next = range.records ? addDuration(cursor, range.granularity) : alignDown(cursor, range.granularity);
    if (this.lookbackOnlyWithNewData && !(next < range.end)) return undefined;
    const back = addDuration(next, range.lookback, -1);
    return Math.max(range.start, range.records ? back : alignDown(back, range.granularity));
  }

  /** stream_slice as expressions see it: bounds in the cursor's format (a record cursor's end is inclusive). */
  sliceContext(slice: DateSlice): Record<string, unknown> {
    return { start_time: this.formatValue(slice.start), end_time: this.formatValue(slice.last ?? slice.end) };
  }

  requestOptions(slice: DateSlice): RequestOptions {
    if (!this.startOption && !this.endOption) return {};
    const bounds = this.sliceContext(slice);
    return injectOption(injectOption({}, this.startOption, bounds.start_time), this.endOption, bounds.end_time);
  }

  progress(range: DateRange, slice: DateSlice, saved: number | undefined, primaryKey: string[]): SliceProgress {
    // Records older than the read are dropped once a state exists (and on a data feed's first read, older than
    // its start); a window cursor's position is its slice's end, a record cursor's the newest value read.
    const threshold = saved !== undefined ? this.readStart(range, saved) ?? slice.start : this.dataFeed ? range.start : undefined;
    const needsValues = threshold !== undefined || range.records;
    const seen = this.dataFeed && primaryKey.length > 0 ? new Set<string>() : undefined;
    const last = slice.last ?? slice.end;
    let newest: number | undefined;
    return {
      problem: (records) => (needsValues ? this.unreadable(records) : undefined),
      take: (records) => {
        if (!needsValues && !this.dataFeed) return { records, stop: false };
        const kept: StreamRecord[] = [];
        let older = false;
        for (const record of records) {
          const value = this.recordValue(record[this.field]) as number;
          if (threshold !== undefined && value < threshold) {
            older = true;
            continue;
          }
          if (seen) {
            const key = primaryKeyOf(record, primaryKey);
            if (seen.has(key)) continue;
            seen.add(key);
          }
          if (newest === undefined || value > newest) newest = value;
          kept.push(record);
        }
        return { records: kept, stop: this.dataFeed && (older || kept.length === 0) };
      },
      position: () => {
        if (!range.records && !this.dataFeed) return slice.end;
        return newest === undefined ? undefined : Math.min(newest, last);
      },
    };
  }

  describeSlice(slice: DateSlice): string {
    const days = slice.last === undefined && slice.start % DAY_MS === 0 && slice.end % DAY_MS === 0;
    if (days) return `The slice from ${new Date(slice.start).toISOString().slice(0, 10)} to ${new Date(slice.end - 1).toISOString().slice(0, 10)}`;
    return `The slice from ${describeDate(slice.start)} to ${describeDate(slice.last ?? slice.end)}${slice.last === undefined ? ' (exclusive)' : ''}`;
  }

  stateTag(range: DateRange): StateTag {
    return { key: range.records ? 'cursor_granularity' : 'granularity', value: range.granularity.text };
  }

  describeTag(tag: StateTag): string {
    if (tag.key === 'cursor_granularity') return `a record cursor of ${tag.value} steps`;
    return tag.value === 'P1D' ? 'daily windows' : tag.value === 'P1M' ? 'monthly windows' : `windows of ${tag.value}`;
  }

  /** What sets the granularity, for messages: the config values it reads, or the manifest. */
  tagSource(config: Record<string, unknown>): string {
    if (this.granularityReads.length === 0) return `the granularity at ${this.where}`;
    return this.granularityReads.map((key) => `config.${key} (now ${JSON.stringify(config[key])})`).join(', ');
  }

  /**
   * A first read whose range starts after it ends is refused; a cursor after the range (nothing to read until
   * then) or one that looks written in seconds is told to `warn`.
   */
  checkCursors(range: DateRange, cursors: number[], config: Record<string, unknown>, warn: (message: string) => void, stream: string): void {
    if (cursors.length === 0 && range.start > range.end) throw this.startAfterEnd(range, config);
    const after = cursors.filter((cursor) => !((range.records ? cursor : alignDown(cursor, range.granularity)) <= range.end));
    if (after.length > 0) {
      const latest = Math.max(...after);
      warn(
        `Stream "${stream}": the saved cursor${after.length > 1 ? ` of ${after.length} partitions (the latest)` : ''} is ` +
          `${describeDate(latest)}, after the newest final data (up to ${describeDate(range.end)}, exclusive): nothing is read until then. ` +
          `If the state is wrong, ${RESET}, and the stream is read again from its start date.`,
      );
    }
    if (this.format.text === 'epoch_ms' || this.format.text === '%ms') {
      const seconds = cursors.filter((cursor) => cursor >= SECONDS_FROM && cursor < SECONDS_UP_TO);
      if (seconds.length > 0) {
        warn(
          `Stream "${stream}": the saved cursor ${seconds[0]}${seconds.length > 1 ? ` (and ${seconds.length - 1} more)` : ''} ` +
            `looks like epoch seconds (${describeDate(seconds[0] * 1000)}), but "${this.field}" is in epoch milliseconds ` +
            `(as milliseconds it is ${describeDate(seconds[0])}): the stream is read from its start date, so nothing is lost.`,
        );
      }
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

  formatValue(ms: number): string | number {
    return this.format.format(ms);
  }

  /** Reads a cursor value written in the cursor's format (a state's); undefined when it is not one. */
  parseValue(value: unknown): number | undefined {
    return this.format.parse(value) ?? this.recordValue(value);
  }

  /** A record's cursor value, read with the first of the cursor_datetime_formats it fits; undefined if none. */
  private recordValue(value: unknown): number | undefined {
    for (const format of this.recordFormats) {
      const ms = format.parse(value);
      if (ms !== undefined) return ms;
    }
    return undefined;
  }

  /** What the first record whose cursor value cannot be read has, said to follow a status; else undefined. */
  private unreadable(records: StreamRecord[]): string | undefined {
    for (let index = 0; index < records.length; index++) {
      const value = records[index][this.field];
      if (this.recordValue(value) === undefined) {
        const formats = this.recordFormats.map((format) => format.text).join(', ');
        return `with record ${index + 1} of ${records.length} whose "${this.field}" (${shown(value)}) fits none of its formats (${formats})`;
      }
    }
    return undefined;
  }

  private formatOf(text: string | undefined, shorthand: DatetimeBasedCursorDefinition['cursor_datetime_format'], field: string): DatetimeFormat {
    if (text === undefined) return shorthandFormat(shorthand ?? 'iso8601');
    try {
      return datetimeFormat(text);
    } catch (error) {
      throw configError('MANIFEST_INVALID', `${field} at ${this.where}: ${(error as Error).message}.`);
    }
  }

  private granularityOf(text: string): Duration {
    const name = this.records ? 'cursor_granularity' : 'granularity';
    let duration: Duration | undefined;
    try {
      duration = parseDuration(text);
    } catch {
      duration = undefined;
    }
    const windowUnit = duration && (duration.months === 1 ? duration.ms === 0 : duration.months === 0 && duration.ms > 0 && DAY_MS % duration.ms === 0);
    const recordStep = duration && (duration.months > 0 || duration.ms > 0);
    if (!duration || !(this.records ? recordStep : windowUnit)) {
      throw configError(
        'CONFIG_INVALID',
        this.records
          ? `${name} at ${this.where} is "${text}"; expected a positive ISO-8601 duration, e.g. PT1S, PT1M, PT1H or P1D.`
          : `${name} at ${this.where} is "${text}"; expected P1D (whole days), P1M (whole months) or a part of a day (PT1S, PT1M, PT1H, PT15M...).`,
      );
    }
    return duration;
  }

  private checkStep(step: Duration, granularity: Duration): void {
    if (granularity.months > 0 && !this.records) {
      if (step.months === 0 || step.ms !== 0) {
        throw configError('CONFIG_INVALID', `step at ${this.where} is ${step.text}, but windows are whole months (granularity P1M): use whole months, e.g. P1M or P12M.`);
      }
      return;
    }
    if (step.months === 0 && step.ms < granularity.ms) {
      throw configError('CONFIG_INVALID', `step at ${this.where} must be at least ${unitName(granularity)}, got ${step.text}.`);
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

const UNIT_NAMES: Record<string, string> = { P1D: 'one day', PT1H: 'one hour', PT1M: 'one minute', PT1S: 'one second' };

function unitName(duration: Duration): string {
  return UNIT_NAMES[duration.text] ?? duration.text;
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

/** `ms` taken back to the start of its granularity unit: a calendar month for P1M, else a multiple of the unit. */
export function alignDown(ms: number, granularity: Duration): number {
  if (granularity.months > 0) {
    const d = new Date(ms);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  return Math.floor(ms / granularity.ms) * granularity.ms;
}

export function alignUp(ms: number, granularity: Duration): number {
  const down = alignDown(ms, granularity);
  if (down === ms) return ms;
  return granularity.months > 0 ? addDuration(down, granularity) : down + granularity.ms;
}

declare module '../format/component-context.js' {
  interface Components {
    DatetimeBasedCursor: DatetimeCursor;
  }
}
