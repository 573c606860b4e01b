import { basename, extname } from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { asConnectorError } from './errors.js';
import { errorTrace } from './protocol/error-trace.js';
import { createGotTransport, type HttpTransport } from './http/transport.js';
import type { Connector } from './manifest/compile.js';
import { readManifestFile } from './manifest/manifest-file.js';
import { readJsonFile } from './protocol/input-files.js';
import type { MessageWriter } from './protocol/messages.js';
import { ProtocolOutput, type OutputStream } from './protocol/output.js';
import { Redactor } from './protocol/redactor.js';
import type { Runtime } from './runtime.js';
import type { DestinationWriter } from './sync/destination-writer.js';
import type { Destination } from './sync/destination.js';
import type { ProgressStream, SyncProgress } from './sync/progress.js';

// Modules only some commands need are imported when used: `spec` answers without loading the expression engine,
// the HTTP client, the config validator or SQLite, so it starts about as fast as node itself.

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
    const manifest = readManifestFile(options.manifest);
    const { spec } = manifest.definition;
    if (command === 'spec') {
      await stdout.emit({ type: 'SPEC', spec: { documentationUrl: spec.documentation_url, connectionSpecification: spec.connection_specification } });
      return 0;
    }
    // The config as the user wrote it: validated (with defaults) by each command, handed back updated in CONTROL.
    const config = options.config ? readJsonFile(options.config, '--config') : undefined;
    redactor.addFromSpec(spec.connection_specification, config);
    if (config !== null && typeof config === 'object' && !Array.isArray(config)) rawConfig = config as Record<string, unknown>;
    const [{ compileConnector }, { Source }] = await Promise.all([import('./manifest/compile.js'), import('./source.js')]);
    const connector = compileConnector(manifest, runtime);
    const source = new Source(connector, runtime, writer);
    switch (command) {
      case 'check':
        await source.check(config);
        return 0;
      case 'discover':
        await source.discover(config);
        return 0;
      case 'validate': {
        const { formatPlan, planRead } = await import('./read-plan.js');
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
        const [{ SyncProgress }, { DestinationWriter }] = await Promise.all([import('./sync/progress.js'), import('./sync/destination-writer.js')]);
        progress = new SyncProgress(io.stderr, redactor, () => clock.now());
        writer = new DestinationWriter(await openDestination(options.output!), progress, options.config!);
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
    (writer as Partial<DestinationWriter>).close?.();
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
  const [{ selectStreams }, { validateConfig }] = await Promise.all([import('./manifest/compile.js'), import('./protocol/connector-config.js')]);
  const streams = selectStreams(connector, names);
  const config = validateConfig(rawConfig, connector.spec.connection_specification);
  const savedState = writer.open(streams);
  const states = new Map(savedState.map((state) => [(state as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name, state]));
  const { PlannedWindows } = await import('./sync/planned-windows.js');
  for (const stream of streams) {
    const saved = (states.get(stream.name) as { stream?: { stream_state?: unknown } })?.stream?.stream_state;
    progress.plan(stream.name, await PlannedWindows.of(stream, config, saved));
  }
  const catalog = { streams: streams.map((stream) => ({ stream: { name: stream.name }, sync_mode: stream.cursor ? 'incremental' : 'full_refresh' })) };
  const { Source } = await import('./source.js');
  const source = new Source(connector, runtime, writer);
  const complete = await source.read(rawConfig, catalog, savedState);
  progress.summary();
  if (runtime.signal.aborted) return 143;
  return complete ? 0 : 1;
}

async function openDestination(path: string): Promise<Destination> {
  const extension = extname(path).toLowerCase();
  if (extension !== '.sqlite' && extension !== '.db') {
    const { JsonLinesDestination } = await import('./sync/jsonl-destination.js');
    return new JsonLinesDestination(path);
  }
  // The native SQLite module is loaded only for a sync into SQLite.
  const { SqliteDestination } = await import('./sync/sqlite-destination.js');
  return new SqliteDestination(path);
}

async function cancelled(runtime: Runtime, writer: MessageWriter): Promise<number> {
  runtime.logger.log('WARN', 'Cancelled: stopped before finishing. The last STATE emitted marks where the next sync resumes.');
  await writer.flush();
  return 143;
}
