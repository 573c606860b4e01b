import type { Connector } from '../manifest/compile.js';
import { validateConfig } from '../protocol/connector-config.js';
import type { DeclarativeStream } from '../streams/declarative-stream.js';
import type { CatalogStream } from '../protocol/messages.js';

/** The config validated against the connector's spec, with its defaults filled in. */
export function connectorConfig(connector: Connector, rawConfig: unknown): Record<string, unknown> {
  return validateConfig(rawConfig, connector.spec.connection_specification);
}

export function streamNamed(connector: Connector, name: string): DeclarativeStream | undefined {
  return connector.streams.find((stream) => stream.name === name);
}

/**
 * A stream as the catalog shows it. A stream without a cursor whose partition router keeps state (refresh_interval,
 * incremental_dependency) is incremental too, its cursor defined by the source (none to choose).
 */
export function catalogEntry(stream: DeclarativeStream): CatalogStream {
  return {
    name: stream.name,
    json_schema: stream.schema,
    supported_sync_modes: stream.incremental ? ['full_refresh', 'incremental'] : ['full_refresh'],
    ...(stream.cursor ? { source_defined_cursor: true, default_cursor_field: [stream.cursor.field] } : stream.incremental ? { source_defined_cursor: true } : {}),
    source_defined_primary_key: stream.primaryKey.map((key) => [key]),
    is_resumable: stream.incremental,
  };
}
