import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EventChannel } from '../core/events.js';
import type { Logger } from '../core/runtime.js';
import { asConnectorError, configError, ConnectorError } from '../core/errors.js';
import { jsonSchemaProblems } from '../json-schema/ajv.js';
import { inTurns, type Limiter } from '../core/concurrency.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { DeclarativeStreamDefinition } from '../format/manifest-types.generated.js';
import type { HttpRequest } from '../core/http-transport.js';
import type { Clock } from '../core/clock.js';
import type { Cursor, SliceProgress } from './cursor.js';
import type { Partition } from './partition-router.js';
import { partitionSlices, type PartitionSlice, type SliceChoice } from './partition-slices.js';
import type { StreamRecord } from './record-selector.js';
import { lookupsState, rememberLookups, type Lookup } from './lookup.js';
import { RouterState } from './router-state.js';
import { SharedRead } from './shared-read.js';
import type { SimpleRetriever } from './simple-retriever.js';
import { SliceReader } from './slice-reader.js';
import { StateCheckpoints } from './state-checkpoints.js';
import { StreamState } from './stream-state.js';
import type { Transformation } from './transformations.js';

/** Where a read's output goes. Each call resolves when the output has been accepted (backpressure). */
export interface StreamSink {
  record(record: StreamRecord): void | Promise<void>;
  /** A state covering every record passed to `record` before it. */
  checkpoint(state: Record<string, unknown>): Promise<void>;
}

export interface ReadOptions {
  config: Record<string, unknown>;
  /** This stream's saved state, or undefined. */
  state?: unknown;
  incremental: boolean;
  sink: StreamSink;
  limiter: Limiter;
}

/** A record of a stream read as a parent, with the partition it came from. */
export interface ParentRecord {
  record: StreamRecord;
  partition: Partition;
}

/** A parent stream's records for one command run, and, for a parent read incrementally, the state it reached. */
export interface ParentRead {
  records: AsyncIterable<ParentRecord>;
  /** The parent's state once `records` ended (undefined for a parent read in full). */
  state(): Record<string, unknown> | undefined;
}

/** One read of a parent stream shared by a command run's children, and the state it moves (read incrementally). */
interface SharedParentRead {
  shared: SharedRead<ParentRecord>;
  state?: StreamState;
}

/** A planned request of a read, for showing what a read would do. */
export interface PlannedRequest {
  partition: Record<string, unknown>;
  slice?: Record<string, unknown>;
  request: HttpRequest;
}

/** A named stream: where its records come from, their schema, and how it reads incrementally. */
export class DeclarativeStream {
  readonly name: string;
  readonly primaryKey: string[];
  readonly schema: Record<string, unknown>;
  readonly cursor?: Cursor;
  private readonly retriever: SimpleRetriever;
  private readonly transformations: Transformation[];
  /** The lookups its transformations ask, whose names its state keeps. */
  private readonly lookups: Lookup[];
  private readonly events: EventChannel;
  private readonly logger: Logger;
  private readonly clock: Clock;
  /** Each command run's reads of this stream as a parent (a run is known by its limiter), by the state read from. */
  private readonly parentReads = new WeakMap<Limiter, Map<string, SharedParentRead>>();
  /** Fields every record must carry to be written: the cursor's (the state moves over it), then the primary key. */
  private readonly required: { field: string; role: string }[];

  constructor(definition: DeclarativeStreamDefinition, path: Path, context: ComponentContext) {
    this.name = definition.name;
    this.events = context.runtime.events;
    this.logger = context.runtime.logger;
    this.clock = context.runtime.clock;
    this.primaryKey = definition.primary_key;
    this.schema = loadSchema(definition.schema_file, context, [...path, 'schema_file']);
    this.retriever = context.build(definition.retriever, [...path, 'retriever']);
    this.cursor = definition.incremental_sync
      ? context.build(definition.incremental_sync, [...path, 'incremental_sync'])
      : undefined;
    this.transformations = definition.transformations.map((transformation, index) =>
      context.build(transformation, [...path, 'transformations', index]),
    );
    this.lookups = [...new Set(this.transformations.flatMap((transformation) => transformation.lookups ?? []))];
    this.required = [
      ...(this.cursor ? [{ field: this.cursor.field, role: 'the cursor field' }] : []),
      ...this.primaryKey.filter((field) => field !== this.cursor?.field).map((field) => ({ field, role: 'a primary key field' })),
    ];
  }

