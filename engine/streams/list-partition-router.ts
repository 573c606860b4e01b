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
    const values = await this.values.evaluate(context);
    const list: unknown[] = values === undefined || values === null ? [] : Array.isArray(values) ? values : [values];
    if (list.length === 0) throw configError('CONFIG_INVALID', `No partitions: ${this.where} gave an empty list. Check the config.`);
    const seen = new Set<string>();
    for (const value of list) {
      const id = JSON.stringify(value);
      if (seen.has(id)) continue;
      seen.add(id);
      const key = { [this.field]: value };
      yield { key, context: key };
    }
  }

  plannedPartitions(context: ExpressionContext): AsyncIterable<Partition> {
    return this.partitions(context);
  }
}

declare module '../format/component-context.js' {
  interface Components {
    ListPartitionRouter: ListPartitionRouter;
  }
}
