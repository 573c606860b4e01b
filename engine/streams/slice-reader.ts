import { createLimiter, type Limiter } from '../core/concurrency.js';
import { ConnectorError, failsEveryRequest } from '../core/errors.js';
import type { SliceProgress } from './cursor.js';
import type { StreamSink } from './declarative-stream.js';
import type { Partition } from './partition-router.js';
import type { PartitionSlice } from './partition-slices.js';
import type { StreamRecord } from './record-selector.js';
import { SliceOrder } from './slice-order.js';
import type { StateCheckpoints } from './state-checkpoints.js';

/**
 * Slices of one partition that may be started and not yet emitted, per slot of the limiter (concurrency_level).
 * Behind a slow slice, those completed after it wait in memory to keep the output in order; this bound makes the
 * slow one hold back the start of new slices of its partition instead (at the default level of 4, at most 8 slices
 * of a partition are in flight or in memory). Twice the slots lets one partition keep every slot busy while a
 * slice is merely slower than the others; slices waiting for their turn hold no slot, so other partitions and
 * streams go on meanwhile.
 */
export const UNEMITTED_SLICES_PER_SLOT = 2;

/** The pages of one slice, records ready for the sink; `progress` (the slice's, if it has a cursor) takes each page. */
export type SlicePages = (slice: PartitionSlice, progress?: SliceProgress) => AsyncIterable<StreamRecord[]>;

/**
 * Reads the slices of one stream read concurrently, each in a turn of the limiter (shared by every stream). A
 * checkpoint covers every record emitted before it, so with checkpoints a slice's records are held until it and
 * every slice before it in its partition are complete, then emitted together with the cursor's move over them (see
 * SliceOrder), one slice at a time; at most `UNEMITTED_SLICES_PER_SLOT` x the limiter's slots of a partition are
 * started and not yet emitted. A stream without a cursor has no checkpoint to keep in step: its records go straight
 * to the sink.
 */
export class SliceReader {
  /** One slice at a time reaches the sink, whole and followed by any checkpoint that covers it. */
  private readonly emission = createLimiter(1);
  private readonly bound: number;
  private current?: { partition: Partition; order: SliceOrder };

  constructor(
    private readonly pages: SlicePages,
    private readonly sink: StreamSink,
    private readonly limiter: Limiter,
    private readonly checkpoints?: StateCheckpoints,
    /** Called as each slice has been read to its end (before its records may wait for those of earlier slices). */
    private readonly sliceRead: () => void = () => undefined,
  ) {
    this.bound = UNEMITTED_SLICES_PER_SLOT * limiter.limit;
  }

  /**
   * Reads one slice, given in the walker's order (a partition's slices together, oldest first). Resolves once its
   * records were emitted (or dropped, when a slice before it failed); rejects with its failure.
   */
  read(partitionSlice: PartitionSlice): Promise<void> {
    const { checkpoints } = this;
    const { partition, slice, label } = partitionSlice;
    if (!slice || !checkpoints) {
      return this.inTurn(() => this.passThrough(partitionSlice)).catch((error: unknown) => {
        throw naming(error, partition, label);
      });
    }
    if (this.current?.partition !== partition) this.current = { partition, order: new SliceOrder(this.bound) };
    const { order } = this.current;
    const index = order.add(slice.end);
    // A slice refused a turn of the limiter (a read stopped) fails like one whose request failed: those waiting
    // behind it go.
    const read = () =>
      this.inTurn(() => this.readInOrder(partitionSlice, order, index, checkpoints)).catch((error: unknown) => {
        order.failed(index);
        throw naming(error, partition, label);
      });
    // The slice's turn comes before a limiter slot, never while holding one: the limiter is shared by every stream
    // and partition, and a slot held while waiting would starve the others, or the very slice this one waits for.
    const turn = order.turn(index);
    return turn ? turn.then(read) : read();
  }

  /**
   * Runs `task` in a turn of the limiter. A failure that holds for every request (refused credentials) stops the
   * limiter before the turn is handed on, so no slice of any stream sends another request.
   */
  private inTurn(task: () => Promise<void>): Promise<void> {
    return this.limiter.run(() =>
      task().catch((error: unknown) => {
        if (failsEveryRequest(error)) this.limiter.stop(error);
        throw error;
      }),
    );
  }

  private async passThrough(slice: PartitionSlice): Promise<void> {
    for await (const page of this.pages(slice, slice.progress?.())) {
      for (const record of page) await this.sink.record(record);
    }
    this.sliceRead();
  }

  private async readInOrder(slice: PartitionSlice, order: SliceOrder, index: number, checkpoints: StateCheckpoints): Promise<void> {
    if (!order.worthReading(index)) return;
    const records: StreamRecord[] = [];
    const progress = slice.progress?.();
    try {
      for await (const page of this.pages(slice, progress)) {
        for (const record of page) records.push(record);
      }
    } catch (error) {
      order.failed(index);
      throw error;
    }
    this.sliceRead();
    await this.emission.run(async () => {
      const ready = order.complete(index, records, { end: progress ? progress.position() : slice.slice?.end });
      for (const [position, released] of ready.entries()) {
        for (const record of released.records) {
          const accepting = this.sink.record(record);
          if (accepting) await accepting;
        }
        order.emitted();
        // Completed slices about to follow, of this partition or waiting their turn, write one STATE for all.
        const more = position < ready.length - 1 || this.emission.waiting > 0;
        await checkpoints.sliceDone(slice.partition.key, released.end, released.records.length, more);
      }
    });
  }
}

/**
 * A response that could not be used, said with the slice and partition it was for: that slice was not read (its
 * records were not written and the state stays before it), and its dates are what a person looks up.
 */
function naming(error: unknown, partition: Partition, label: string | undefined): unknown {
  if (!(error instanceof ConnectorError) || error.code !== 'RESPONSE_INVALID') return error;
  if (!label && Object.keys(partition.key).length === 0) return error;
  const keys = Object.entries(partition.key).map(([name, value]) => `${name} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const of = keys.length > 0 ? ` (${keys.join(', ')})` : '';
  const what = label ? `${label}${of}` : `The partition${of}`;
  const named = new ConnectorError(`${what} was not read: ${error.message}`, error.options());
  named.stack = error.stack;
  return named;
}