  /**
   * Reads every slice of every partition, concurrently as the limiter allows. Records go to the sink, a slice's
   * records together once it is complete; an incremental stream checkpoints after completed slices (see
   * SliceReader and StateCheckpoints), before a failure ends it, and once at the end. Partitions that fail do
   * not stop the others; the first failure is thrown once all have finished. A stream whose partition router keeps
   * state (see RouterState) has it in each STATE beside its cursors, also without a cursor, and ends with a STATE
   * also when it fails, unless the failed read moved nothing.
   */
  async read(options: ReadOptions): Promise<void> {
    const base: ExpressionContext = { config: options.config, stream_name: this.name };
    const router = this.retriever.partitionRouter;
    const saved = rememberLookups(options.incremental ? options.state : undefined, this.lookups);
    const { cursorState, routerState } = RouterState.parse(this.name, saved, this.clock.now());
    const withRouter = (snapshot: Record<string, unknown>) => ({
      ...(router.keepsState === true ? { ...snapshot, ...routerState.snapshot() } : snapshot),
      ...lookupsState(this.lookups),
    });
    const state = this.cursor ? StreamState.parse(this.name, this.cursor, cursorState) : undefined;
    const checkpoints = state ? new StateCheckpoints(state, (snapshot) => options.sink.checkpoint(withRouter(snapshot))) : undefined;
    const reader = new SliceReader((slice, progress) => this.pages(slice, progress), options.sink, options.limiter, checkpoints, () => this.events.emit('slice', this.name));
    const warn = (message: string) => this.logger.log('WARN', message);
    // A failed read whose router moved nothing writes no STATE: there is nothing new to save.
    const startState = router.keepsState === true ? JSON.stringify(withRouter(state?.snapshot() ?? {})) : undefined;
    const tasks: Promise<void>[] = [];
    // Partitions come while slices are read: a parent stream may still be paging when a child's slice fails. Each
    // slice's outcome is kept as it is started, and the slices started are awaited however the partitions end.
    let partitionsFailure: unknown;
    // A partition's parent values count as read once all its slices were: each partition's slices, as they end.
    let partition: Partition | undefined;
    let partitionTasks: Promise<void>[] = [];
    const partitionEnds: Promise<void>[] = [];
    const partitionDone = () => {
      const marks = partition?.marks;
      if (!marks) return;
      partitionEnds.push(Promise.allSettled(partitionTasks).then((results) => routerState.partitionDone(marks, results.every((r) => r.status === 'fulfilled'))));
    };
    try {
      for await (const slice of this.slices(base, router.partitions(base, options.limiter, routerState), { state, warn, primaryKey: this.primaryKey })) {
        const task = reader.read(slice);
        task.catch(() => undefined);
        tasks.push(task);
        if (slice.partition !== partition) {
          partitionDone();
          partition = slice.partition;
          partitionTasks = [];
        }
        partitionTasks.push(task);
      }
      routerState.partitionsListed();
    } catch (error) {
      partitionsFailure = error;
    }
    partitionDone();
    const failures = (await Promise.allSettled(tasks)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    await Promise.all(partitionEnds);
    if (failures.length > 0 || partitionsFailure !== undefined) {
      if (router.keepsState === true) {
        const reached = withRouter(state?.snapshot() ?? {});
        if (JSON.stringify(reached) !== startState) await options.sink.checkpoint(reached);
      } else await checkpoints?.flush();
      throw ownFailure(asConnectorError(partitionsFailure ?? failures[0].reason), this.name);
    }
    routerState.complete();
    await options.sink.checkpoint(withRouter(state?.snapshot() ?? {}));
  }

  /**
   * True when a read of this stream can resume from its state: it has a cursor, its partition router keeps state, or
   * its transformations look names up (remembered in the state).
   */
  get incremental(): boolean {
    return this.cursor !== undefined || this.retriever.partitionRouter.keepsState === true || this.lookups.length > 0;
  }

  /**
   * This stream's records as a parent's, for one command run (known by its limiter): read once, whatever number of
   * children and parent configs use this declaration, and replayed to each (see SharedRead: the records are kept
   * for the run). `incremental` reads it from a state (a child's parent_state), as the run's other children with the
   * same state share; without, every record of the whole range. Without a limiter (a check) it is read on its own.
   */
  parentRead(config: Record<string, unknown>, limiter?: Limiter, incremental?: { state: unknown }): ParentRead {
    if (incremental && !this.cursor) throw new Error(`Stream "${this.name}" has no incremental_sync to be read incrementally`);
    const state = incremental && this.cursor ? StreamState.parse(this.name, this.cursor, incremental.state) : undefined;
    if (!limiter) return { records: this.readAll(config, limiter, state), state: () => state?.snapshot() };
    let reads = this.parentReads.get(limiter);
    if (!reads) this.parentReads.set(limiter, (reads = new Map<string, SharedParentRead>()));
    const key = incremental ? JSON.stringify(incremental.state ?? null) : 'whole';
    let read = reads.get(key);
    if (!read) reads.set(key, (read = { shared: new SharedRead(this.readAll(config, limiter, state)), state }));
    const { shared, state: readState } = read;
    return { records: shared.replay(), state: () => readState?.snapshot() };
  }

  /**
   * Every record of every partition over the whole range, or after the cursors of `state` (which then moves with
   * each slice read): for parent streams (see parentRead).
   */
  async *readAll(config: Record<string, unknown>, limiter?: Limiter, state?: StreamState): AsyncGenerator<ParentRecord> {
    const base: ExpressionContext = { config };
    for await (const slice of this.slices(base, this.retriever.partitionRouter.partitions(base, limiter), { state, primaryKey: this.primaryKey })) {
      const { partition } = slice;
      const progress = slice.progress?.();
      for await (const page of inTurns(this.pages(slice, progress), limiter)) {
        for (const record of page) yield { record, partition };
      }
      const position = progress ? progress.position() : slice.slice?.end;
      if (state && position !== undefined) state.set(partition.key, position);
    }
  }

  /** Reads the first page of each partition: proof that credentials and partitions work. Returns records seen. */
  async probe(config: Record<string, unknown>): Promise<number> {
    const base: ExpressionContext = { config };
    let records = 0;
    for await (const { context, options } of this.slices(base, this.retriever.partitionRouter.partitions(base), { latest: true })) {
      for await (const page of this.retriever.pages(context, undefined, { options })) {
        records += page.length;
        break;
      }
    }
    return records;
  }

  /** The first request of every partition and slice a read would make from `state`, without sending any. */
  async *plan(config: Record<string, unknown>, stateValue?: unknown): AsyncGenerator<PlannedRequest> {
    const { cursorState } = RouterState.parse(this.name, rememberLookups(stateValue, []), this.clock.now());
    const state = this.cursor ? StreamState.parse(this.name, this.cursor, cursorState) : undefined;
    for await (const { partition, context, options } of this.slices({ config }, this.plannedPartitions(config), { state })) {
      yield { partition: partition.key, slice: context.stream_slice, request: await this.retriever.firstRequest(context, { options }) };
    }
  }

  plannedPartitions(config: Record<string, unknown>): AsyncIterable<Partition> {
    return this.retriever.partitionRouter.plannedPartitions({ config });
  }

  /**
   * How exact the count of planned requests (one per partition and slice) is: `paged` when a slice may take more
   * pages, `partitionsFound` when partitions come from requests (another stream's records), so plan() shows
   * placeholders. Either makes the count a lower bound.
   */
  async planned(config: Record<string, unknown>): Promise<{ paged: boolean; partitionsFound: boolean }> {
    const router = this.retriever.partitionRouter;
    const known = router.knownWithoutRequests ? await router.knownWithoutRequests({ config }) : false;
    return { paged: this.retriever.paged, partitionsFound: !known };
  }

  private slices(base: ExpressionContext, partitions: AsyncIterable<Partition>, choice?: SliceChoice): AsyncGenerator<PartitionSlice> {
    return partitionSlices(base, this.cursor, partitions, choice);
  }

  /**
   * The pages of one slice, each page's records transformed. A page with a record that lacks a required field, or
   * whose cursor value the cursor cannot read, is not taken: its request is retried, then fails (see
   * SimpleRetriever.pages). The slice's cursor `progress` then takes the records it emits.
   */
  private pages({ context, options }: PartitionSlice, progress?: SliceProgress): AsyncGenerator<StreamRecord[]> {
    const check = (records: StreamRecord[]): string | undefined | Promise<string | undefined> => {
      if (this.byPage) return this.transformPage(records, context, progress);
      for (let index = 0; index < records.length; index++) {
        const transforming = this.transform(records[index], context);
        if (transforming) return this.transformRest(records, index, transforming, context, progress);
      }
      return this.missingField(records, progress);
    };
    return this.retriever.pages(context, check, { options, progress });
  }

  /** True when a transformation changes a page's records together: then each transformation runs over the whole page in turn. */
  private get byPage(): boolean {
    return this.transformations.some((transformation) => transformation.applyPage !== undefined);
  }

  /** A page's check when a transformation changes the page's records together. */
  private async transformPage(records: StreamRecord[], context: ExpressionContext, progress: SliceProgress | undefined): Promise<string | undefined> {
    for (const transformation of this.transformations) {
      if (transformation.applyPage) await transformation.applyPage(records, context);
      else for (const record of records) await transformation.apply(record, context);
    }
    return this.missingField(records, progress);
  }

  /** The rest of a page's check once a transformation answered with a promise. */
  private async transformRest(
    records: StreamRecord[],
    from: number,
    pending: Promise<void>,
    context: ExpressionContext,
    progress: SliceProgress | undefined,
  ): Promise<string | undefined> {
    await pending;
    for (let index = from + 1; index < records.length; index++) await this.transform(records[index], context);
    return this.missingField(records, progress);
  }

  /**
   * What the first record lacking a required field (absent or null) lacks, or the cursor cannot read in, said to
   * follow a status; else undefined.
   */
  private missingField(records: StreamRecord[], progress?: SliceProgress): string | undefined {
    const { required } = this;
    if (required.length === 0) return undefined;
    for (let index = 0; index < records.length; index++) {
      const record = records[index];
      for (let field = 0; field < required.length; field++) {
        const value = record[required[field].field];
        if (value === undefined || value === null) {
          const { field: name, role } = required[field];
          return `with record ${index + 1} of ${records.length} lacking "${name}" (${role})`;
        }
      }
    }
    return progress?.problem(records);
  }

  /** Applies the transformations in order; a promise only when one of them needs to wait. */
  private transform(record: StreamRecord, context: ExpressionContext, from = 0): void | Promise<void> {
    for (let index = from; index < this.transformations.length; index++) {
      const pending = this.transformations[index].apply(record, context);
      if (pending) return pending.then(() => this.transform(record, context, index + 1));
    }
  }
}

/** A failure as this stream's: one met reading a parent (which may name the parent) is reported by each child. */
function ownFailure(error: ConnectorError, stream: string): ConnectorError {
  if (error.stream === undefined || error.stream === stream) return error.withStream(stream);
  const own = new ConnectorError(`Its parent stream "${error.stream}" failed: ${error.message}`, { ...error.options(), stream });
  own.stack = error.stack;
  return own;
}

function loadSchema(file: string, context: ComponentContext, path: Path): Record<string, unknown> {
  const fullPath = resolve(context.baseDir, file);
  let text: string;
  try {
    text = readFileSync(fullPath, 'utf8');
  } catch {
    throw configError('SCHEMA_FILE_INVALID', `The schema file "${file}" named at ${context.describe(path)} cannot be read (looked for ${fullPath}).`);
  }
  let schema: Record<string, unknown>;
  try {
    schema = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw configError('SCHEMA_FILE_INVALID', `The schema file ${fullPath} named at ${context.describe(path)} is not valid JSON: ${(error as Error).message}`);
  }
  const problems = jsonSchemaProblems(schema);
  if (problems.length > 0) {
    throw configError('SCHEMA_FILE_INVALID', `The schema file ${fullPath} named at ${context.describe(path)} is not a valid JSON Schema:\n  ${problems.join('\n  ')}`);
  }
  return schema;
}

declare module '../format/component-context.js' {
  interface Components {
    DeclarativeStream: DeclarativeStream;
  }
}
