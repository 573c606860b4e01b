import { configError } from '../core/errors.js';
import { alignDown, describeDate, type DateRange, type DatetimeCursor } from './datetime-cursor.js';

/** Epoch ms below this (1973-03-03) with a plausible date as seconds (from 2001-09-09) were written in seconds. */
const SECONDS_UP_TO = 1e11;
const SECONDS_FROM = 1e9;

/** The reset a message about a saved state suggests. */
const RESET =
  'remove this stream\'s entry from the state (after a `sync` into SQLite, its row of the `_connector_state` table)';

/**
 * The saved position of an incremental stream: one cursor per partition, as
 * `{"states":[{"partition":{...},"cursor":{"<field>": value}}],"granularity":"P1D"}`. A flat `{"<field>": value}`
 * applies to every partition (a state from before partitions existed). `granularity` is the cursor's granularity
 * the state was written with: a state with another one is refused, so daily and monthly windows never mix; a state
 * without it (written before it was recorded) is read as it is.
 */
export class StreamState {
  /** By partition key: the cursor, and the entry as the state lists it (rebuilt only when the cursor moves). */
  private readonly cursors = new Map<string, { cursor: number; entry: Record<string, unknown> }>();
  private fallback?: number;
  /** The granularity the saved state was written with, then the one of this read (once its range is known). */
  private granularity?: string;

  constructor(
    private readonly stream: string,
    private readonly cursor: DatetimeCursor,
  ) {}

  static parse(stream: string, cursor: DatetimeCursor, value: unknown): StreamState {
    const state = new StreamState(stream, cursor);
    if (value === undefined || value === null) return state;
    if (typeof value !== 'object' || Array.isArray(value)) throw state.invalid(value, 'it is not an object');
    const record = value as Record<string, unknown>;
    if (Object.keys(record).length === 0) return state;
    if (!('states' in record) && !(cursor.field in record)) throw state.invalid(value, `expected "states" (a list) or "${cursor.field}"`);
    if ('granularity' in record && cursor.field !== 'granularity') {
      if (record.granularity !== 'P1D' && record.granularity !== 'P1M') throw state.invalid(value, '"granularity" must be P1D or P1M');
      state.granularity = record.granularity;
    }
    if (cursor.field in record) state.fallback = state.cursorValue(record[cursor.field], value);
    if (!('states' in record)) return state;
    if (!Array.isArray(record.states)) throw state.invalid(value, '"states" must be a list');
    for (const entry of record.states as unknown[]) {
      const item = entry as { partition?: unknown; cursor?: unknown } | null;
      if (!item || typeof item.partition !== 'object' || item.partition === null || typeof item.cursor !== 'object' || item.cursor === null) {
        throw state.invalid(value, 'each entry of "states" needs a "partition" and a "cursor" object');
      }
      state.set(item.partition as Record<string, unknown>, state.cursorValue((item.cursor as Record<string, unknown>)[cursor.field], value));
    }
    return state;
  }

