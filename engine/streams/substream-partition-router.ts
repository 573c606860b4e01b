import type { Limiter } from '../core/concurrency.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { SubstreamPartitionRouterDefinition } from '../format/manifest-types.generated.js';
import type { DeclarativeStream } from './declarative-stream.js';
import type { Partition, PartitionRouter } from './partition-router.js';

/**
 * One partition per record of a parent stream (e.g. statistics per post). The partition key joins the parent's
 * own partition key with `partition_field`; expressions also see the whole parent record as
 * stream_partition.parent_record.
 */
export class SubstreamPartitionRouter implements PartitionRouter {
  private readonly parent: DeclarativeStream;

  constructor(private readonly definition: SubstreamPartitionRouterDefinition, path: Path, context: ComponentContext) {
    this.parent = context.build(definition.parent_stream, [...path, 'parent_stream']);
  }

  async *partitions(context: ExpressionContext, limiter?: Limiter): AsyncIterable<Partition> {
    for await (const { record, partition } of this.parent.readAll(context.config, limiter)) {
      const value = record[this.definition.parent_key];
      if (value === undefined || value === null) continue;
      const key = { ...partition.key, [this.definition.partition_field]: value };
      yield { key, context: { ...partition.context, ...key, parent_record: record } };
    }
  }

  /** Without reading the parent: one placeholder partition per parent partition, e.g. `{post_id: "<posts.id>"}`. */
  async *plannedPartitions(context: ExpressionContext): AsyncIterable<Partition> {
    for await (const partition of this.parent.plannedPartitions(context.config)) {
      const key = { ...partition.key, [this.definition.partition_field]: `<${this.parent.name}.${this.definition.parent_key}>` };
      yield { key, context: { ...partition.context, ...key, parent_record: {} } };
    }
  }
}

declare module '../format/component-context.js' {
  interface Components {
    SubstreamPartitionRouter: SubstreamPartitionRouter;
  }
}
