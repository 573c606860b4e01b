import { basename, extname } from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { asConnectorError, configError } from './errors.js';
import { errorTrace } from './protocol/error-trace.js';
import { createGotTransport, type HttpTransport } from './http/transport.js';
import { loadConnector, type Connector } from './manifest/compile.js';
import { validateConfig } from './protocol/connector-config.js';
import { readJsonFile } from './protocol/input-files.js';
import type { MessageWriter } from './protocol/messages.js';
import { ProtocolOutput, type OutputStream } from './protocol/output.js';
import { Redactor } from './protocol/redactor.js';
import { formatPlan, planRead } from './read-plan.js';
import type { Runtime } from './runtime.js';
import { Source } from './source.js';
import { DestinationWriter } from './sync/destination-writer.js';
import { JsonLinesDestination } from './sync/jsonl-destination.js';
import { SyncProgress, type ProgressStream } from './sync/progress.js';
import { SqliteDestination } from './sync/sqlite-destination.js';

export type CommandName = 'spec' | 'check' | 'discover' | 'read' | 'validate' | 'sync';

export interface CommandOptions {
  manifest: string;
  config?: string;
  catalog?: string;
  state?: string;
  streams?: string[];
  output?: string;
  json?: boolean;
}

export interface CommandIo {
  stdout: OutputStream;
  stderr: ProgressStream;
  clock?: Clock;
  transport?: HttpTransport;
  signal?: AbortSignal;
  userAgent: string;
}

/** Wires a command: redaction, output, runtime, the compiled manifest; returns the process exit code. */
export async function runCommand(command: CommandName, options: CommandOptions, io: CommandIo): Promise<number> {
  const redactor = new Redactor();
  const clock = io.clock ?? systemClock;
  const signal = io.signal ?? new AbortController().signal;
  const stdout = new ProtocolOutput(io.stdout, redactor);
  let writer: MessageWriter = stdout;
  let rawConfig: Record<string, unknown> | undefined;
  let progress: SyncProgress | undefined;
  const transport = io.transport ?? createGotTransport(io.userAgent);
  const runtime: Runtime = {
    clock,
    signal,
    transport: {
      send: (request) => {
        progress?.request();
        return transport.send(request);
      },
    },
    logger: { log: (level, message) => void writer.emit({ type: 'LOG', log: { level, message } }) },
    addSecret: (value) => redactor.add(value),
    onConfigUpdate: (update) => {
      if (!rawConfig) return;
      rawConfig = update(rawConfig);
      void writer.emit({ type: 'CONTROL', control: { type: 'CONNECTOR_CONFIG', emitted_at: clock.now(), connectorConfig: { config: rawConfig } } });
    },
  };

  try {
    const connector = loadConnector(options.manifest, runtime);
    // The config as the user wrote it: validated (with defaults) by each command, handed back updated in CONTROL.
    const config = options.config ? readJsonFile(options.config, '--config') : undefined;
    redactor.addFromSpec(connector.spec.connection_specification, config);
    if (config !== null && typeof config === 'object' && !Array.isArray(config)) rawConfig = config as Record<string, unknown>;
    const source = new Source(connector, runtime, writer);
    switch (command) {
      case 'spec':
        await source.spec();
        return 0;
      case 'check':
        await source.check(config);
        return 0;
      case 'discover':
        await source.discover(config);
        return 0;
      case 'validate': {
        const state = options.state ? readJsonFile(options.state, '--state') : undefined;
        const plans = await planRead(connector, config, state, options.streams, redactor);
        io.stdout.write(options.json ? `${plans.map((plan) => JSON.stringify(plan)).join('\n')}\n` : formatPlan(plans, basename(options.manifest)));
        return 0;
      }
      case 'read': {
        const catalog = readJsonFile(options.catalog!, '--catalog');
        const state = options.state ? readJsonFile(options.state, '--state') : undefined;
        const complete = await source.read(config, catalog, state);
        if (signal.aborted) return await cancelled(runtime, writer);
        return complete ? 0 : 1;
      }
      case 'sync': {
        progress = new SyncProgress(io.stderr, redactor, () => clock.now());
        writer = new DestinationWriter(openDestination(options.output!), progress, options.config!);
        return await sync(connector, runtime, writer as DestinationWriter, progress, config, options.streams);
      }
      default:
        throw new Error(`unknown command ${String(command)}`);
    }
  } catch (caught) {
    if (signal.aborted) return cancelled(runtime, writer);
    const error = asConnectorError(caught);
    if (command === 'validate' || command === 'sync') io.stderr.write(`${redactor.redact(error.message)}\n`);
    else await stdout.emit(errorTrace(error, clock.now()));
    return 1;
  } finally {
    await writer.flush();
    if (writer instanceof DestinationWriter) writer.close();
  }
}

/** Reads every selected stream into the local destination, incremental where the stream allows, resuming from its saved state. */
async function sync(
  connector: Connector,
  runtime: Runtime,
  writer: DestinationWriter,
  progress: SyncProgress,
  rawConfig: unknown,
  names: string[] | undefined,
): Promise<number> {
  const unknown = (names ?? []).filter((name) => !connector.streams.some((stream) => stream.name === name));
  if (unknown.length > 0) {
    throw configError(`Unknown stream(s): ${unknown.join(', ')}. Streams: ${connector.streams.map((s) => s.name).join(', ')}.`);
  }
  const streams = connector.streams.filter((stream) => !names || names.includes(stream.name));
  const config = validateConfig(rawConfig, connector.spec.connection_specification);
  const savedState = writer.open(streams);
  const states = new Map(savedState.map((state) => [(state as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name, state]));
  for (const stream of streams) {
    let slices = 0;
    for await (const _planned of stream.plan(config, (states.get(stream.name) as { stream?: { stream_state?: unknown } })?.stream?.stream_state)) slices += 1;
    progress.plan(stream.name, slices);
  }
  const catalog = { streams: streams.map((stream) => ({ stream: { name: stream.name }, sync_mode: stream.cursor ? 'incremental' : 'full_refresh' })) };
  const source = new Source(connector, runtime, writer);
  const complete = await source.read(rawConfig, catalog, savedState);
  progress.summary();
  if (runtime.signal.aborted) return 143;
  return complete ? 0 : 1;
}

function openDestination(path: string) {
  const extension = extname(path).toLowerCase();
  return extension === '.sqlite' || extension === '.db' ? new SqliteDestination(path) : new JsonLinesDestination(path);
}

async function cancelled(runtime: Runtime, writer: MessageWriter): Promise<number> {
  runtime.logger.log('WARN', 'Cancelled: stopped before finishing. The last STATE emitted marks where the next sync resumes.');
  await writer.flush();
  return 143;
}
