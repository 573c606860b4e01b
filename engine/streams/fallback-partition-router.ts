import type { Limiter } from '../core/concurrency.js';
import { configError } from '../core/errors.js';
import type { EventChannel } from '../core/events.js';
import type { Logger } from '../core/runtime.js';
import { textOf, type ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { FallbackPartitionRouterDefinition } from '../format/manifest-types.generated.js';
import type { ListPartitionRouter } from './list-partition-router.js';
import type { Partition, PartitionRouter } from './partition-router.js';
import type { RouterState } from './router-state.js';

/**
 * The partitions the config lists, or, when it lists none, those another router finds (e.g. the records of a
 * stream of memberships): two routers composed, so either can be any router of its kind. The found ones are
 * deduplicated by key, reported once all are found, and none at all is a config error naming where they were looked for.
 */
export class FallbackPartitionRouter implements PartitionRouter {
  private readonly list: ListPartitionRouter;
  private readonly fallback: PartitionRouter;
  private readonly events: EventChannel;
  private readonly logger: Logger;
  /** Where the fallback looks, for messages: the streams its declaration reads, else its location. */
  private readonly source: string;
  private readonly listWhere: string;
  private readonly fallbackWhere: string;

  constructor(definition: FallbackPartitionRouterDefinition, path: Path, context: ComponentContext) {
    this.list = context.build(definition.list, [...path, 'list']);
    this.fallback = context.build(definition.fallback, [...path, 'fallback']);
    this.events = context.runtime.events;
    this.logger = context.runtime.logger;
    this.listWhere = context.describe([...path, 'list', 'values']);
    this.fallbackWhere = context.describe([...path, 'fallback']);
    const streams = streamNames(definition.fallback);
    this.source = streams.length > 0 ? `stream ${streams.map((name) => `"${name}"`).join(', ')}` : `the router at ${this.fallbackWhere}`;
  }

  get keepsState(): boolean | undefined {
    return this.fallback.keepsState;
  }

  get fields(): string[] | undefined {
    return this.fallback.fields;
  }

  async *partitions(context: ExpressionContext, limiter?: Limiter, state?: RouterState): AsyncIterable<Partition> {
    const listed = await this.listed(context);
    if (listed.length > 0) {
      yield* listed;
      return;
    }
    const seen = new Set<string>();
    const found: Record<string, unknown>[] = [];
    for await (const partition of this.fallback.partitions(context, limiter, state)) {
      const id = JSON.stringify(partition.key);
      if (seen.has(id)) continue;
      seen.add(id);
      found.push(partition.key);
      yield partition;
    }
    if (found.length === 0) {
      throw configError(
        'CONFIG_INVALID',
        `No partitions found: the config lists none (${this.listWhere}), and ${this.source} (${this.fallbackWhere}) gave none either. ` +
          'List them in the config, or check that the credentials can see at least one.',
      );
    }
    this.logger.log('INFO', `Found ${found.length} partition(s) in ${this.source}: ${found.map(partitionName).join(', ')}.`);
    this.events.emit('partitionsFound', { source: this.source, partitions: found });
  }

  async *plannedPartitions(context: ExpressionContext): AsyncIterable<Partition> {
    const listed = await this.listed(context);
    yield* listed.length > 0 ? listed : this.fallback.plannedPartitions(context);
  }

  async knownWithoutRequests(context: ExpressionContext): Promise<boolean> {
    if ((await this.listed(context)).length > 0) return true;
    return (await this.fallback.knownWithoutRequests?.(context)) ?? false;
  }

  /** The list's partitions, without those whose value is nothing (null or an empty string, e.g. an empty config field). */
  private async listed(context: ExpressionContext): Promise<Partition[]> {
    const partitions = await this.list.listed(context);
    return partitions.filter(({ key }) => Object.values(key).every((value) => value !== null && value !== ''));
  }
}

/** A partition as people name it: its key's values, e.g. `a` for `{account_id: "a"}`. */
export function partitionName(key: Record<string, unknown>): string {
  return Object.values(key).map(textOf).join('/');
}

/** The names of the streams a declaration reads (its DeclarativeStream declarations, however deep). */
function streamNames(declaration: unknown, seen = new Set<unknown>()): string[] {
  if (declaration === null || typeof declaration !== 'object' || seen.has(declaration)) return [];
  seen.add(declaration);
  const node = declaration as Record<string, unknown>;
  if (node.type === 'DeclarativeStream' && typeof node.name === 'string') return [node.name];
  return [...new Set(Object.values(node).flatMap((value) => streamNames(value, seen)))];
}

declare module '../format/component-context.js' {
  interface Components {
    FallbackPartitionRouter: FallbackPartitionRouter;
  }
}
