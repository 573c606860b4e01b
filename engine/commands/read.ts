import { asConnectorError, configError, failsEveryRequest, type ConnectorError } from '../core/errors.js';
import { createLimiter, type Limiter } from '../core/concurrency.js';
import { watchFailureBudget } from '../core/failure-budget.js';
import { watchRequestBudget } from '../core/request-budget.js';
import type { Runtime } from '../core/runtime.js';
import { createAjv } from '../json-schema/ajv.js';
import type { Connector } from '../manifest/compile.js';
import { parseConfiguredCatalog, type ConfiguredStream } from '../protocol/configured-catalog.js';
import { errorTrace } from '../protocol/error-trace.js';
import { readJsonFile } from '../protocol/input-files.js';
import { parseInputState } from '../protocol/input-state.js';
import type { MessageWriter, StreamStatus } from '../protocol/messages.js';
import { RecordValidator } from '../streams/record-validator.js';
import { requiredPath, type CommandContext } from './command.js';
import { connectorConfig, streamNamed } from './connector-streams.js';

/** `read`: the configured catalog's streams, from the state given; exit 1 unless every stream completed. */
export async function read(context: CommandContext): Promise<number> {
  const { options, runtime } = context;
  const catalog = readJsonFile(requiredPath(options, 'catalog'), '--catalog');
  const state = options.state ? readJsonFile(options.state, '--state') : undefined;
  const complete = await readStreams(context, catalog, state);
  if (runtime.signal.aborted) return cancelled(runtime, context.output);
  return complete ? 0 : 1;
}

/** What the streams of one read share. */
interface ReadRun {
  connector: Connector;
  runtime: Runtime;
  output: MessageWriter;
  config: Record<string, unknown>;
  limiter: Limiter;
  /** Compiles the record schemas of the read's streams. */
  recordSchemas: ReturnType<typeof createAjv>;
  /**
   * The credentials' refusal, once a stream met it: it holds for every stream, so it is reported once, and the
   * streams still waiting end without a request.
   */
  authFailure?: ConnectorError;
  /** Streams shown as rate limited while they wait: their next record shows them running again. */
  rateLimited: Set<string>;
}

/** Reads the configured streams concurrently; true when every one completed. */
export async function readStreams(
  { connector, runtime, output, config: rawConfig }: Pick<CommandContext, 'connector' | 'runtime' | 'output' | 'config'>,
  catalog: unknown,
  state: unknown,
): Promise<boolean> {
  const config = connectorConfig(connector, rawConfig);
  const configured = parseConfiguredCatalog(catalog);
  const warn = (message: string) => runtime.logger.log('WARN', message);
  const states = parseInputState(state, warn);
  for (const name of states.keys()) {
    if (!configured.some((entry) => entry.name === name)) {
      warn(`The state has an entry for stream "${name}", which the catalog does not ask for: it is ignored. A stream renamed since that state starts from its start date.`);
    }
  }
  const run: ReadRun = {
    connector,
    runtime,
    output,
    config,
    limiter: createLimiter(connector.concurrencyLevel),
    recordSchemas: createAjv(),
    rateLimited: new Set(),
  };
  // While a stream waits out a rate limit, the platform shows it as rate limited, until when (as Airbyte's CDK does).
  runtime.events.on('retry', ({ rateLimited, stream, waitMs }) => {
    if (!rateLimited || stream === undefined) return;
    run.rateLimited.add(stream);
    void streamStatus(run, stream, 'RUNNING', runtime.clock.now() + waitMs);
  });
  // An API that fails every request, for every stream alike, or a spent request budget: the read stops as for a
  // refused credential.
  const stop = (error: ConnectorError) => {
    run.limiter.stop(error);
    runtime.halt?.(error);
  };
  watchFailureBudget(runtime.events, connector.consecutiveFailures, stop);
  const budget = await connector.requestBudget(config);
  if (budget !== undefined) watchRequestBudget(runtime.events, budget, stop);
  const results = await Promise.all(configured.map((entry) => readStream(run, entry, states.get(entry.name))));
  return results.every(Boolean);
}

/** One stream: STARTED, RUNNING with its first record, then COMPLETE, or INCOMPLETE after a TRACE of its failure. */
async function readStream(run: ReadRun, entry: ConfiguredStream, state: unknown): Promise<boolean> {
  const { connector, runtime, output } = run;
  const stream = streamNamed(connector, entry.name);
  if (!stream) {
    const known = connector.streams.map((s) => s.name).join(', ');
    const error = configError('STREAM_UNKNOWN', `The catalog asks for stream "${entry.name}", which this connector does not have. Streams: ${known}.`, {
      stream: entry.name,
    });
    await output.emit(errorTrace(error, runtime.clock.now()));
    return false;
  }
  if (entry.syncMode === 'incremental' && !stream.incremental) {
    runtime.logger.log('WARN', `Stream "${stream.name}" supports only full refresh; the catalog asks for incremental, so it is read in full.`);
  }
  await streamStatus(run, entry.name, 'STARTED');
  let sinceLastState = 0;
  let running = false;
  try {
    const validator = new RecordValidator(stream.name, stream.schema, runtime.logger, run.recordSchemas);
    await stream.read({
      config: run.config,
      state,
      incremental: entry.syncMode === 'incremental',
      limiter: run.limiter,
      sink: {
        record: (data) => {
          validator.check(data);
          sinceLastState += 1;
          const message = { type: 'RECORD', record: { stream: stream.name, data, emitted_at: runtime.clock.now() } } as const;
          if (running && !run.rateLimited.has(stream.name)) return output.emit(message);
          running = true;
          run.rateLimited.delete(stream.name);
          return streamStatus(run, stream.name, 'RUNNING').then(() => output.emit(message));
        },
        checkpoint: async (streamState) => {
          const recordCount = sinceLastState;
          sinceLastState = 0;
          await output.emit({
            type: 'STATE',
            state: { type: 'STREAM', stream: { stream_descriptor: { name: stream.name }, stream_state: streamState }, sourceStats: { recordCount } },
          });
        },
      },
    });
    await streamStatus(run, stream.name, 'COMPLETE');
    return true;
  } catch (caught) {
    if (runtime.signal.aborted) {
      await streamStatus(run, stream.name, 'INCOMPLETE');
      return false;
    }
    const error = asConnectorError(caught).withStream(stream.name);
    if (failsEveryRequest(error)) {
      if (run.authFailure) {
        await streamStatus(run, stream.name, 'INCOMPLETE');
        return false;
      }
      run.authFailure = error;
      run.limiter.stop(error);
    }
    await output.emit(errorTrace(error, runtime.clock.now()));
    await streamStatus(run, stream.name, 'INCOMPLETE', error.rateLimitResetAt);
    return false;
  }
}

async function streamStatus({ output, runtime }: ReadRun, name: string, status: StreamStatus, quotaReset?: number): Promise<void> {
  await output.emit({
    type: 'TRACE',
    trace: {
      type: 'STREAM_STATUS',
      emitted_at: runtime.clock.now(),
      stream_status: {
        stream_descriptor: { name },
        status,
        ...(quotaReset !== undefined ? { reasons: [{ type: 'RATE_LIMITED', rate_limited: { quota_reset: quotaReset } }] } : {}),
      },
    },
  });
}

/** A cancelled command (SIGTERM): a warning, what was written so far flushed, exit 143. */
export async function cancelled(runtime: Runtime, writer: MessageWriter): Promise<number> {
  runtime.logger.log('WARN', 'Cancelled: stopped before finishing. The last STATE emitted marks where the next sync resumes.');
  await writer.flush();
  return 143;
}
