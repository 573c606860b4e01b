import { valueAt } from './add-fields.js';
import type { Logger, Runtime } from '../core/runtime.js';
import { textOf, type ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { LookupDefinition } from '../format/manifest-types.generated.js';
import type { HttpRequester } from '../http/http-requester.js';
import type { RecordSelector, StreamRecord } from './record-selector.js';

/** The names a lookup knows, by id, as a stream's state keeps them. */
export type LookupNames = Record<string, string>;

/**
 * Names for ids from an API: asked for in batches (`ids` in the requester's templates), each id at most once per
 * command run, whatever the number of streams and pages sharing the declaration. Ids a batch does not name, or
 * every id of a batch that fails, are asked one by one from the optional single-id requester (`id` in its
 * templates). An id that still has no name stays without one for the run, with one WARN for the ids of that
 * request, and is asked again in the next run; never a failure. What it knows is seeded from, and kept in, the
 * state of the streams that use it (see `known` and `remember`).
 */
export class Lookup {
  readonly name: string;
  private readonly requester: HttpRequester;
  private readonly batchSize: number;
  private readonly selector: RecordSelector;
  private readonly idPath: string[];
  private readonly namePath: string[];
  private readonly single?: HttpRequester;
  private readonly singleSelector?: RecordSelector;
  private readonly logger: Logger;
  private readonly redact: Runtime['redact'];
  /** Names found or remembered; an id asked in vain this run maps to undefined. */
  private readonly names = new Map<string, string | undefined>();
  /** Ids being asked for, and the request that will name them. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(definition: LookupDefinition, path: Path, context: ComponentContext) {
    this.name = definition.name;
    this.requester = context.build(definition.requester, [...path, 'requester']);
    this.batchSize = definition.batch_size;
    this.selector = context.build(definition.record_selector, [...path, 'record_selector']);
    this.idPath = definition.id_path;
    this.namePath = definition.name_path;
    if (definition.single_requester) {
      this.single = context.build(definition.single_requester, [...path, 'single_requester']);
      this.singleSelector = context.build(definition.single_record_selector, [...path, 'single_record_selector']);
    }
    this.logger = context.runtime.logger;
    this.redact = (text) => context.runtime.redact(text);
  }

  /** Names remembered from a saved state: they are not asked for again. */
  remember(saved: LookupNames): void {
    for (const [id, name] of Object.entries(saved)) if (typeof name === 'string' && !this.names.has(id)) this.names.set(id, name);
  }

  /** Every name known now, for a state. */
  known(): LookupNames {
    const known: LookupNames = {};
    for (const [id, name] of this.names) if (name !== undefined) known[id] = name;
    return known;
  }

  /** The name of `id` once `prepare` was awaited for it; undefined when it has none. */
  nameOf(id: string): string | undefined {
    return this.names.get(id);
  }

  /** Asks for the ids not known yet, in batches; the stream's `context` (config, stream_name) goes to the requests. */
  async prepare(ids: Iterable<string>, context: ExpressionContext): Promise<void> {
    const waits = new Set<Promise<void>>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      if (this.names.has(id)) continue;
      const pending = this.pending.get(id);
      if (pending) waits.add(pending);
      else missing.push(id);
    }
    for (let start = 0; start < missing.length; start += this.batchSize) {
      const batch = missing.slice(start, start + this.batchSize);
      const asking = this.ask(batch, context).finally(() => {
        for (const id of batch) this.pending.delete(id);
      });
      for (const id of batch) this.pending.set(id, asking);
      waits.add(asking);
    }
    await Promise.all(waits);
  }

  private async ask(batch: string[], context: ExpressionContext): Promise<void> {
    const base: ExpressionContext = { config: context.config, stream_name: context.stream_name };
    let failure: string | undefined;
    try {
      const found = await this.request(this.requester, this.selector, { ...base, ids: batch });
      for (const entry of found) this.take(entry, batch);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    let unnamed = batch.filter((id) => !this.names.has(id));
    if (this.single && this.singleSelector && unnamed.length > 0) {
      for (const id of unnamed) {
        try {
          for (const entry of await this.request(this.single, this.singleSelector, { ...base, id })) this.take(entry, [id]);
        } catch (error) {
          failure = error instanceof Error ? error.message : String(error);
        }
      }
      unnamed = unnamed.filter((id) => !this.names.has(id));
    }
    if (unnamed.length === 0) return;
    for (const id of unnamed) this.names.set(id, undefined);
    const shown = unnamed.slice(0, 10).join(', ') + (unnamed.length > 10 ? `, ... (${unnamed.length} in all)` : '');
    const stream = context.stream_name ?? 'unnamed';
    this.logger.log(
      'WARN',
      this.redact(`Stream "${stream}": lookup "${this.name}" found no name for ${shown}${failure === undefined ? '' : ` (${failure})`}; those fields stay empty, and the next run asks again.`),
    );
  }

  /** The entries of one answer; a request the error handler ignores gives none. */
  private async request(requester: HttpRequester, selector: RecordSelector, context: ExpressionContext): Promise<StreamRecord[]> {
    let entries: StreamRecord[] = [];
    const usable = async (body: unknown) => {
      const problem = selector.problem(body);
      if (problem !== undefined) return problem;
      entries = await selector.select(body, context);
      return undefined;
    };
    const result = await requester.send(context, {}, usable);
    return result ? entries : [];
  }

  /** Keeps an entry's name when its id is one asked for. */
  private take(entry: StreamRecord, asked: string[]): void {
    const id = valueAt(entry, this.idPath);
    const name = valueAt(entry, this.namePath);
    if (id === undefined || id === null || name === undefined || name === null || name === '') return;
    const key = textOf(id);
    if (asked.includes(key)) this.names.set(key, textOf(name));
  }
}

declare module '../format/component-context.js' {
  interface Components {
    Lookup: Lookup;
  }
}

/** The key of a stream's state holding the names its lookups found, by lookup name, then by id. */
export const LOOKUPS_KEY = 'lookups';

/**
 * Gives `lookups` the names a saved stream state remembers for them, and answers the state without them (for the
 * cursor and the partition routers). A state whose "lookups" is not an object of objects is read as if it had none.
 */
export function rememberLookups(value: unknown, lookups: Lookup[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !(LOOKUPS_KEY in value)) return value;
  const { [LOOKUPS_KEY]: saved, ...rest } = value as Record<string, unknown>;
  if (saved !== null && typeof saved === 'object' && !Array.isArray(saved)) {
    for (const lookup of lookups) {
      const names = (saved as Record<string, unknown>)[lookup.name];
      if (names !== null && typeof names === 'object' && !Array.isArray(names)) lookup.remember(names as LookupNames);
    }
  }
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** The "lookups" part of a stream's state: every name its lookups know now (nothing without lookups). */
export function lookupsState(lookups: Lookup[]): Record<string, unknown> {
  if (lookups.length === 0) return {};
  return { [LOOKUPS_KEY]: Object.fromEntries(lookups.map((lookup) => [lookup.name, lookup.known()])) };
}
