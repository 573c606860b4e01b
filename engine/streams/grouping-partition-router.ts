import type { Limiter } from '../core/concurrency.js';
import type { ExpressionContext, Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { GroupingPartitionRouterDefinition } from '../format/manifest-types.generated.js';
import type { RequestOptions } from '../http/http-requester.js';
import type { Partition, PartitionRouter } from './partition-router.js';
import type { RouterState } from './router-state.js';
import { partitionKey } from './stream-state.js';

/**
 * Batches of consecutive partitions of another router, so one request carries many values (e.g. statistics of up
 * to 20 posts at once): at most `group_size` per batch and, with `group_by`, of one group key (a new key starts a
 * new batch). In a batch, the fields the underlying router names itself (its partition fields, the parent record)
 * are lists of the members' values; other fields (a parent's own partition, e.g. the organization of the posts)
 * stay single values when every member has the same one, else become lists too. The group key is
 * stream_partition.group. Request options a member injects are lists of the members' values (headers: joined by
 * commas).
 */
export class GroupingPartitionRouter implements PartitionRouter {
  private readonly underlying: PartitionRouter;
  private readonly size: number;
  private readonly deduplicate: boolean;
  private readonly groupBy?: Template;
  readonly keepsState: boolean;
  readonly fields: string[];

  constructor(definition: GroupingPartitionRouterDefinition, path: Path, context: ComponentContext) {
    this.underlying = context.build(definition.underlying_partition_router, [...path, 'underlying_partition_router']);
    this.size = definition.group_size;
    this.deduplicate = definition.deduplicate;
    this.groupBy = context.optionalTemplate(definition.group_by, [...path, 'group_by']);
    this.keepsState = this.underlying.keepsState === true;
    this.fields = this.underlying.fields ?? [];
  }

  partitions(context: ExpressionContext, limiter?: Limiter, state?: RouterState): AsyncIterable<Partition> {
    return this.batches(context, this.underlying.partitions(context, limiter, state));
  }

  plannedPartitions(context: ExpressionContext): AsyncIterable<Partition> {
    return this.batches(context, this.underlying.plannedPartitions(context));
  }

  private async *batches(context: ExpressionContext, partitions: AsyncIterable<Partition>): AsyncGenerator<Partition> {
    const seen = new Set<string>();
    let batch: Partition[] = [];
    let group: unknown;
    for await (const partition of partitions) {
      if (this.deduplicate) {
        const id = partitionKey(partition.key);
        if (seen.has(id)) continue;
        seen.add(id);
      }
      const key = this.groupBy ? await this.groupBy.evaluate({ ...context, partition: partition.context }) : undefined;
      if (batch.length > 0 && (batch.length >= this.size || JSON.stringify(key) !== JSON.stringify(group))) {
        yield this.merge(batch, group);
        batch = [];
      }
      group = key;
      batch.push(partition);
    }
    if (batch.length > 0) yield this.merge(batch, group);
  }

  private merge(members: Partition[], group: unknown): Partition {
    const own = new Set(this.fields);
    const fieldsOf = (part: 'key' | 'context') => {
      const merged: Record<string, unknown> = {};
      for (const name of new Set(members.flatMap((member) => Object.keys(member[part])))) {
        const values = members.map((member) => member[part][name]);
        merged[name] = !own.has(name) && values.every((value) => JSON.stringify(value) === JSON.stringify(values[0])) ? values[0] : values;
      }
      return merged;
    };
    const withGroup = this.groupBy ? { group } : {};
    const key = { ...fieldsOf('key'), ...withGroup };
    const requestOptions = mergeMemberOptions(members.map((member) => member.requestOptions));
    const marks = members.flatMap((member) => member.marks ?? []);
    return {
      key,
      context: { ...fieldsOf('context'), ...withGroup },
      ...(requestOptions ? { requestOptions } : {}),
      ...(marks.length > 0 ? { marks } : {}),
    };
  }
}

/** The members' request options in one: each parameter and body field the list of the values, headers joined. */
function mergeMemberOptions(options: (RequestOptions | undefined)[]): RequestOptions | undefined {
  const present = options.filter((option): option is RequestOptions => option !== undefined);
  if (present.length === 0) return undefined;
  const lists = (part: 'parameters' | 'body') => {
    const merged: Record<string, unknown[]> = {};
    for (const option of present) for (const [name, value] of Object.entries(option[part] ?? {})) (merged[name] ??= []).push(value);
    return Object.keys(merged).length > 0 ? { [part]: merged } : {};
  };
  const headers: Record<string, string> = {};
  for (const option of present) for (const [name, value] of Object.entries(option.headers ?? {})) headers[name] = name in headers ? `${headers[name]},${value}` : value;
  return { ...lists('parameters'), ...lists('body'), ...(Object.keys(headers).length > 0 ? { headers } : {}) };
}

declare module '../format/component-context.js' {
  interface Components {
    GroupingPartitionRouter: GroupingPartitionRouter;
  }
}
