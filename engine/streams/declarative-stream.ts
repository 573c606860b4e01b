import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { asConnectorError, configError } from '../core/errors.js';
import { jsonSchemaProblems } from '../json-schema/ajv.js';
import { createLimiter, type Limiter } from '../core/concurrency.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { DeclarativeStreamDefinition } from '../format/manifest-types.generated.js';
import type { HttpRequest } from '../core/http-transport.js';
import type { DatetimeCursor, DateSlice, DateWindow } from './datetime-cursor.js';
import type { Partition } from './partition-router.js';
import type { StreamRecord } from './record-selector.js';
import type { SimpleRetriever } from './simple-retriever.js';
import { StateCheckpoints } from './state-checkpoints.js';
import { StreamState } from './stream-state.js';
import { WindowProgress } from './window-progress.js';
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

/** A planned request of a read, for showing what a read would do. */
export interface PlannedRequest {
  partition: Record<string, unknown>;
  slice?: Record<string, unknown>;
  request: HttpRequest;
}

/** What every window of one read shares. */
interface WindowRun {
  sink: StreamSink;
  checkpoints?: StateCheckpoints;
  emission: Limiter;
}

/** One window (date slice) of one partition, or the whole partition of a stream without a cursor. */
interface WindowTask {
  partition: Record<string, unknown>;
  context: ExpressionContext;
  slice?: DateSlice;
  /** Its place among the partition's windows. */
  index: number;
  progress: WindowProgress;
}

/** A named stream: where its records come from, their schema, and how it reads incrementally. */
export class DeclarativeStream {
  readonly name: string;
  readonly primaryKey: string[];
  readonly schema: Record<string, unknown>;
  readonly cursor?: DatetimeCursor;
  private readonly retriever: SimpleRetriever;
  private readonly transformations: Transformation[];

  constructor(definition: DeclarativeStreamDefinition, path: Path, context: ComponentContext) {
    this.name = definition.name;
    this.primaryKey = definition.primary_key;
    this.schema = loadSchema(definition.schema_file, context, [...path, 'schema_file']);
    this.retriever = context.build(definition.retriever, [...path, 'retriever']);
    this.cursor = definition.incremental_sync
      ? context.build(definition.incremental_sync, [...path, 'incremental_sync'])
      : undefined;
    this.transformations = definition.transformations.map((transformation, index) =>
      context.build(transformation, [...path, 'transformations', index]),
    );
  }

  /**
   * Reads every window of every partition, concurrently as the limiter allows. Records go to the sink, a window's
   * records together once it is complete; an incremental stream checkpoints after completed windows (see
   * StateCheckpoints and WindowProgress), before a failure ends it, and once at the end. Partitions that fail do
   * not stop the others; the first failure is thrown once all have finished.
   */
  async read(options: ReadOptions): Promise<void> {
    const base: ExpressionContext = { config: options.config };
    const state = this.cursor ? StreamState.parse(this.name, this.cursor, options.incremental ? options.state : undefined) : undefined;
    const run: WindowRun = {
      sink: options.sink,
      checkpoints: state ? new StateCheckpoints(state, (snapshot) => options.sink.checkpoint(snapshot)) : undefined,
      // One window at a time reaches the sink, whole and followed by any checkpoint that covers it.
      emission: createLimiter(1),
    };
    const window = this.cursor ? await this.cursor.window(base) : undefined;
    const tasks: Promise<void>[] = [];
    for await (const partition of this.retriever.partitionRouter.partitions(base)) {
      const cursor = state?.get(partition.key);
      const slices = this.slicesOf(window, cursor);
      const context = (slice: DateSlice | undefined) => this.context(base, partition, slice, cursor);
      const progress = new WindowProgress(slices.map((slice) => slice?.end ?? 0));
      slices.forEach((slice, index) => {
        tasks.push(options.limiter.run(() => this.readWindow({ partition: partition.key, context: context(slice), slice, index, progress }, run)));
      });
    }
    const failures = (await Promise.allSettled(tasks)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0) {
      await run.checkpoints?.flush();
      throw asConnectorError(failures[0].reason).withStream(this.name);
    }
    await options.sink.checkpoint(state?.snapshot() ?? {});
  }

