import { mergeOptions } from './request-option.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { RequestOptions } from '../http/http-requester.js';
import type { Cursor, CursorSlice, SliceProgress } from './cursor.js';
import type { Partition } from './partition-router.js';
import type { StreamState } from './stream-state.js';

/** One slice of one partition, and the expression context its requests see. */
export interface PartitionSlice {
  partition: Partition;
  /** Undefined for a stream without a cursor: its one slice is the whole partition. */
  slice?: CursorSlice;
  context: ExpressionContext;
  /** What the cursor adds to each request of the slice (its bounds, where the manifest injects them). */
  options?: RequestOptions;
  /** The slice for messages (`The slice from 2026-01-01 to 2026-01-30`); undefined without a cursor. */
  label?: string;
  /** Follows the slice's records as they are read (undefined without a cursor); one per reading of the slice. */
  progress?: () => SliceProgress;
}

/** Which slices of each partition a walk takes. */
export interface SliceChoice {
  /** Each partition starts after its cursor in this state, which its context shows as stream_state; without, the whole range. */
  state?: StreamState;
  /**
   * Only the latest slice of each partition (a probe). A partition whose range holds no slice is still taken once,
   * unsliced, so that a check sends a request for it whatever the dates.
   */
  latest?: boolean;
  /** Told what the state's cursors suggest is wrong with them (a read logs it as a WARN); silent without. */
  warn?: (message: string) => void;
  /** The stream's primary key: a data feed does not emit a record twice in one partition. */
  primaryKey?: string[];
}

/**
 * The slices of every partition: partition after partition, each one's slices together and oldest first. The
 * cursor's range is evaluated once, before the first partition, and the state checked against it, so a bad date or
 * step, or a state written with another granularity, fails before any request. A range that reads
 * stream_partition (a start_datetime or end_datetime over the partition, e.g. its parent record's date) is
 * evaluated for each partition in its context instead, the state checked against the first one.
 */
export async function* partitionSlices(
  base: ExpressionContext,
  cursor: Cursor | undefined,
  partitions: AsyncIterable<Partition>,
  choice: SliceChoice = {},
): AsyncGenerator<PartitionSlice> {
  const perPartition = cursor?.perPartition === true;
  let range = cursor && !perPartition ? await cursor.range(base) : undefined;
  if (range) choice.state?.begin(range, base.config, choice.warn);
  let begun = range !== undefined;
  for await (const partition of partitions) {
    if (cursor && perPartition) {
      range = await cursor.range({ ...base, stream_partition: partition.context });
      // The state is checked once, against the first partition's range (its tag does not depend on the partition).
      if (!begun) choice.state?.begin(range, base.config, choice.warn);
      begun = true;
    }
    const partitionRange = range;
    const saved = choice.state?.get(partition.key);
    const slices: (CursorSlice | undefined)[] = cursor && range ? cursor.slices(range, saved) : [undefined];
    for (const slice of choice.latest ? [slices.at(-1)] : slices) {
      const context: ExpressionContext = {
        ...base,
        stream_partition: partition.context,
        stream_slice: slice && cursor && range ? cursor.sliceContext(slice) : {},
        stream_state: cursor && saved !== undefined ? { [cursor.field]: cursor.formatValue(saved) } : {},
      };
      if (!slice || !cursor || !partitionRange) {
        yield { partition, slice, context, ...(partition.requestOptions ? { options: partition.requestOptions } : {}) };
        continue;
      }
      yield {
        partition,
        slice,
        context,
        options: mergeOptions(partition.requestOptions, cursor.requestOptions(slice)),
        label: cursor.describeSlice(slice),
        progress: () => cursor.progress(partitionRange, slice, saved, choice.primaryKey ?? []),
      };
    }
  }
}
