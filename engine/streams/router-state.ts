import { configError } from '../core/errors.js';

/** The key of a stream's state holding the states of the parents it reads incrementally, by parent stream name. */
export const PARENT_STATE_KEY = 'parent_state';
/** The key of a stream's state holding when each parent value with a refresh_interval was last read (ISO UTC). */
export const PARTITIONS_READ_KEY = 'partitions_read';

/**
 * What partition routers keep in a stream's state, beside its cursors and under their own keys (so a state with
 * them is still the cursor's state plus two keys): the state of each parent read incrementally, and when each parent
 * value with a refresh_interval was last read. One per read of a stream: a parent's new state is kept only once
 * every partition of the read was read; a value counts as read (at the time the read started) once every partition
 * carrying it was read.
 */
export class RouterState {
  private readonly parents: Record<string, unknown>;
  private readonly newParents: Record<string, unknown> = {};
  private readonly saved: Map<string, string>;
  private readonly readAt: Map<string, string>;
  /** Parent values the routers listed in this read; failed ones are not recorded. */
  private readonly listedValues = new Set<string>();
  private readonly failed = new Set<string>();
  private listing: 'partial' | 'whole' | 'new-only' = 'partial';
  private everyPartitionRead = false;

  /** `startedAt`: when the read started, in epoch ms; the time recorded for the values it reads. */
  constructor(
    readonly startedAt: number,
    saved: { parents?: Record<string, unknown>; readAt?: Record<string, string> } = {},
  ) {
    this.parents = { ...saved.parents };
    this.saved = new Map(Object.entries(saved.readAt ?? {}));
    this.readAt = new Map(this.saved);
  }

  /**
   * Splits a saved stream state into the cursor's part (given to StreamState, undefined when only routers wrote it)
   * and this one.
   */
  static parse(stream: string, value: unknown, startedAt: number): { cursorState: unknown; routerState: RouterState } {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { cursorState: value, routerState: new RouterState(startedAt) };
    const { [PARENT_STATE_KEY]: parents, [PARTITIONS_READ_KEY]: readAt, ...rest } = value as Record<string, unknown>;
    const invalid = (why: string) =>
      configError('STATE_INVALID', `The saved state of stream "${stream}" is not one this connector wrote: ${why}. Fix or remove this stream's state to read it again in full.`, { stream });
    if (parents !== undefined && (parents === null || typeof parents !== 'object' || Array.isArray(parents))) throw invalid(`"${PARENT_STATE_KEY}" must be an object`);
    if (readAt !== undefined) {
      if (readAt === null || typeof readAt !== 'object' || Array.isArray(readAt)) throw invalid(`"${PARTITIONS_READ_KEY}" must be an object`);
      for (const [key, time] of Object.entries(readAt)) {
        if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) throw invalid(`"${PARTITIONS_READ_KEY}"."${key}" must be an ISO date-time`);
      }
    }
    const cursorState = parents === undefined && readAt === undefined ? value : Object.keys(rest).length > 0 ? rest : undefined;
    const routerState = new RouterState(startedAt, { parents: parents as Record<string, unknown>, readAt: readAt as Record<string, string> });
    return { cursorState, routerState };
  }

  /** The state a parent stream was left at by the last complete read of this stream. */
  parentState(parent: string): unknown {
    return this.parents[parent];
  }

  /** A parent read incrementally reached `state`: kept once every partition of this read was read. */
  setParentState(parent: string, state: unknown): void {
    this.newParents[parent] = state;
  }

  /** When a parent value was last read (epoch ms), if recorded. */
  lastRead(value: string): number | undefined {
    const time = this.readAt.get(value);
    return time === undefined ? undefined : Date.parse(time);
  }

  /** The routers list `value` in this read (read now or not): its entry stays. */
  listed(value: string): void {
    this.listedValues.add(value);
  }

  /** Every partition with `marks` was read (`ok`) or one failed: the values are recorded as read now, or not at all. */
  partitionDone(marks: string[] | undefined, ok: boolean): void {
    for (const mark of marks ?? []) {
      if (!ok) this.failed.add(mark);
      if (ok && !this.failed.has(mark)) this.readAt.set(mark, new Date(this.startedAt).toISOString());
      else if (this.saved.has(mark)) this.readAt.set(mark, this.saved.get(mark) as string);
      else this.readAt.delete(mark);
    }
  }

  /**
   * The partitions were all listed: values not listed are dropped, unless a parent was read incrementally (it
   * listed only its new records).
   */
  partitionsListed(): void {
    this.listing = Object.keys(this.newParents).length > 0 ? 'new-only' : 'whole';
  }

  /** Every partition of the read was read: the parents' new states are kept. */
  complete(): void {
    this.everyPartitionRead = true;
  }

  /** The keys this adds to the stream's state (none when it has nothing to keep). */
  snapshot(): Record<string, unknown> {
    const snapshot: Record<string, unknown> = {};
    const parents = this.everyPartitionRead ? { ...this.parents, ...this.newParents } : this.parents;
    if (Object.keys(parents).length > 0) snapshot[PARENT_STATE_KEY] = parents;
    const entries = [...this.readAt].filter(([value]) => this.listing !== 'whole' || this.listedValues.has(value));
    if (entries.length > 0) snapshot[PARTITIONS_READ_KEY] = Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return snapshot;
  }
}
