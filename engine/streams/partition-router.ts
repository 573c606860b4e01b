import type { ExpressionContext } from '../expressions/template.js';

/** One partition of a stream: `key` identifies it in state; `context` is what expressions see as stream_partition. */
export interface Partition {
  key: Record<string, unknown>;
  context: Record<string, unknown>;
}

export interface PartitionRouter {
  partitions(context: ExpressionContext): AsyncIterable<Partition>;
  /** Partitions known without any request; routers that need one give placeholders. For planning reads. */
  plannedPartitions(context: ExpressionContext): AsyncIterable<Partition>;
}

/** The one partition of a stream that declares no router. */
export const singlePartition: PartitionRouter = {
  async *partitions() {
    yield { key: {}, context: {} };
  },
  plannedPartitions() {
    return singlePartition.partitions({ config: {} });
  },
};
