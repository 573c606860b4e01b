import { configError } from '../core/errors.js';
import type { Logger, Runtime } from '../core/runtime.js';
import { textOf, type ExpressionContext, type Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { RecordSelectorDefinition } from '../format/manifest-types.generated.js';
import type { RecordExpander } from './record-expander.js';
import { RecordFilter } from './record-filter.js';

export type StreamRecord = Record<string, unknown>;

/** The step of a field path that takes every item of a list, or every value of an object. */
const WILDCARD = '*';

/** A value a wildcard path reaches, with its key when the path's last step took it from an object. */
interface Match {
  value: unknown;
  key?: string;
}

/**
 * Finds the records in a response body by path, and keeps those the optional filter accepts. With a path, the
 * value there must be a list of JSON objects; without one, the body is a list of them or a single one. A path with
 * `*` steps takes every item of a list or value of an object there, and a missing key gives no records; the values
 * it reaches are records, or lists of them. It can also report the per-key errors an answer carries (error_path).
 */
export class RecordSelector {
  private readonly fieldPath: string[];
  private readonly wildcard: boolean;
  private readonly keyField?: string;
  private readonly errorPath?: string[];
  private readonly errorMessage?: Template;
  private readonly filter?: RecordFilter;
  private readonly expander?: RecordExpander;
  private readonly at: string;
  private readonly logger: Logger;
  private readonly redact: Runtime['redact'];

  constructor(definition: RecordSelectorDefinition, path: Path, context: ComponentContext) {
    this.fieldPath = definition.field_path;
    this.wildcard = this.fieldPath.includes(WILDCARD);
    this.keyField = definition.key_field;
    if (this.keyField !== undefined && this.fieldPath[this.fieldPath.length - 1] !== WILDCARD) {
      throw configError(
        'MANIFEST_INVALID',
        `key_field at ${context.describe([...path, 'key_field'])} names the field for each record's key, but field_path does not end with "*": there are no keys to put there.`,
        { location: context.location([...path, 'key_field']) },
      );
    }
    this.errorPath = definition.error_path;
    if (definition.error_message !== undefined && this.errorPath === undefined) {
      throw configError('MANIFEST_INVALID', `error_message at ${context.describe([...path, 'error_message'])} is the text of the errors error_path finds, but there is no error_path.`, {
        location: context.location([...path, 'error_message']),
      });
    }
    this.errorMessage = context.optionalTemplate(definition.error_message, [...path, 'error_message']);
    const filter = definition.record_filter;
    const filterPath = [...path, 'record_filter'];
    if (typeof filter === 'string') this.filter = new RecordFilter({ type: 'RecordFilter', condition: filter }, filterPath, context, filterPath);
    else if (filter) this.filter = context.build(filter, filterPath);
    if (definition.record_expander) this.expander = context.build(definition.record_expander, [...path, 'record_expander']);
    const where = `"${this.fieldPath.join('.')}"`;
    this.at = this.wildcard ? `records at ${where}` : this.fieldPath.length > 0 ? `a list at ${where}` : 'a record or a list of records';
    this.logger = context.runtime.logger;
    this.redact = (text) => context.runtime.redact(text);
  }

  /**
   * Why the records cannot be taken from `body`, said to follow a status (`without a list at "elements"`), or
   * undefined when they can: the answer does not have the declared shape, so an empty list would lose data.
   */
  problem(body: unknown): string | undefined {
    const problem = this.shapeProblem(body);
    return problem ?? this.expander?.problem(this.found(body));
  }

  private shapeProblem(body: unknown): string | undefined {
    if (this.wildcard) return this.wildcardProblem(body);
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
    return this.keep(this.found(body), context);
  }

  /** The records of `found` after record_expander and record_filter; a promise only when one of them needs to wait. */
  keep(records: StreamRecord[], context: ExpressionContext): StreamRecord[] | Promise<StreamRecord[]> {
    if (!this.expander) return this.filter ? this.filter.filter(records, context) : records;
    const expanded = this.expander.expand(records, context);
    if (!this.filter) return expanded;
    const filter = this.filter;
    return expanded instanceof Promise ? expanded.then((found) => filter.filter(found, context)) : filter.filter(expanded, context);
  }

  /** The records a body `problem` accepted holds, before record_filter: what paginators count. */
  found(body: unknown): StreamRecord[] {
    if (this.wildcard) return this.wildcardRecords(body);
    let node = body;
    for (const key of this.fieldPath) node = (node as Record<string, unknown>)[key];
    return Array.isArray(node) ? (node as StreamRecord[]) : [node as StreamRecord];
  }

  /**
   * Logs each per-key error at error_path of an accepted answer as one WARN naming the stream and the key; never
   * fails. A promise only when there is an error_path.
   */
  reportErrors(body: unknown, context: ExpressionContext): void | Promise<void> {
    if (this.errorPath) return this.logErrors(body, this.errorPath, context);
  }

  private async logErrors(body: unknown, errorPath: string[], context: ExpressionContext): Promise<void> {
    let node = body;
    for (const key of errorPath) node = isRecord(node) ? node[key] : undefined;
    const where = `"${errorPath.join('.')}"`;
    let entries: [string, unknown][];
    if (Array.isArray(node)) entries = node.map((error, index) => [this.keyOf(error) ?? String(index), error]);
    else if (isRecord(node)) entries = Object.entries(node);
    else entries = node === undefined || node === null || node === '' || node === false ? [] : [[where, node]];
    const stream = context.stream_name ?? 'unnamed';
    for (const [key, error] of entries) {
      const text = await this.errorText(key, error, context);
      this.logger.log('WARN', this.redact(`Stream "${stream}": the answer reports an error for key "${key}" (at ${where}): ${text}`));
    }
  }

  /** The error's text: error_message over key and error, else the error itself (a message evaluated in vain says why). */
  private async errorText(key: string, error: unknown, context: ExpressionContext): Promise<string> {
    if (!this.errorMessage) return this.excerpt(error);
    try {
      return textOf(await this.errorMessage.evaluate({ ...context, key, error }));
    } catch (failure) {
      return `${this.excerpt(error)} (error_message could not be evaluated: ${failure instanceof Error ? failure.message : String(failure)})`;
    }
  }

  /** An error as JSON for a message, its secrets masked before it is cut (a secret across the cut would leave its start). */
  private excerpt(error: unknown): string {
    const text = this.redact(textOf(error));
    return text.length > 300 ? `${text.slice(0, 300)}...` : text;
  }

  /** A listed error's key: its key_field, when it has one. */
  private keyOf(error: unknown): string | undefined {
    if (this.keyField === undefined || !isRecord(error)) return undefined;
    const key = error[this.keyField];
    return key === undefined || key === null ? undefined : textOf(key);
  }

  private wildcardProblem(body: unknown): string | undefined {
    for (const { value, key } of this.matches(body)) {
      const items: unknown[] = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (!isRecord(item)) return `with ${this.at}${key === undefined ? '' : ` (key "${key}")`} holding a value that is not a JSON object but ${preview(item)}`;
      }
    }
    return undefined;
  }

  private wildcardRecords(body: unknown): StreamRecord[] {
    const records: StreamRecord[] = [];
    const keyField = this.keyField;
    for (const { value, key } of this.matches(body)) {
      const items = (Array.isArray(value) ? value : [value]) as StreamRecord[];
      for (const record of items) {
        if (keyField !== undefined && key !== undefined && (record[keyField] === undefined || record[keyField] === null)) record[keyField] = key;
        records.push(record);
      }
    }
    return records;
  }

  /** The values the path reaches, in the body's order. */
  private matches(body: unknown): Match[] {
    const found: Match[] = [];
    const last = this.fieldPath.length - 1;
    const walk = (node: unknown, depth: number, key?: string): void => {
      if (depth > last) {
        found.push({ value: node, key });
        return;
      }
      const step = this.fieldPath[depth];
      if (step !== WILDCARD) {
        if (isRecord(node) && Object.hasOwn(node, step)) walk(node[step], depth + 1);
      } else if (Array.isArray(node)) {
        for (const item of node) walk(item, depth + 1);
      } else if (isRecord(node)) {
        for (const [name, value] of Object.entries(node)) walk(value, depth + 1, depth === last ? name : undefined);
      }
    };
    walk(body, 0);
    return found;
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
