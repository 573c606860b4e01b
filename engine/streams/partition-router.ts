import type { Limiter } from '../core/concurrency.js';
import type { ExpressionContext } from '../expressions/template.js';

/** One partition of a stream: `key` identifies it in state; `context` is what expressions see as stream_partition. */
export interface Partition {
  key: Record<string, unknown>;
  context: Record<string, unknown>;
}

export interface PartitionRouter {
  /** The partitions; requests made to find them (a parent stream's pages) take turns of `limiter`. */
  partitions(context: ExpressionContext, limiter?: Limiter): AsyncIterable<Partition>;
  /** Partitions known without any request; routers that need one give placeholders. For planning reads. */
  plannedPartitions(context: ExpressionContext): AsyncIterable<Partition>;
  /**
   * Whether plannedPartitions are the partitions a read would have, none of them a placeholder (a router that
   * finds its partitions by requests cannot know them beforehand). Absent means no.
   */
  knownWithoutRequests?(context: ExpressionContext): Promise<boolean>;
}

/** The one partition of a stream that declares no router. */
export const singlePartition: PartitionRouter = {
  async *partitions() {
    yield { key: {}, context: {} };
  },
  plannedPartitions() {
    return singlePartition.partitions({ config: {} });
  },
  knownWithoutRequests: () => Promise.resolve(true),
};
