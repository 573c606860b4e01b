import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { systemClock, type Clock } from '../engine/clock.js';
import { asConnectorError, type ConnectorError } from '../engine/errors.js';
import { createGotTransport, type HttpTransport } from '../engine/http/transport.js';
import { loadConnector } from '../engine/manifest/compile.js';
import { readJsonFile } from '../engine/protocol/input-files.js';
import { ProtocolOutput, type OutputStream } from '../engine/protocol/output.js';
import { Redactor } from '../engine/protocol/redactor.js';
import type { Runtime } from '../engine/runtime.js';
import { Source } from '../engine/source.js';
import { formatPlan, planRead } from '../engine/read-plan.js';
import { basename } from 'node:path';

export const DEFAULT_MANIFEST = fileURLToPath(new URL('../../manifest.yaml', import.meta.url));
const USER_AGENT = 'manifest-connector/0.1 (+declarative Airbyte source engine)';

export interface CliIo {
  stdout: OutputStream;
  stderr: { write(text: string): unknown };
  clock?: Clock;
  transport?: HttpTransport;
  signal?: AbortSignal;
}

const USAGE = `Usage:
  linkedin-pages-source spec     [--manifest PATH]
  linkedin-pages-source check    --config CONFIG.json [--manifest PATH]
  linkedin-pages-source discover --config CONFIG.json [--manifest PATH]
  linkedin-pages-source read     --config CONFIG.json --catalog CATALOG.json [--state STATE.json] [--manifest PATH]
  linkedin-pages-source validate --config CONFIG.json [--state STATE.json] [--streams a,b] [--json] [--manifest PATH]
      checks a manifest and prints the requests a read would make, without sending any
`;

/** Runs one CLI command to completion and returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseCommand>;
  try {
    parsed = parseCommand(argv);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { command, options } = parsed;
  const redactor = new Redactor();
  const output = new ProtocolOutput(io.stdout, redactor);
  const clock = io.clock ?? systemClock;
  let rawConfig: Record<string, unknown> | undefined;
  const runtime: Runtime = {
    clock,
    transport: io.transport ?? createGotTransport(USER_AGENT),
    signal: io.signal ?? new AbortController().signal,
    logger: { log: (level, message) => void output.emit({ type: 'LOG', log: { level, message } }) },
    addSecret: (value) => redactor.add(value),
    onConfigUpdate: (update) => {
      if (!rawConfig) return;
      rawConfig = update(rawConfig);
      void output.emit({ type: 'CONTROL', control: { type: 'CONNECTOR_CONFIG', emitted_at: clock.now(), connectorConfig: { config: rawConfig } } });
    },
  };

  let source: Source | undefined;
  try {
    const connector = loadConnector(options.manifest ?? DEFAULT_MANIFEST, runtime);
    source = new Source(connector, runtime, output);
    if (options.config) {
      const config = readJsonFile(options.config, '--config');
      if (config && typeof config === 'object') {
        rawConfig = config as Record<string, unknown>;
        redactor.addFromSpec(connector.spec.connection_specification, config);
      }
    }
    switch (command) {
      case 'spec':
        await source.spec();
        return 0;
      case 'check':
        await source.check(rawConfig ?? readJsonFile(options.config!, '--config'));
        return 0;
      case 'discover':
        await source.discover(rawConfig ?? readJsonFile(options.config!, '--config'));
        return 0;
      case 'validate': {
        const state = options.state ? readJsonFile(options.state, '--state') : undefined;
        const streams = options.streams?.split(',').map((name) => name.trim()).filter(Boolean);
        const plans = await planRead(connector, rawConfig ?? readJsonFile(options.config!, '--config'), state, streams, redactor);
        io.stdout.write(options.json ? `${plans.map((plan) => JSON.stringify(plan)).join('\n')}\n` : formatPlan(plans, basename(options.manifest ?? DEFAULT_MANIFEST)));
        return 0;
      }
      case 'read': {
        const catalog = readJsonFile(options.catalog!, '--catalog');
        const state = options.state ? readJsonFile(options.state, '--state') : undefined;
        const complete = await source.read(rawConfig ?? readJsonFile(options.config!, '--config'), catalog, state);
        if (runtime.signal.aborted) return cancelled(runtime, output);
        return complete ? 0 : 1;
      }
    }
  } catch (caught) {
    if (runtime.signal.aborted) return cancelled(runtime, output);
    const error = asConnectorError(caught);
    if (command === 'validate') {
      io.stderr.write(`${redactor.redact(error.message)}\n`);
      return 1;
    }
    await reportError(error, output, clock);
    return 1;
  } finally {
    await output.flush();
  }
}

async function cancelled(runtime: Runtime, output: ProtocolOutput): Promise<number> {
  runtime.logger.log('WARN', 'Cancelled: stopped before finishing. The last STATE emitted marks where the next sync resumes.');
  await output.flush();
  return 143;
}

async function reportError(error: ConnectorError, output: ProtocolOutput, clock: Clock): Promise<void> {
  await output.emit({
    type: 'TRACE',
    trace: {
      type: 'ERROR',
      emitted_at: clock.now(),
      error: {
        message: error.message,
        internal_message: error.internalMessage ?? error.location,
        stack_trace: error.stack,
        failure_type: error.failureType,
        ...(error.stream ? { stream_descriptor: { name: error.stream } } : {}),
      },
    },
  });
}

function parseCommand(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      manifest: { type: 'string' },
      config: { type: 'string' },
      catalog: { type: 'string' },
      state: { type: 'string' },
      streams: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (positionals.length !== 1 || !['spec', 'check', 'discover', 'read', 'validate'].includes(command)) {
    throw new Error(command ? `Unknown command "${positionals.join(' ')}".` : 'No command given.');
  }
  if (command !== 'spec' && !values.config) throw new Error(`${command} needs --config CONFIG.json.`);
  if (command === 'read' && !values.catalog) throw new Error('read needs --catalog CATALOG.json.');
  return { command: command as 'spec' | 'check' | 'discover' | 'read' | 'validate', options: values };
}
