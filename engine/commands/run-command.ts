import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { systemClock } from '../core/clock.js';
import { asConnectorError } from '../core/errors.js';
import { EventChannel } from '../core/events.js';
import type { Runtime } from '../core/runtime.js';
import { createGotTransport } from '../http/got-transport.js';
import { readManifestFile } from '../manifest/manifest-file.js';
import { errorTrace } from '../protocol/error-trace.js';
import { readJsonFile } from '../protocol/input-files.js';
import type { MessageWriter } from '../protocol/messages.js';
import { ProtocolOutput } from '../protocol/output.js';
import { Redactor } from '../protocol/redactor.js';
import type { DestinationWriter } from '../sync/destination-writer.js';
import { requiredPath, type CommandContext, type CommandIo, type CommandName, type CommandOptions } from './command.js';
import { spec } from './spec.js';

// Modules only some commands need are imported when used: `spec` answers without loading the expression engine,
// the HTTP client, the config validator or SQLite, so it starts about as fast as node itself.

const COMMANDS = {
  check: async () => (await import('./check.js')).check,
  discover: async () => (await import('./discover.js')).discover,
  read: async () => (await import('./read.js')).read,
  validate: async () => (await import('./validate.js')).validate,
} satisfies Record<Exclude<CommandName, 'spec' | 'sync'>, () => Promise<(context: CommandContext) => Promise<number>>>;

/** Wires a command: redaction, output, runtime, the compiled manifest; returns the process exit code. */
export async function runCommand(command: CommandName, options: CommandOptions, io: CommandIo): Promise<number> {
  const redactor = new Redactor();
  const clock = io.clock ?? systemClock;
  const signal = io.signal ?? new AbortController().signal;
  const stdout = new ProtocolOutput(io.stdout, redactor);
  let writer: MessageWriter = stdout;
  let rawConfig: Record<string, unknown> | undefined;
  // Stops the run's waits and requests for good (a spent failure budget); unlike a cancel, the read reports it.
  const halt = new AbortController();
  const transport = io.transport ?? createGotTransport(io.userAgent);
  const runtime: Runtime = {
    startedAt: clock.now(),
    clock: {
      now: () => clock.now(),
      sleep: (ms, waitSignal) => clock.sleep(ms, waitSignal ? AbortSignal.any([halt.signal, waitSignal]) : halt.signal),
    },
    signal,
    transport: {
      send: (request) => (halt.signal.aborted ? Promise.reject(halt.signal.reason as Error) : transport.send(request)),
    },
    halt: (reason) => {
      halt.abort(reason);
    },
    events: new EventChannel(),
    logger: { log: (level, message) => void writer.emit({ type: 'LOG', log: { level, message } }) },
    addSecret: (value) => redactor.add(value),
    redact: (text) => redactor.redact(text),
    onConfigUpdate: (update) => {
      if (!rawConfig) return;
      rawConfig = update(rawConfig);
      // Written before the authenticator returns the new access token: once it is used, the old refresh token may
      // be refused, so a run stopped after this point must find the new one in the file.
      if (options.config !== undefined) saveConfig(options.config, rawConfig, runtime);
      void writer.emit({ type: 'CONTROL', control: { type: 'CONNECTOR_CONFIG', emitted_at: clock.now(), connectorConfig: { config: rawConfig } } });
    },
  };

  try {
    const manifest = readManifestFile(options.manifest);
    if (command === 'spec') return await spec(manifest.definition.spec, stdout);
    // The config as the user wrote it: validated (with defaults) by each command, handed back updated in CONTROL.
    const config = options.config ? readJsonFile(options.config, '--config') : undefined;
    redactor.addFromSpec(manifest.definition.spec.connection_specification, config);
    if (config !== null && typeof config === 'object' && !Array.isArray(config)) rawConfig = config as Record<string, unknown>;
    const { compileConnector } = await import('../manifest/compile.js');
    const connector = compileConnector(manifest, runtime);
    const context: CommandContext = { connector, runtime, output: writer, redactor, options, io, config };
    if (command !== 'sync') return await (await COMMANDS[command]())(context);
    const [{ SyncProgress }, { DestinationWriter }, { sync, openDestination }] = await Promise.all([
      import('../sync/progress.js'),
      import('../sync/destination-writer.js'),
      import('./sync.js'),
    ]);
    const output = await openDestination(context);
    const progress = new SyncProgress(io.stderr, redactor, runtime.events, () => clock.now());
    const destination = new DestinationWriter(output, progress, requiredPath(options, 'config'));
    writer = destination;
    return await sync({ ...context, output: destination }, { writer: destination, progress });
  } catch (caught) {
    if (signal.aborted) {
      const { cancelled } = await import('./read.js');
      return await cancelled(runtime, writer);
    }
    const error = asConnectorError(caught);
    if (command === 'validate' || command === 'sync') io.stderr.write(`${redactor.redact(error.message)}\n`);
    else await stdout.emit(errorTrace(error, clock.now()));
    return 1;
  } finally {
    await writer.flush();
    (writer as Partial<DestinationWriter>).close?.();
  }
}

/**
 * Replaces the config file with `config`, whole or not at all: a file beside it readable by its owner only, then
 * renamed over it. A file that cannot be written is said in a WARN naming it (the CONTROL message still carries
 * the config); never thrown, as the token endpoint has already rotated the refresh token.
 */
function saveConfig(path: string, config: Record<string, unknown>, runtime: Runtime): void {
  const temporary = `${path}.tmp`;
  try {
    rmSync(temporary, { force: true });
    writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, path);
  } catch (caught) {
    const code = (caught as NodeJS.ErrnoException).code ?? 'an error';
    runtime.logger.log('WARN', `Could not save the updated config (a new refresh token) to ${path} (${code}): save the config of the CONTROL message there, or the next run is refused.`);
  }
}
