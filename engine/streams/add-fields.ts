import type { CompiledValue } from '../expressions/compiled-value.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { AddFieldsDefinition } from '../format/manifest-types.generated.js';
import type { StreamRecord } from './record-selector.js';
import type { Transformation } from './transformations.js';

/** Sets fields from expressions over the record, the partition, the slice and the config. */
export class AddFields implements Transformation {
  private readonly fields: { path: string[]; value: CompiledValue }[];
  private readonly recordContexts = new WeakMap<ExpressionContext, ExpressionContext>();

  constructor(definition: AddFieldsDefinition, path: Path, context: ComponentContext) {
    this.fields = definition.fields.map((field, index) => ({
      path: field.path,
      value: context.value(field.value, [...path, 'fields', index, 'value']),
    }));
  }

  apply(record: StreamRecord, context: ExpressionContext): void | Promise<void> {
    // One context per slice context, its `record` replaced for each record: a slice's records are transformed
    // one after another (each awaited), so no evaluation ever sees another record.
    let recordContext = this.recordContexts.get(context);
    if (!recordContext) {
      recordContext = { ...context };
      this.recordContexts.set(context, recordContext);
    }
    recordContext.record = record;
    for (let index = 0; index < this.fields.length; index++) {
      const field = this.fields[index];
      const value = field.value.evaluate(recordContext);
      if (value instanceof Promise) return this.finish(record, recordContext, index, value);
      setField(record, field.path, value);
    }
  }

  /** The rest of `apply` once an expression answered with a promise. */
  private async finish(record: StreamRecord, context: ExpressionContext, from: number, pending: Promise<unknown>): Promise<void> {
    setField(record, this.fields[from].path, await pending);
    for (const field of this.fields.slice(from + 1)) setField(record, field.path, await field.value.evaluate(context));
  }
}

/** The value at `path` in `node`; undefined where the path leaves the objects. */
export function valueAt(node: unknown, path: string[]): unknown {
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Sets `value` at `path` in `record`, making the objects on the way; undefined sets nothing. */
export function setField(record: StreamRecord, path: string[], value: unknown): void {
  if (value === undefined) return;
  let target = record;
  for (let depth = 0; depth < path.length - 1; depth++) {
    const key = path[depth];
    if (target[key] === null || typeof target[key] !== 'object') target[key] = {};
    target = target[key] as StreamRecord;
  }
  target[path[path.length - 1]] = value;
}

declare module '../format/component-context.js' {
  interface Components {
    AddFields: AddFields;
  }
}
