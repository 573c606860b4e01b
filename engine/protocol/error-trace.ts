import type { ConnectorError } from '../core/errors.js';
import type { AirbyteMessage } from './messages.js';

/** The TRACE ERROR message for a failure: the user's message, the technical detail, and the stream if any. */
export function errorTrace(error: ConnectorError, emittedAt: number): AirbyteMessage {
  return {
    type: 'TRACE',
    trace: {
      type: 'ERROR',
      emitted_at: emittedAt,
      error: {
        message: error.message,
        internal_message: error.detail,
        stack_trace: error.stack,
        failure_type: error.failureType,
        ...(error.stream ? { stream_descriptor: { name: error.stream } } : {}),
      },
    },
  };
}