  /**
   * Checks the saved cursors against the range a read covers, before any request: a granularity other than the
   * one the state was written with, or a first read whose range starts after it ends, is refused; a cursor after
   * the range (nothing to read until then) or one that looks written in seconds is told to `warn`.
   */
  begin(range: DateRange, config: Record<string, unknown>, warn: (message: string) => void = () => undefined): void {
    const granularity = range.granularity === 'day' ? 'P1D' : 'P1M';
    const cursors = [...this.cursors.values()].map(({ cursor }) => cursor);
    if (this.fallback !== undefined) cursors.push(this.fallback);
    if (cursors.length === 0 && range.start > range.end) throw this.cursor.startAfterEnd(range, config);
    if (this.granularity !== undefined && this.granularity !== granularity && cursors.length > 0) {
      throw configError(
        'STATE_INVALID',
        `The saved state of stream "${this.stream}" was written with ${GRANULARITY[this.granularity]} windows (${this.granularity}), ` +
          `but this read's are ${GRANULARITY[granularity]} (${granularity}, from ${this.cursor.granularitySource(config)}): ` +
          'reading on would mix both in the output, so nothing was read. Either go back to the previous granularity, ' +
          `or reset the stream: sync it from scratch into a new output, or ${RESET}.`,
        { stream: this.stream },
      );
    }
    this.granularity = granularity;
    const after = cursors.filter((cursor) => !(alignedDown(cursor, range) <= range.end));
    if (after.length > 0) {
      const latest = Math.max(...after);
      warn(
        `Stream "${this.stream}": the saved cursor${after.length > 1 ? ` of ${after.length} partitions (the latest)` : ''} is ` +
          `${describeDate(latest)}, after the newest final data (up to ${describeDate(range.end)}, exclusive): nothing is read until then. ` +
          `If the state is wrong, ${RESET}, and the stream is read again from its start date.`,
      );
    }
    if (this.cursor.format === 'epoch_ms') {
      const seconds = cursors.filter((cursor) => cursor >= SECONDS_FROM && cursor < SECONDS_UP_TO);
      if (seconds.length > 0) {
        warn(
          `Stream "${this.stream}": the saved cursor ${seconds[0]}${seconds.length > 1 ? ` (and ${seconds.length - 1} more)` : ''} ` +
            `looks like epoch seconds (${describeDate(seconds[0] * 1000)}), but "${this.cursor.field}" is in epoch milliseconds ` +
            `(as milliseconds it is ${describeDate(seconds[0])}): the stream is read from its start date, so nothing is lost.`,
        );
      }
    }
  }

  get(partition: Record<string, unknown>): number | undefined {
    return this.cursors.get(partitionKey(partition))?.cursor ?? this.fallback;
  }

  /** Moves a partition's cursor forward (never back). */
  set(partition: Record<string, unknown>, cursor: number): void {
    const key = partitionKey(partition);
    const current = this.cursors.get(key)?.cursor ?? this.fallback;
    if (current === undefined || cursor > current) {
      this.cursors.set(key, { cursor, entry: { partition, cursor: { [this.cursor.field]: this.cursor.formatValue(cursor) } } });
    }
  }

  /** Partitions the state lists (at least 1: a flat state stands for every partition). */
  get partitions(): number {
    return Math.max(this.cursors.size, 1);
  }

  snapshot(): Record<string, unknown> {
    const states = [...this.cursors.values()].map(({ entry }) => entry);
    const snapshot: Record<string, unknown> = { states };
    if (this.granularity !== undefined && this.cursor.field !== 'granularity') snapshot.granularity = this.granularity;
    if (this.fallback !== undefined) snapshot[this.cursor.field] = this.cursor.formatValue(this.fallback);
    return snapshot;
  }

  private cursorValue(value: unknown, whole: unknown): number {
    const parsed = this.cursor.parseValue(value);
    if (parsed === undefined) throw this.invalid(whole, `"${this.cursor.field}" is ${JSON.stringify(value)}, not a ${this.cursor.format} date`);
    return parsed;
  }

  private invalid(value: unknown, why: string): Error {
    // JSON.stringify answers undefined for undefined, whatever its type says.
    const json = JSON.stringify(value) as string | undefined;
    const text = json ?? String(value);
    return configError('STATE_INVALID',
      `The saved state of stream "${this.stream}" is not one this connector wrote (${why}): ${text.slice(0, 200)}. ` +
        'Fix or remove this stream\'s state (a reset of the stream) to sync it again from the start date.',
      { stream: this.stream },
    );
  }
}

const GRANULARITY: Record<string, string> = { P1D: 'daily', P1M: 'monthly' };

/** A cursor taken back to its slice boundary, as a read starts from it (NaN beyond any date). */
function alignedDown(cursor: number, range: DateRange): number {
  return alignDown(cursor, range.granularity);
}

/** The same partition whatever the order of its keys (a store may reorder them). */
export function partitionKey(partition: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(partition).sort().map((key) => [key, partition[key]]));
}
