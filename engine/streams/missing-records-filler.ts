import type { CompiledValue } from '../expressions/compiled-value.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { MissingRecordsFillerDefinition } from '../format/manifest-types.generated.js';
import type { StreamRecord } from './record-selector.js';

/**
 * Makes a record, from a template, for each value of a partition field that no record of the partition carries:
 * an API that leaves out of its answer the ids it has nothing to report for still gets one record per id.
 */
export class MissingRecordsFiller {
  private readonly partitionField: string;
  private readonly recordField: string;
  private readonly record: CompiledValue;

  constructor(definition: MissingRecordsFillerDefinition, path: Path, context: ComponentContext) {
    this.partitionField = definition.partition_field;
    this.recordField = definition.record_field;
    this.record = context.value(definition.record, [...path, 'record']);
  }

  /** Follows the records of one partition and slice, and makes those its partition field's values lack. */
  start(context: ExpressionContext): { seen(records: StreamRecord[]): void; missing(): Promise<StreamRecord[]> } {
    const carried = new Set<string>();
    return {
      seen: (records) => {
        for (const record of records) carried.add(keyOf(record[this.recordField]));
      },
      missing: async () => {
        const made: StreamRecord[] = [];
        for (const value of this.values(context)) {
          if (carried.has(keyOf(value))) continue;
          carried.add(keyOf(value));
          const record = (await this.record.evaluate({ ...context, value })) as StreamRecord;
          made.push({ ...record, [this.recordField]: value });
        }
        return made;
      },
    };
  }

  private values(context: ExpressionContext): unknown[] {
    const value = context.stream_partition?.[this.partitionField];
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
  }
}

function keyOf(value: unknown): string {
  // JSON.stringify answers undefined for undefined, whatever its type says.
  const json = JSON.stringify(value) as string | undefined;
  return typeof value === 'string' ? value : (json ?? 'undefined');
}

declare module '../format/component-context.js' {
  interface Components {
    MissingRecordsFiller: MissingRecordsFiller;
  }
}