  /** Every record of every partition over the whole window, ignoring state: for parent streams. */
  async *readAll(config: Record<string, unknown>): AsyncGenerator<{ record: StreamRecord; partition: Partition }> {
    const base: ExpressionContext = { config };
    const window = this.cursor ? await this.cursor.window(base) : undefined;
    for await (const partition of this.retriever.partitionRouter.partitions(base)) {
      for (const slice of this.slicesOf(window, undefined)) {
        const context = this.context(base, partition, slice);
        for await (const page of this.retriever.pages(context)) {
          for (const record of page) {
            await this.transform(record, context);
            yield { record, partition };
          }
        }
      }
    }
  }

  /** Reads the first page of each partition: proof that credentials and partitions work. Returns records seen. */
  async probe(config: Record<string, unknown>): Promise<number> {
    const base: ExpressionContext = { config };
    const window = this.cursor ? await this.cursor.window(base) : undefined;
    let records = 0;
    for await (const partition of this.retriever.partitionRouter.partitions(base)) {
      const slices = this.slicesOf(window, undefined);
      const slice = slices[slices.length - 1];
      for await (const page of this.retriever.pages(this.context(base, partition, slice))) {
        records += page.length;
        break;
      }
    }
    return records;
  }

  /** The first request of every partition and slice a read would make from `state`, without sending any. */
  async *plan(config: Record<string, unknown>, stateValue?: unknown): AsyncGenerator<PlannedRequest> {
    const base: ExpressionContext = { config };
    const state = this.cursor ? StreamState.parse(this.name, this.cursor, stateValue) : undefined;
    const window = this.cursor ? await this.cursor.window(base) : undefined;
    for await (const partition of this.plannedPartitions(config)) {
      for (const slice of this.slicesOf(window, state?.get(partition.key))) {
        const context = this.context(base, partition, slice);
        yield { partition: partition.key, slice: context.stream_slice, request: await this.retriever.firstRequest(context) };
      }
    }
  }

  plannedPartitions(config: Record<string, unknown>): AsyncIterable<Partition> {
    return this.retriever.partitionRouter.plannedPartitions({ config });
  }

  private async readWindow(window: WindowTask, run: WindowRun): Promise<void> {
    const { progress, index, slice, context } = window;
    if (!progress.worthReading(index)) return;
    const checkpoints = slice ? run.checkpoints : undefined;
    // A checkpoint covers every record emitted before it. Windows run concurrently, so a window's records are held
    // until it and every window before it in its partition are complete, and then emitted together with the
    // cursor's move over them: a state covers exactly the records emitted before it.
    const windowRecords: StreamRecord[] = [];
    try {
      for await (const page of this.retriever.pages(context)) {
        for (const record of page) {
          const transforming = this.transform(record, context);
          if (transforming) await transforming;
          if (checkpoints) windowRecords.push(record);
          else await run.sink.record(record);
        }
      }
    } catch (error) {
      progress.failed(index);
      throw error;
    }
    if (!checkpoints) return;
    await run.emission.run(async () => {
      const ready = progress.complete(index, windowRecords);
      for (const [position, released] of ready.entries()) {
        for (const record of released.records) {
          const accepting = run.sink.record(record);
          if (accepting) await accepting;
        }
        const more = position < ready.length - 1 || run.emission.waiting > 0;
        await checkpoints.windowDone(window.partition, released.end, released.records.length, more);
      }
    });
  }

  private slicesOf(window: DateWindow | undefined, cursor: number | undefined): (DateSlice | undefined)[] {
    return this.cursor && window ? this.cursor.slices(window, cursor) : [undefined];
  }

  private context(base: ExpressionContext, partition: Partition, slice: DateSlice | undefined, cursor?: number): ExpressionContext {
    return {
      ...base,
      stream_partition: partition.context,
      stream_slice: slice && this.cursor ? this.cursor.sliceContext(slice) : {},
      stream_state: this.cursor && cursor !== undefined ? { [this.cursor.field]: this.cursor.formatValue(cursor) } : {},
    };
  }

  /** Applies the transformations in order; a promise only when one of them needs to wait. */
  private transform(record: StreamRecord, context: ExpressionContext, from = 0): void | Promise<void> {
    for (let index = from; index < this.transformations.length; index++) {
      const pending = this.transformations[index].apply(record, context);
      if (pending) return pending.then(() => this.transform(record, context, index + 1));
    }
  }
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
