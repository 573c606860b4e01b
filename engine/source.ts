import { asConnectorError, configError, type ConnectorError } from './errors.js';
import { createLimiter, type Limiter } from './concurrency.js';
import type { Connector } from './manifest/compile.js';
import type { Runtime } from './runtime.js';
import type { DeclarativeStream } from './streams/declarative-stream.js';
import { RecordValidator } from './streams/record-validator.js';
import type { CatalogStream, MessageWriter, StreamStatus } from './protocol/messages.js';
import { errorTrace } from './protocol/error-trace.js';
import { createAjv } from './json-schema.js';
import { validateConfig } from './protocol/connector-config.js';
import { parseConfiguredCatalog, type ConfiguredStream } from './protocol/configured-catalog.js';
import { parseInputState } from './protocol/input-state.js';

/** The Airbyte source commands over a compiled connector. Each writes protocol messages only. */
export class Source {
  /** Compiles the record schemas of a read's streams. */
  private recordSchemas?: ReturnType<typeof createAjv>;

  constructor(
    private readonly connector: Connector,
    private readonly runtime: Runtime,
    private readonly output: MessageWriter,
  ) {}

  /** Answers SUCCEEDED or FAILED; only an internal error (a bug) becomes a TRACE and a failed command. */
  async check(rawConfig: unknown): Promise<void> {
    try {
      const config = this.config(rawConfig);
      for (const name of this.connector.check.stream_names) await this.stream(name)!.probe(config);
      await this.output.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } });
    } catch (caught) {
      const error = asConnectorError(caught);
      if (error.failureType === 'system_error') throw error;
      await this.output.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: error.message } });
    }
  }

  async discover(rawConfig: unknown): Promise<void> {
    this.config(rawConfig);
    await this.output.emit({ type: 'CATALOG', catalog: { streams: this.connector.streams.map(catalogEntry) } });
  }

  /** Reads the configured streams concurrently; true when every one completed. */
  async read(rawConfig: unknown, catalog: unknown, state: unknown): Promise<boolean> {
    const config = this.config(rawConfig);
    const configured = parseConfiguredCatalog(catalog);
    const states = parseInputState(state);
    const limiter = createLimiter(this.connector.concurrencyLevel);
    const results = await Promise.all(configured.map((entry) => this.readStream(entry, config, states.get(entry.name), limiter)));
    return results.every(Boolean);
  }

  private async readStream(entry: ConfiguredStream, config: Record<string, unknown>, state: unknown, limiter: Limiter): Promise<boolean> {
    const stream = this.stream(entry.name);
    if (!stream) {
      const known = this.connector.streams.map((s) => s.name).join(', ');
      await this.error(
        configError(`The catalog asks for stream "${entry.name}", which this connector does not have. Streams: ${known}.`, {
          stream: entry.name,
        }),
      );
      return false;
    }
    await this.status(entry.name, 'STARTED');
    let sinceLastState = 0;
    let running = false;
    try {
      this.recordSchemas ??= createAjv();
      const validator = new RecordValidator(stream.name, stream.schema, this.runtime.logger, this.recordSchemas);
      await stream.read({
        config,
        state,
        incremental: entry.syncMode === 'incremental',
        limiter,
        sink: {
          record: (data) => {
            validator.check(data);
            sinceLastState += 1;
            const message = { type: 'RECORD', record: { stream: stream.name, data, emitted_at: this.runtime.clock.now() } } as const;
            if (running) return this.output.emit(message);
            running = true;
            return this.status(stream.name, 'RUNNING').then(() => this.output.emit(message));
          },
          checkpoint: async (streamState) => {
            const recordCount = sinceLastState;
            sinceLastState = 0;
            await this.output.emit({
              type: 'STATE',
              state: { type: 'STREAM', stream: { stream_descriptor: { name: stream.name }, stream_state: streamState }, sourceStats: { recordCount } },
            });
          },
        },
      });
      await this.status(stream.name, 'COMPLETE');
      return true;
    } catch (caught) {
      if (this.runtime.signal.aborted) {
        await this.status(stream.name, 'INCOMPLETE');
        return false;
      }
      const error = asConnectorError(caught).withStream(stream.name);
      await this.error(error);
      await this.status(stream.name, 'INCOMPLETE', error.rateLimitResetAt);
      return false;
    }
  }

  private async error(error: ConnectorError): Promise<void> {
    await this.output.emit(errorTrace(error, this.runtime.clock.now()));
  }

  private async status(name: string, status: StreamStatus, quotaReset?: number): Promise<void> {
    await this.output.emit({
      type: 'TRACE',
      trace: {
        type: 'STREAM_STATUS',
        emitted_at: this.runtime.clock.now(),
        stream_status: {
          stream_descriptor: { name },
          status,
          ...(quotaReset !== undefined ? { reasons: [{ type: 'RATE_LIMITED', rate_limited: { quota_reset: quotaReset } }] } : {}),
        },
      },
    });
  }

  private config(rawConfig: unknown): Record<string, unknown> {
    return validateConfig(rawConfig, this.connector.spec.connection_specification);
  }

  private stream(name: string): DeclarativeStream | undefined {
    return this.connector.streams.find((stream) => stream.name === name);
  }
}

function catalogEntry(stream: DeclarativeStream): CatalogStream {
  return {
    name: stream.name,
    json_schema: stream.schema,
    supported_sync_modes: stream.cursor ? ['full_refresh', 'incremental'] : ['full_refresh'],
    ...(stream.cursor ? { source_defined_cursor: true, default_cursor_field: [stream.cursor.field] } : {}),
    source_defined_primary_key: stream.primaryKey.map((key) => [key]),
    is_resumable: stream.cursor !== undefined,
  };
}
