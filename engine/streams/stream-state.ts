import { configError } from '../core/errors.js';
import type { Cursor, CursorRange, StateTag } from './cursor.js';
import { RESET } from './datetime-cursor.js';

/** The keys a state may record its cursor's kind under, besides its cursors. */
const TAG_KEYS = ['granularity', 'cursor_granularity'];

/**
 * The saved position of an incremental stream: one cursor per partition, as
 * `{"states":[{"partition":{...},"cursor":{"<field>": value}}],"granularity":"P1D"}`. A flat `{"<field>": value}`
 * applies to every partition (a state from before partitions existed). `granularity` (a window cursor) or
 * `cursor_granularity` (a record cursor) is what the state was written with: a state with another one is refused,
 * so daily and monthly windows never mix; a state without it (written before it was recorded) is read as it is.
 */
export class StreamState<R extends CursorRange = CursorRange> {
  /** By partition key: the cursor, and the entry as the state lists it (rebuilt only when the cursor moves). */
  private readonly cursors = new Map<string, { cursor: number; entry: Record<string, unknown> }>();
  private fallback?: number;
  /** What the saved state was written with, then what this read writes (once its range is known). */
  private tag?: StateTag;

  constructor(
    private readonly stream: string,
    private readonly cursor: Cursor<R>,
  ) {}

  static parse<R extends CursorRange>(stream: string, cursor: Cursor<R>, value: unknown): StreamState<R> {
    const state = new StreamState(stream, cursor);
    if (value === undefined || value === null) return state;
    if (typeof value !== 'object' || Array.isArray(value)) throw state.invalid(value, 'it is not an object');
    const record = value as Record<string, unknown>;
    if (Object.keys(record).length === 0) return state;
    if (!('states' in record) && !(cursor.field in record)) throw state.invalid(value, `expected "states" (a list) or "${cursor.field}"`);
    for (const key of TAG_KEYS) {
      if (!(key in record) || cursor.field === key) continue;
      if (typeof record[key] !== 'string' || !/^P(?=\d|T\d)[\dYMWD]*(T[\dHMS.]+)?$/.test(record[key])) {
        throw state.invalid(value, `"${key}" must be an ISO-8601 duration such as P1D or P1M`);
      }
      state.tag = { key, value: record[key] };
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
   * Checks the saved cursors against the range a read covers, before any request: a state written with another
   * granularity (or another kind of cursor) is refused, and the cursor checks the rest (see Cursor.checkCursors).
   */
  begin(range: R, config: Record<string, unknown>, warn: (message: string) => void = () => undefined): void {
    const tag = this.cursor.stateTag(range);
    const cursors = [...this.cursors.values()].map(({ cursor }) => cursor);
    if (this.fallback !== undefined) cursors.push(this.fallback);
    if (cursors.length === 0) this.cursor.checkCursors(range, cursors, config, warn, this.stream);
    const saved = this.tag;
    if (saved !== undefined && cursors.length > 0 && (saved.key !== tag?.key || saved.value !== tag.value)) {
      const now = tag ? `${this.cursor.describeTag(tag).replace(/ windows$/, '')} (${tag.value}, from ${this.cursor.tagSource(config)})` : 'another kind of cursor';
      throw configError(
        'STATE_INVALID',
        `The saved state of stream "${this.stream}" was written with ${this.cursor.describeTag(saved)} (${saved.value}), ` +
          `but this read's are ${now}: ` +
          'reading on would mix both in the output, so nothing was read. Either go back to the previous granularity, ' +
          `or reset the stream: sync it from scratch into a new output, or ${RESET}.`,
        { stream: this.stream },
      );
    }
    this.tag = tag;
    if (cursors.length > 0) this.cursor.checkCursors(range, cursors, config, warn, this.stream);
  }

  get(partition: Record<string, unknown>): number | undefined {
    return this.cursors.get(partitionKey(partition))?.cursor ?? this.fallback;
  }

  /** Moves a partition's cursor forward (never back); answers whether it moved. */
  set(partition: Record<string, unknown>, cursor: number): boolean {
    const key = partitionKey(partition);
    const current = this.cursors.get(key)?.cursor ?? this.fallback;
    if (current !== undefined && !(cursor > current)) return false;
    this.cursors.set(key, { cursor, entry: { partition, cursor: { [this.cursor.field]: this.cursor.formatValue(cursor) } } });
    return true;
  }

  /** Partitions the state lists (at least 1: a flat state stands for every partition). */
  get partitions(): number {
    return Math.max(this.cursors.size, 1);
  }

  snapshot(): Record<string, unknown> {
    const states = [...this.cursors.values()].map(({ entry }) => entry);
    const snapshot: Record<string, unknown> = { states };
    if (this.tag !== undefined && this.cursor.field !== this.tag.key) snapshot[this.tag.key] = this.tag.value;
    if (this.fallback !== undefined) snapshot[this.cursor.field] = this.cursor.formatValue(this.fallback);
    return snapshot;
  }

  private cursorValue(value: unknown, whole: unknown): number {
    const parsed = this.cursor.parseValue(value);
    if (parsed === undefined) throw this.invalid(whole, `"${this.cursor.field}" is ${JSON.stringify(value)}, not ${this.cursor.valueKind}`);
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

/** The same partition whatever the order of its keys (a store may reorder them). */
export function partitionKey(partition: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(partition).sort().map((key) => [key, partition[key]]));
}
