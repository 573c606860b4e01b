import { ConnectorError } from '../core/errors.js';
import type { ExpressionContext, Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { RecordSelectorDefinition } from '../format/manifest-types.generated.js';

export type StreamRecord = Record<string, unknown>;

/** Finds the records in a response body by path, and keeps those the optional filter accepts. */
export class RecordSelector {
  private readonly fieldPath: string[];
  private readonly filter?: Template;
  private readonly where: string;

  constructor(definition: RecordSelectorDefinition, path: Path, context: ComponentContext) {
    this.fieldPath = definition.field_path;
    this.filter = context.optionalTemplate(definition.record_filter, [...path, 'record_filter']);
    this.where = context.describe([...path, 'field_path']);
  }

  async select(body: unknown, context: ExpressionContext): Promise<StreamRecord[]> {
    let node = body;
    for (const key of this.fieldPath) {
      if (node === null || typeof node !== 'object' || !(key in node)) {
        throw new ConnectorError(
          `The response has no "${this.fieldPath.join('.')}" (declared at ${this.where}); it looked like: ${preview(body)}`,
          { failureType: 'system_error', code: 'RESPONSE_INVALID' },
        );
      }
      node = (node as Record<string, unknown>)[key];
    }
    const candidates = node === null || node === undefined ? [] : Array.isArray(node) ? node : [node];
    const records = candidates.filter((item): item is StreamRecord => item !== null && typeof item === 'object' && !Array.isArray(item));
    if (records.length !== candidates.length) {
      throw new ConnectorError(`Records at "${this.fieldPath.join('.')}" must be JSON objects; got ${preview(node)}`, {
        failureType: 'system_error',
        code: 'RESPONSE_INVALID',
      });
    }
    if (!this.filter) return records;
    const kept: StreamRecord[] = [];
    for (const record of records) if (await this.filter.evaluate({ ...context, record })) kept.push(record);
    return kept;
  }
}

function preview(value: unknown): string {
  // JSON.stringify answers undefined for undefined, whatever its type says.
  const json = JSON.stringify(value) as string | undefined;
  const text = json ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

declare module '../format/component-context.js' {
  interface Components {
    RecordSelector: RecordSelector;
  }
}
