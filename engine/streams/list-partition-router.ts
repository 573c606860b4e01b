import { configError } from '../core/errors.js';
import type { CompiledValue } from '../expressions/compiled-value.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { ListPartitionRouterDefinition } from '../format/manifest-types.generated.js';
import type { Partition, PartitionRouter } from './partition-router.js';

/** One partition per value of a list, e.g. one per organization ID in the config. */
export class ListPartitionRouter implements PartitionRouter {
  private readonly values: CompiledValue;
  private readonly field: string;
  private readonly where: string;
  readonly fields: string[];

  constructor(definition: ListPartitionRouterDefinition, path: Path, context: ComponentContext) {
    this.values = context.value(definition.values, [...path, 'values']);
    this.field = definition.partition_field;
    this.fields = [definition.partition_field];
    this.where = context.describe([...path, 'values']);
  }

  async *partitions(context: ExpressionContext): AsyncIterable<Partition> {
    const partitions = await this.listed(context);
    if (partitions.length === 0) throw configError('CONFIG_INVALID', `No partitions: ${this.where} gave an empty list. Check the config.`);
    yield* partitions;
  }

  /** The partitions of the list, each value once; none when it gives nothing (undefined, null or an empty list). */
  async listed(context: ExpressionContext): Promise<Partition[]> {
    const values = await this.values.evaluate(context);
    const list: unknown[] = values === undefined || values === null ? [] : Array.isArray(values) ? values : [values];
    const seen = new Set<string>();
    const partitions: Partition[] = [];
    for (const value of list) {
      const id = JSON.stringify(value);
      if (seen.has(id)) continue;
      seen.add(id);
      const key = { [this.field]: value };
      partitions.push({ key, context: key });
    }
    return partitions;
  }

  plannedPartitions(context: ExpressionContext): AsyncIterable<Partition> {
    return this.partitions(context);
  }

  knownWithoutRequests(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

declare module '../format/component-context.js' {
  interface Components {
    ListPartitionRouter: ListPartitionRouter;
  }
}
