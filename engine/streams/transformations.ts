import type { CompiledValue } from '../expressions/compiled-value.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { CompileContext, Path } from '../manifest/compile-context.js';
import type { TransformationDefinition } from '../manifest/types.js';
import type { StreamRecord } from './record-selector.js';

/** Changes a record in place after selection. */
export interface Transformation {
  apply(record: StreamRecord, context: ExpressionContext): Promise<void>;
}

/** Sets fields from expressions over the record, the partition, the slice and the config. */
export class AddFields implements Transformation {
  private readonly fields: { path: string[]; value: CompiledValue }[];

  constructor(definition: Extract<TransformationDefinition, { type: 'AddFields' }>, path: Path, context: CompileContext) {
    this.fields = definition.fields.map((field, index) => ({
      path: field.path,
      value: context.value(field.value, [...path, 'fields', index, 'value']),
    }));
  }

  async apply(record: StreamRecord, context: ExpressionContext): Promise<void> {
    const recordContext = { ...context, record };
    for (const field of this.fields) {
      const value = await field.value.evaluate(recordContext);
      if (value === undefined) continue;
      let target = record;
      for (const key of field.path.slice(0, -1)) {
        if (target[key] === null || typeof target[key] !== 'object') target[key] = {};
        target = target[key] as StreamRecord;
      }
      target[field.path[field.path.length - 1]] = value;
    }
  }
}

/** Deletes fields by path; a path that is not there is fine. */
export class RemoveFields implements Transformation {
  private readonly pointers: string[][];

  constructor(definition: Extract<TransformationDefinition, { type: 'RemoveFields' }>) {
    this.pointers = definition.field_pointers;
  }

  async apply(record: StreamRecord): Promise<void> {
    for (const pointer of this.pointers) {
      let target: unknown = record;
      for (const key of pointer.slice(0, -1)) target = (target as StreamRecord | undefined)?.[key];
      if (target !== null && typeof target === 'object') delete (target as StreamRecord)[pointer[pointer.length - 1]];
    }
  }
}
