import { configError } from '../core/errors.js';
import type { CompiledValue } from '../expressions/compiled-value.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { IncrementingCountCursorDefinition, RequestOptionDefinition } from '../format/manifest-types.generated.js';
import type { RequestOptions } from '../http/http-requester.js';
import { shown, type Cursor, type CursorRange, type CursorSlice, type SliceProgress, type StateTag } from './cursor.js';
import type { StreamRecord } from './record-selector.js';
import { injectOption } from './request-option.js';

/**
 * An integer cursor that only grows (an id, a sequence number). Each partition is one slice read after its saved
 * cursor (or start_value); records not above it are dropped, and the cursor moves to the largest value read.
 */
export class IncrementingCountCursor implements Cursor {
  readonly field: string;
  readonly valueKind = 'an integer';
  private readonly startValue?: CompiledValue;
  private readonly startOption?: RequestOptionDefinition;
  private readonly where: string;

  constructor(definition: IncrementingCountCursorDefinition, path: Path, context: ComponentContext) {
    this.field = definition.cursor_field;
    this.startValue = definition.start_value === undefined ? undefined : context.value(definition.start_value, [...path, 'start_value']);
    this.startOption = definition.start_value_option;
    this.where = context.describe(path);
  }

  /** start is the cursor of a first read (-Infinity without start_value); there is no end. */
  async range(context: ExpressionContext): Promise<CursorRange> {
    if (!this.startValue) return { start: -Infinity, end: Infinity };
    const value = await this.startValue.evaluate(context);
    const start = this.parseValue(value);
    if (start === undefined) throw configError('CONFIG_INVALID', `start_value at ${this.where} gave ${JSON.stringify(value)}; expected an integer.`);
    return { start, end: Infinity };
  }

  stateTag(): StateTag | undefined {
    return undefined;
  }

  describeTag(tag: StateTag): string {
    return `${tag.key} ${tag.value}`;
  }

  tagSource(): string {
    return `the cursor at ${this.where}`;
  }

  checkCursors(): void {
    // Any integer is a position to read after.
  }

  slices(range: CursorRange, saved: number | undefined): CursorSlice[] {
    return [{ start: saved ?? range.start, end: Infinity }];
  }

  sliceContext(): Record<string, unknown> {
    return {};
  }

  requestOptions(slice: CursorSlice): RequestOptions {
    return Number.isFinite(slice.start) ? injectOption({}, this.startOption, slice.start) : {};
  }

  progress(_range: CursorRange, slice: CursorSlice): SliceProgress {
    let largest: number | undefined;
    return {
      problem: (records) => this.unreadable(records),
      take: (records) => {
        const kept: StreamRecord[] = [];
        for (const record of records) {
          const value = this.parseValue(record[this.field]) as number;
          if (!(value > slice.start)) continue;
          if (largest === undefined || value > largest) largest = value;
          kept.push(record);
        }
        return { records: kept, stop: false };
      },
      position: () => largest,
    };
  }

  describeSlice(slice: CursorSlice): string {
    return Number.isFinite(slice.start) ? `The read after ${this.field} ${slice.start}` : 'The read';
  }

  formatValue(value: number): number {
    return value;
  }

  /** An integer, or digit string; undefined otherwise. */
  parseValue(value: unknown): number | undefined {
    const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    return typeof number === 'number' && Number.isSafeInteger(number) ? number : undefined;
  }

  private unreadable(records: StreamRecord[]): string | undefined {
    for (let index = 0; index < records.length; index++) {
      const value = records[index][this.field];
      if (this.parseValue(value) === undefined) {
        return `with record ${index + 1} of ${records.length} whose "${this.field}" (${shown(value)}) is not an integer`;
      }
    }
    return undefined;
  }
}

declare module '../format/component-context.js' {
  interface Components {
    IncrementingCountCursor: IncrementingCountCursor;
  }
}
