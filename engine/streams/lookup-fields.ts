import type { Template } from '../expressions/template.js';
import { textOf, type ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { LookupFieldsDefinition } from '../format/manifest-types.generated.js';
import { setField } from './add-fields.js';
import type { Lookup } from './lookup.js';
import type { StreamRecord } from './record-selector.js';
import type { Transformation } from './transformations.js';

interface LookupField {
  path: string[];
  id: Template;
  lookup: Lookup;
}

/**
 * Sets fields to the names a Lookup finds for ids taken from each record. A page's ids are asked for together
 * (see Lookup), before any of its records is changed. A record whose id expression gives nothing (undefined, null
 * or '') is not looked up for that field; an id without a name sets the field to null. Several fields may set the
 * same path: the first whose id is not empty wins.
 */
export class LookupFields implements Transformation {
  private readonly fields: LookupField[];

  constructor(definition: LookupFieldsDefinition, path: Path, context: ComponentContext) {
    this.fields = definition.fields.map((field, index) => ({
      path: field.path,
      id: context.template(field.id, [...path, 'fields', index, 'id']),
      lookup: context.build(field.lookup, [...path, 'fields', index, 'lookup']),
    }));
  }

  /** The lookups this transformation asks, whose names a stream keeps in its state. */
  get lookups(): Lookup[] {
    return [...new Set(this.fields.map((field) => field.lookup))];
  }

  apply(record: StreamRecord, context: ExpressionContext): Promise<void> {
    return this.applyPage([record], context);
  }

  async applyPage(records: StreamRecord[], context: ExpressionContext): Promise<void> {
    // ids[record][field]: the id the field looks up for the record, or undefined.
    const ids: (string | undefined)[][] = [];
    for (const record of records) {
      const recordContext = { ...context, record };
      const recordIds: (string | undefined)[] = [];
      for (const field of this.fields) {
        const value = await field.id.evaluate(recordContext);
        const id = value === undefined || value === null ? '' : textOf(value);
        recordIds.push(id === '' ? undefined : id);
      }
      ids.push(recordIds);
    }
    const wanted = new Map<Lookup, Set<string>>();
    this.fields.forEach((field, index) => {
      for (const recordIds of ids) {
        const id = recordIds[index];
        if (id === undefined) continue;
        const set = wanted.get(field.lookup) ?? new Set<string>();
        set.add(id);
        wanted.set(field.lookup, set);
      }
    });
    await Promise.all([...wanted].map(([lookup, wantedIds]) => lookup.prepare(wantedIds, context)));
    records.forEach((record, recordIndex) => {
      const done = new Set<string>();
      this.fields.forEach((field, index) => {
        const id = ids[recordIndex][index];
        const key = field.path.join('\u0000');
        if (id === undefined || done.has(key)) return;
        done.add(key);
        setField(record, field.path, field.lookup.nameOf(id) ?? null);
      });
    });
  }
}

declare module '../format/component-context.js' {
  interface Components {
    LookupFields: LookupFields;
  }
}
