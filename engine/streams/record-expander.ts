import type { CompiledValue } from '../expressions/compiled-value.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { RecordExpanderDefinition } from '../format/manifest-types.generated.js';
import { setField, valueAt } from './add-fields.js';
import type { StreamRecord } from './record-selector.js';

/** One declared list of a record whose entries become records, and the values its entries' expressions see. */
interface Expansion {
  path: string[];
  parameters: Record<string, unknown>;
}

/**
 * Turns the entries of named lists inside each selected record into records of their own: one record per entry of
 * every expansion's list, in the declared order. Each record is built from `fields`, whose expressions see the
 * entry (`entry`), its position (`index`), the record the list is in (`record`), the expansion's own `parameters`
 * (`expansion`) and the page's context (config, stream_partition, ...). A record without a list (absent or null)
 * gives nothing for that expansion.
 */
export class RecordExpander {
  private readonly expansions: Expansion[];
  private readonly fields: { path: string[]; value: CompiledValue }[];

  constructor(definition: RecordExpanderDefinition, path: Path, context: ComponentContext) {
    this.expansions = definition.expansions.map((expansion) => ({ path: expansion.expand_records_from_field, parameters: expansion.parameters }));
    this.fields = definition.fields.map((field, index) => ({ path: field.path, value: context.value(field.value, [...path, 'fields', index, 'value']) }));
  }

  /** Why a record's lists cannot be expanded (a value at an expansion's path that is not a list), or undefined. */
  problem(records: StreamRecord[]): string | undefined {
    for (let index = 0; index < records.length; index++) {
      for (const expansion of this.expansions) {
        const list = valueAt(records[index], expansion.path);
        if (list !== undefined && list !== null && !Array.isArray(list)) {
          return `with record ${index + 1} holding no list at "${expansion.path.join('.')}" to expand (it holds ${JSON.stringify(list).slice(0, 60)})`;
        }
      }
    }
    return undefined;
  }

  /** The records the entries of `records`' lists give; a promise only when an expression needs to wait. */
  expand(records: StreamRecord[], context: ExpressionContext): StreamRecord[] | Promise<StreamRecord[]> {
    const expanded: StreamRecord[] = [];
    const pending: Promise<void>[] = [];
    for (const record of records) {
      for (const expansion of this.expansions) {
        const list = valueAt(record, expansion.path);
        if (!Array.isArray(list)) continue;
        list.forEach((entry: unknown, index) => {
          const built: StreamRecord = {};
          expanded.push(built);
          const entryContext: ExpressionContext = { ...context, record, entry, index, expansion: expansion.parameters };
          for (const field of this.fields) {
            const value = field.value.evaluate(entryContext);
            if (value instanceof Promise) pending.push(value.then((settled) => setField(built, field.path, settled)));
            else setField(built, field.path, value);
          }
        });
      }
    }
    if (pending.length === 0) return expanded;
    return Promise.all(pending).then(() => expanded.map((record) => reorder(record, this.fields)));
  }
}

/** The record's fields in the declared order (fields set by expressions that waited were set last). */
function reorder(record: StreamRecord, fields: { path: string[] }[]): StreamRecord {
  const ordered: StreamRecord = {};
  for (const { path } of fields) if (path[0] in record) ordered[path[0]] = record[path[0]];
  return Object.assign(ordered, record);
}

declare module '../format/component-context.js' {
  interface Components {
    RecordExpander: RecordExpander;
  }
}
