import type { DeclarativeStream } from '../streams/declarative-stream.js';
import { partitionKey } from '../streams/stream-state.js';

/**
 * The slices a sync of one stream plans to read, in order per partition, so that a STATE tells how many are done:
 * a partition's cursor is the end of its last completed slice. (A STATE need not follow every slice.)
 */
export class PlannedSlices {
  private readonly ends = new Map<string, unknown[]>();
  total = 0;

  /** `cursorField` is undefined for a stream without a cursor: its only STATE comes at the end, after every slice. */
  constructor(private readonly cursorField: string | undefined) {}

  /** Whether a STATE tells how far the stream is (it has a cursor); otherwise only its slices read do. */
  get checkpointed(): boolean {
    return this.cursorField !== undefined;
  }

  static async of(stream: DeclarativeStream, config: Record<string, unknown>, state: unknown): Promise<PlannedSlices> {
    const slices = new PlannedSlices(stream.cursor?.field);
    for await (const planned of stream.plan(config, state)) slices.add(planned.partition, planned.slice?.end_time);
    return slices;
  }

  add(partition: Record<string, unknown>, end: unknown): void {
    const key = partitionKey(partition);
    this.ends.set(key, [...(this.ends.get(key) ?? []), end]);
    this.total += 1;
  }

  /** The planned slices a stream state covers: per partition, those up to the one ending at its cursor. */
  covered(streamState: Record<string, unknown>): number {
    if (this.cursorField === undefined) return this.total;
    const entries = Array.isArray(streamState.states) ? (streamState.states as { partition?: unknown; cursor?: Record<string, unknown> }[]) : [];
    let done = 0;
    for (const { partition, cursor } of entries) {
      if (typeof partition !== 'object' || partition === null) continue;
      done += (this.ends.get(partitionKey(partition as Record<string, unknown>))?.indexOf(cursor?.[this.cursorField]) ?? -1) + 1;
    }
    return done;
  }
}
