import type { ExpressionContext } from '../expressions/template.js';
import type { RequestOptions } from '../http/http-requester.js';
import type { StreamRecord } from './record-selector.js';

/** One slice [start, end) of a partition's read, in the cursor's unit (epoch ms, or the counter). */
export interface CursorSlice {
  start: number;
  end: number;
  /** The last instant it covers, when its end is shown inclusive (a record cursor's: end less cursor_granularity). */
  last?: number;
}

/** What a cursor evaluated once when a read starts: its bounds, and what its slices are cut with. */
export interface CursorRange {
  start: number;
  end: number;
}

/** What a state records so that one written by another kind of cursor is refused, e.g. `granularity: P1D`. */
export interface StateTag {
  key: string;
  value: string;
}

/** The records of one slice as they come, page after page, and where they move the partition's cursor. */
export interface SliceProgress {
  /** Why a page's records cannot be used (a cursor value that is not one), said to follow a status; else undefined. */
  problem(records: StreamRecord[]): string | undefined;
  /** The records of a page to emit (those older than the read dropped, repeats dropped), and whether paging stops. */
  take(records: StreamRecord[]): { records: StreamRecord[]; stop: boolean };
  /** The partition's cursor once the slice is read; undefined when the slice does not move it. */
  position(): number | undefined;
}

/** An incremental cursor: how a partition's read is cut into slices from its saved position, and how it moves. */
export interface Cursor<R extends CursorRange = CursorRange> {
  readonly field: string;
  /**
   * Whether the range reads stream_partition (a start or end that depends on the partition): it is then evaluated
   * for each partition, in that partition's context, instead of once per read.
   */
  readonly perPartition?: boolean;
  /** Evaluates the read's bounds once, before any request: a bad declaration is a config error here. */
  range(context: ExpressionContext): Promise<R>;
  /** What the state records of this read, if anything. */
  stateTag(range: R): StateTag | undefined;
  /** What a STATE tag means, for messages: `daily windows`. */
  describeTag(tag: StateTag): string;
  /** Where the tag comes from, for messages. */
  tagSource(config: Record<string, unknown>): string;
  /** Checks the saved cursors (all partitions) against the range, before any request: throws or warns. */
  checkCursors(range: R, cursors: number[], config: Record<string, unknown>, warn: (message: string) => void, stream: string): void;
  /** The slices of a partition still to read after its saved cursor, oldest first. */
  slices(range: R, saved: number | undefined): CursorSlice[];
  /** stream_slice as expressions see it. */
  sliceContext(slice: CursorSlice): Record<string, unknown>;
  /** What the slice adds to each of its requests (its bounds, where the manifest injects them). */
  requestOptions(slice: CursorSlice): RequestOptions;
  /** Follows the records of one slice of a partition read from `saved`. */
  progress(range: R, slice: CursorSlice, saved: number | undefined, primaryKey: string[]): SliceProgress;
  /** The slice for messages: `The slice from 2026-01-01 to 2026-01-30`. */
  describeSlice(slice: CursorSlice): string;
  formatValue(value: number): unknown;
  /** Reads a saved cursor value; undefined when it is not one. */
  parseValue(value: unknown): number | undefined;
  /** The kind of value the state holds, for messages: `a epoch_ms date`. */
  readonly valueKind: string;
}

/** A record's primary key as one string, for recognising a record already emitted. */
export function primaryKeyOf(record: StreamRecord, primaryKey: string[]): string {
  return JSON.stringify(primaryKey.map((field) => record[field]));
}

/** A record value for messages: its JSON, cut to 60 characters. */
export function shown(value: unknown): string {
  // JSON.stringify answers undefined for undefined, whatever its type says.
  const json = JSON.stringify(value) as string | undefined;
  return (json ?? String(value)).slice(0, 60);
}
