import type { ExpressionContext, Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { RecordSelectorDefinition } from '../format/manifest-types.generated.js';

export type StreamRecord = Record<string, unknown>;

/**
 * Finds the records in a response body by path, and keeps those the optional filter accepts. With a path, the
 * value there must be a list of JSON objects; without one, the body is a list of them or a single one.
 */
export class RecordSelector {
  private readonly fieldPath: string[];
  private readonly filter?: Template;
  private readonly at: string;

  constructor(definition: RecordSelectorDefinition, path: Path, context: ComponentContext) {
    this.fieldPath = definition.field_path;
    this.filter = context.optionalTemplate(definition.record_filter, [...path, 'record_filter']);
    this.at = this.fieldPath.length > 0 ? `a list at "${this.fieldPath.join('.')}"` : 'a record or a list of records';
  }

  /**
   * Why the records cannot be taken from `body`, said to follow a status (`without a list at "elements"`), or
   * undefined when they can: the answer does not have the declared shape, so an empty list would lose data.
   */
  problem(body: unknown): string | undefined {
    let node = body;
    for (const key of this.fieldPath) {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node)) return `without ${this.at} (no such field)`;
      node = (node as Record<string, unknown>)[key];
    }
    if (!Array.isArray(node)) {
      return this.fieldPath.length === 0 && isRecord(node) ? undefined : `without ${this.at} (it holds ${preview(node)})`;
    }
    for (let index = 0; index < node.length; index++) {
      if (!isRecord(node[index])) return `with ${this.at} whose item ${index + 1} is not a JSON object but ${preview(node[index])}`;
    }
    return undefined;
  }

  /** The records of a body `problem` accepted; a promise only when the filter needs to wait. */
  select(body: unknown, context: ExpressionContext): StreamRecord[] | Promise<StreamRecord[]> {
    let node = body;
    for (const key of this.fieldPath) node = (node as Record<string, unknown>)[key];
    const records = Array.isArray(node) ? (node as StreamRecord[]) : [node as StreamRecord];
    if (!this.filter) return records;
    return this.filtered(records, this.filter, context);
  }

  private async filtered(records: StreamRecord[], filter: Template, context: ExpressionContext): Promise<StreamRecord[]> {
    const kept: StreamRecord[] = [];
    for (const record of records) if (await filter.evaluate({ ...context, record })) kept.push(record);
    return kept;
  }
}

function isRecord(value: unknown): value is StreamRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function preview(value: unknown): string {
  // JSON.stringify answers undefined for undefined, whatever its type says.
  const json = JSON.stringify(value) as string | undefined;
  const text = json ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

declare module '../format/component-context.js' {
  interface Components {
    RecordSelector: RecordSelector;
  }
}
