import { configError } from '../core/errors.js';
import type { DatetimeCursor } from './datetime-cursor.js';

/**
 * The saved position of an incremental stream: one cursor per partition, as
 * `{"states":[{"partition":{...},"cursor":{"<field>": value}}]}`. A flat `{"<field>": value}` applies to every
 * partition (a state from before partitions existed).
 */
export class StreamState {
  /** By partition key: the cursor, and the entry as the state lists it (rebuilt only when the cursor moves). */
  private readonly cursors = new Map<string, { cursor: number; entry: Record<string, unknown> }>();
  private fallback?: number;

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
    return this.fallback === undefined ? { states } : { states, [this.cursor.field]: this.cursor.formatValue(this.fallback) };
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

/** The same partition whatever the order of its keys (a store may reorder them). */
export function partitionKey(partition: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(partition).sort().map((key) => [key, partition[key]]));
}
