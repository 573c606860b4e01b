import type { ExpressionContext, Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { RecordFilterDefinition } from '../format/manifest-types.generated.js';
import type { StreamRecord } from './record-selector.js';

/**
 * Keeps the records for which its condition is true. The condition sees the record and the page's context (config,
 * stream_partition, stream_slice, stream_state, next_page_token); an empty condition keeps every record.
 */
export class RecordFilter {
  private readonly condition?: Template;

  /** `conditionPath` is where the condition is written: a bare template is the declaration itself. */
  constructor(definition: RecordFilterDefinition, path: Path, context: ComponentContext, conditionPath: Path = [...path, 'condition']) {
    this.condition = definition.condition.trim() === '' ? undefined : context.template(definition.condition, conditionPath);
  }

  /** The records the condition keeps, in their order; a promise only when the condition needs to wait. */
  filter(records: StreamRecord[], context: ExpressionContext): StreamRecord[] | Promise<StreamRecord[]> {
    if (!this.condition) return records;
    // One context for the page, its `record` replaced for each record: they are judged one after another.
    const recordContext: ExpressionContext = { ...context };
    const kept: StreamRecord[] = [];
    for (let index = 0; index < records.length; index++) {
      recordContext.record = records[index];
      const verdict = this.condition.evaluate(recordContext);
      if (verdict instanceof Promise) return this.finish(records, index, verdict, kept, recordContext, this.condition);
      if (verdict) kept.push(records[index]);
    }
    return kept;
  }

  /** The rest of `filter` once the condition answered with a promise. */
  private async finish(
    records: StreamRecord[],
    from: number,
    pending: Promise<unknown>,
    kept: StreamRecord[],
    context: ExpressionContext,
    condition: Template,
  ): Promise<StreamRecord[]> {
    if (await pending) kept.push(records[from]);
    for (let index = from + 1; index < records.length; index++) {
      context.record = records[index];
      if (await condition.evaluate(context)) kept.push(records[index]);
    }
    return kept;
  }
}

declare module '../format/component-context.js' {
  interface Components {
    RecordFilter: RecordFilter;
  }
}
