import type { Limiter } from '../core/concurrency.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { CartesianProductStreamSlicerDefinition } from '../format/manifest-types.generated.js';
import type { Partition, PartitionRouter } from './partition-router.js';
import { mergeOptions } from './request-option.js';
import type { RouterState } from './router-state.js';

/**
 * Every combination of the partitions of its routers, e.g. each video x each metric type: the first router's
 * partitions come as they are found (a parent may still be paging), each with every combination of the others'
 * (listed once, before the first); a combination has the key, stream_partition fields and request options of each.
 */
export class CartesianProductStreamSlicer implements PartitionRouter {
  private readonly routers: PartitionRouter[];
  readonly keepsState: boolean;
  readonly fields: string[];

  constructor(definition: CartesianProductStreamSlicerDefinition, path: Path, context: ComponentContext) {
    this.routers = definition.stream_slicers.map((router, index) => context.build(router, [...path, 'stream_slicers', index]));
    this.keepsState = this.routers.some((router) => router.keepsState === true);
    this.fields = [...new Set(this.routers.flatMap((router) => router.fields ?? []))];
  }

  partitions(context: ExpressionContext, limiter?: Limiter, state?: RouterState): AsyncIterable<Partition> {
    return this.product((router) => router.partitions(context, limiter, state));
  }

  plannedPartitions(context: ExpressionContext): AsyncIterable<Partition> {
    return this.product((router) => router.plannedPartitions(context));
  }

  private async *product(partitionsOf: (router: PartitionRouter) => AsyncIterable<Partition>): AsyncGenerator<Partition> {
    const [first, ...others] = this.routers;
    let rest: Partition[] = [{ key: {}, context: {} }];
    for (const router of others) {
      const listed: Partition[] = [];
      for await (const partition of partitionsOf(router)) listed.push(partition);
      rest = rest.flatMap((combination) => listed.map((partition) => combine(combination, partition)));
    }
    for await (const partition of partitionsOf(first)) {
      for (const combination of rest) yield combine(partition, combination);
    }
  }
}

function combine(a: Partition, b: Partition): Partition {
  const requestOptions = mergeOptions(a.requestOptions, b.requestOptions);
  const marks = [...(a.marks ?? []), ...(b.marks ?? [])];
  return {
    key: { ...a.key, ...b.key },
    context: { ...a.context, ...b.context },
    ...(requestOptions ? { requestOptions } : {}),
    ...(marks.length > 0 ? { marks } : {}),
  };
}

declare module '../format/component-context.js' {
  interface Components {
    CartesianProductStreamSlicer: CartesianProductStreamSlicer;
  }
}
