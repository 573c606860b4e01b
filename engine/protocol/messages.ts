import type { FailureType } from '../core/errors.js';
import type { LogLevel } from '../core/runtime.js';

/** Airbyte protocol messages, field names exactly as the protocol spells them. */
export type AirbyteMessage =
  | { type: 'SPEC'; spec: { documentationUrl?: string; connectionSpecification: Record<string, unknown> } }
  | { type: 'CONNECTION_STATUS'; connectionStatus: { status: 'SUCCEEDED' | 'FAILED'; message?: string } }
  | { type: 'CATALOG'; catalog: { streams: CatalogStream[] } }
  | { type: 'RECORD'; record: { stream: string; data: Record<string, unknown>; emitted_at: number } }
  | { type: 'STATE'; state: StreamStateMessage }
  | { type: 'LOG'; log: { level: LogLevel; message: string } }
  | { type: 'TRACE'; trace: Trace }
  | { type: 'CONTROL'; control: { type: 'CONNECTOR_CONFIG'; emitted_at: number; connectorConfig: { config: Record<string, unknown> } } };

export interface CatalogStream {
  name: string;
  json_schema: Record<string, unknown>;
  supported_sync_modes: ('full_refresh' | 'incremental')[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  is_resumable?: boolean;
}

export interface StreamStateMessage {
  type: 'STREAM';
  stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> };
  sourceStats: { recordCount: number };
}

export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

export type Trace =
  | {
      type: 'ERROR';
      emitted_at: number;
      error: {
        message: string;
        internal_message?: string;
        stack_trace?: string;
        failure_type: FailureType;
        stream_descriptor?: { name: string };
      };
    }
  | {
      type: 'STREAM_STATUS';
      emitted_at: number;
      stream_status: {
        stream_descriptor: { name: string };
        status: StreamStatus;
        reasons?: { type: 'RATE_LIMITED'; rate_limited: { quota_reset?: number } }[];
      };
    };

/** Where protocol messages go: stdout for the Airbyte commands, a local destination for `sync`. */
export interface MessageWriter {
  /** Resolves when the message is accepted; records may be accepted at once, without a promise. */
  emit(message: AirbyteMessage): void | Promise<void>;
  flush(): Promise<void>;
}
