import type { Limiter } from '../core/concurrency.js';
import { configError, systemError } from '../core/errors.js';
import { textOf, type ExpressionContext, type Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { ParentStreamConfigDefinition, RequestOptionDefinition } from '../format/manifest-types.generated.js';
import type { DeclarativeStream } from './declarative-stream.js';
import { addDuration, parseDuration } from './duration.js';
import type { Partition } from './partition-router.js';
import { injectOption } from './request-option.js';
import type { RouterState } from './router-state.js';

/**
 * One parent stream of a SubstreamPartitionRouter: one partition per parent record with a `parent_key`, named
 * `partition_field` and joined to the parent's own partition key; expressions also see the whole parent record as
 * stream_partition.parent_record. The parent is read once per command run (DeclarativeStream.parentRead).
 */
export class ParentStreamConfig {
  readonly parent: DeclarativeStream;
  /** True when it keeps something in the child's state: a parent's state, or when each value was read. */
  readonly keepsState: boolean;
  private readonly parentKey: string;
  private readonly field: string;
  private readonly requestOption?: RequestOptionDefinition;
  private readonly incremental: boolean;
  private readonly filter?: Template;
  private readonly refreshInterval?: Template;
  private readonly refreshWhere: string;

  /** `streamPath`: where the parent stream is declared, when not at `stream` (the router's one-parent shorthand). */
  constructor(definition: ParentStreamConfigDefinition, path: Path, context: ComponentContext, streamPath: Path = [...path, 'stream']) {
    this.parent = context.build(definition.stream, streamPath);
    this.parentKey = definition.parent_key;
    this.field = definition.partition_field;
    this.requestOption = definition.request_option;
    this.incremental = definition.incremental_dependency;
    this.filter = context.optionalTemplate(definition.record_filter, [...path, 'record_filter']);
    this.refreshInterval = context.optionalTemplate(definition.refresh_interval, [...path, 'refresh_interval']);
    this.refreshWhere = context.describe([...path, 'refresh_interval']);
    if (this.incremental && !this.parent.cursor) {
      throw configError(
        'MANIFEST_INVALID',
        `${context.describe([...path, 'incremental_dependency'])}: the parent stream "${this.parent.name}" has no incremental_sync, so it cannot be read incrementally.`,
        { location: context.location([...path, 'incremental_dependency']) },
      );
    }
    this.keepsState = this.incremental || this.refreshInterval !== undefined;
  }

  /**
   * The partitions of the parent's records that `record_filter` accepts and whose value is due by
   * `refresh_interval` (as `state` recorded it); a parent read incrementally starts from its state in `state`.
   */
  async *partitions(context: ExpressionContext, limiter?: Limiter, state?: RouterState): AsyncGenerator<Partition> {
    const read = this.parent.parentRead(context.config, limiter, this.incremental ? { state: state?.parentState(this.parent.name) } : undefined);
    for await (const { record, partition } of read.records) {
      const value = record[this.parentKey];
      if (value === undefined || value === null) continue;
      if (this.filter && !(await this.filter.evaluate({ ...context, record }))) continue;
      const key = { ...partition.key, [this.field]: value };
      const mark = this.refreshInterval ? valueKey(key) : undefined;
      if (mark !== undefined && state) {
        state.listed(mark);
        if (!(await this.due(mark, record, context, state))) continue;
      }
      yield {
        key,
        context: { ...partition.context, ...key, parent_record: record },
        ...(this.requestOption ? { requestOptions: injectOption({}, this.requestOption, value) } : {}),
        ...(mark !== undefined ? { marks: [mark] } : {}),
      };
    }
    if (this.incremental) state?.setParentState(this.parent.name, read.state());
  }

  /** Without reading the parent: one placeholder partition per parent partition, e.g. `{post_id: "<posts.id>"}`. */
  async *plannedPartitions(context: ExpressionContext): AsyncGenerator<Partition> {
    for await (const partition of this.parent.plannedPartitions(context.config)) {
      const placeholder = `<${this.parent.name}.${this.parentKey}>`;
      const key = { ...partition.key, [this.field]: placeholder };
      yield {
        key,
        context: { ...partition.context, ...key, parent_record: {} },
        ...(this.requestOption ? { requestOptions: injectOption({}, this.requestOption, placeholder) } : {}),
      };
    }
  }

  /** The fields this config names in stream_partition. */
  get fields(): string[] {
    return [this.field, 'parent_record'];
  }

  /** Whether a parent value was last read longer ago than its refresh_interval (or never). */
  private async due(mark: string, record: Record<string, unknown>, context: ExpressionContext, state: RouterState): Promise<boolean> {
    const last = state.lastRead(mark);
    if (last === undefined || !this.refreshInterval) return true;
    const text = textOf(await this.refreshInterval.evaluate({ ...context, record }));
    let interval;
    try {
      interval = parseDuration(text);
    } catch (error) {
      throw systemError('EXPRESSION_FAILED', `${this.refreshWhere} gave ${(error as Error).message} for the parent record with ${this.parentKey} ${textOf(record[this.parentKey])}.`);
    }
    return addDuration(last, interval) <= state.startedAt;
  }
}

/** A parent value as the child's state names it: its partition key, e.g. `account_id=acme&project_id=7`. */
function valueKey(key: Record<string, unknown>): string {
  return Object.keys(key)
    .sort()
    .map((name) => `${name}=${typeof key[name] === 'string' || typeof key[name] === 'number' ? String(key[name]) : JSON.stringify(key[name])}`)
    .join('&');
}

declare module '../format/component-context.js' {
  interface Components {
    ParentStreamConfig: ParentStreamConfig;
  }
}
