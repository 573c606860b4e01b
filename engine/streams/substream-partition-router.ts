import type { Limiter } from '../core/concurrency.js';
import { configError } from '../core/errors.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { SubstreamPartitionRouterDefinition } from '../format/manifest-types.generated.js';
import { ParentStreamConfig } from './parent-stream-config.js';
import type { Partition, PartitionRouter } from './partition-router.js';
import type { RouterState } from './router-state.js';

/**
 * Partitions from the records of parent streams (e.g. statistics per post): those of each ParentStreamConfig, in
 * order. `parent_stream`, `parent_key` and `partition_field` without `parent_stream_configs` declare one config.
 */
export class SubstreamPartitionRouter implements PartitionRouter {
  readonly configs: ParentStreamConfig[];
  readonly keepsState: boolean;

  constructor(definition: SubstreamPartitionRouterDefinition, path: Path, context: ComponentContext) {
    const { parent_stream_configs: configs, parent_stream: stream, parent_key: parentKey, partition_field: field } = definition;
    const shorthand = stream !== undefined || parentKey !== undefined || field !== undefined;
    if (configs !== undefined && shorthand) {
      throw configError('MANIFEST_INVALID', `${context.describe(path)} declares both parent_stream_configs and parent_stream/parent_key/partition_field: keep parent_stream_configs.`, {
        location: context.location(path),
      });
    }
    if (configs !== undefined) {
      this.configs = configs.map((config, index) => context.build(config, [...path, 'parent_stream_configs', index]));
    } else if (stream !== undefined && parentKey !== undefined && field !== undefined) {
      const config = { type: 'ParentStreamConfig' as const, stream, parent_key: parentKey, partition_field: field, incremental_dependency: false };
      this.configs = [new ParentStreamConfig(config, path, context, [...path, 'parent_stream'])];
    } else {
      throw configError('MANIFEST_INVALID', `${context.describe(path)} needs parent_stream_configs (a list of ParentStreamConfig).`, { location: context.location(path) });
    }
    this.keepsState = this.configs.some((config) => config.keepsState);
  }

  async *partitions(context: ExpressionContext, limiter?: Limiter, state?: RouterState): AsyncIterable<Partition> {
    for (const config of this.configs) yield* config.partitions(context, limiter, state);
  }

  async *plannedPartitions(context: ExpressionContext): AsyncIterable<Partition> {
    for (const config of this.configs) yield* config.plannedPartitions(context);
  }

  /** The fields its partitions name themselves (not those of a parent's own partitions). */
  get fields(): string[] {
    return [...new Set(this.configs.flatMap((config) => config.fields))];
  }
}

declare module '../format/component-context.js' {
  interface Components {
    SubstreamPartitionRouter: SubstreamPartitionRouter;
  }
}
