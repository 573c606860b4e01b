import type { StreamState } from './stream-state.js';

/**
 * Records a stream emits, per partition its state lists, before a completed slice earns a STATE. A STATE lists
 * every partition, so one after every slice would grow the output with the square of the partitions (100
 * organizations x 13 slices gave 2,600 states of up to 9 KB). With this ratio the states stay a few percent of the
 * output, and a stream with one or two partitions still checkpoints after every slice of daily data.
 */
export const RECORDS_PER_PARTITION_PER_STATE = 10;

/** Where a checkpoint goes: resolves when the STATE has been accepted. */
export type CheckpointWriter = (state: Record<string, unknown>) => Promise<void>;

/**
 * Decides when an incremental stream's state is written. Every call happens after the records it covers were
 * emitted, so any STATE it writes covers them; `flush` writes what is still unwritten (at the end of the stream,
 * and before a failure ends it, so no completed slice is read again).
 */
export class StateCheckpoints {
  private recordsSinceState = 0;
  private unwritten = false;

  constructor(
    private readonly state: StreamState,
    private readonly write: CheckpointWriter,
  ) {}

  /**
   * A slice's `records` were emitted and its partition's cursor moves to `cursor` (undefined: a slice that does
   * not move it, such as one without records of a record cursor). Writes a STATE when enough
   * records have passed since the last one, unless `more` completed slices are about to follow (the last of them
   * then writes one STATE for all).
   */
  async sliceDone(partition: Record<string, unknown>, cursor: number | undefined, records: number, more: boolean): Promise<void> {
    if (cursor !== undefined) this.state.set(partition, cursor);
    this.recordsSinceState += records;
    this.unwritten = true;
    if (!more && this.recordsSinceState >= RECORDS_PER_PARTITION_PER_STATE * this.state.partitions) await this.flush();
  }

  /** Writes the state if it moved since the last STATE. */
  async flush(): Promise<void> {
    if (!this.unwritten) return;
    this.unwritten = false;
    this.recordsSinceState = 0;
    await this.write(this.state.snapshot());
  }
}
