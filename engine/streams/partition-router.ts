import type { Limiter } from '../core/concurrency.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { RequestOptions } from '../http/http-requester.js';
import type { RouterState } from './router-state.js';

/** One partition of a stream: `key` identifies it in state; `context` is what expressions see as stream_partition. */
export interface Partition {
  key: Record<string, unknown>;
  context: Record<string, unknown>;
  /** What every request of the partition also carries (a parent value a ParentStreamConfig's request_option injects). */
  requestOptions?: RequestOptions;
  /** Parent values (keys of RouterState) recorded as read once every partition carrying them was read. */
  marks?: string[];
}

export interface PartitionRouter {
  /**
   * The partitions; requests made to find them (a parent stream's pages) take turns of `limiter`, which also stands
   * for the command run (a parent is read once per run). `state` is what the routers keep in the stream's state.
   */
  partitions(context: ExpressionContext, limiter?: Limiter, state?: RouterState): AsyncIterable<Partition>;
  /** Partitions known without any request; routers that need one give placeholders. For planning reads. */
  plannedPartitions(context: ExpressionContext): AsyncIterable<Partition>;
  /**
   * Whether plannedPartitions are the partitions a read would have, none of them a placeholder (a router that
   * finds its partitions by requests cannot know them beforehand). Absent means no.
   */
  knownWithoutRequests?(context: ExpressionContext): Promise<boolean>;

  /** True when the router keeps something in the stream's state (refresh times, a parent's state). */
  readonly keepsState?: boolean;
  /** The stream_partition fields the router names itself, not those it carries from a parent's partitions. */
  readonly fields?: string[];
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
