import type { Clock } from '../core/clock.js';
import type { BackoffDefinition } from '../format/manifest-types.generated.js';
import type { HttpResponse } from '../core/http-transport.js';

/** How long to wait before attempt `attempt + 1`; undefined lets the next strategy decide. */
export interface BackoffStrategy {
  waitMs(attempt: number, response: HttpResponse | undefined): number | undefined;
}

export function createBackoffStrategy(definition: BackoffDefinition, clock: Clock): BackoffStrategy {
  switch (definition.type) {
    case 'ExponentialBackoff':
      return { waitMs: (attempt) => definition.factor * 2 ** (attempt - 1) * 1000 };
    case 'ConstantBackoff':
      return { waitMs: () => definition.backoff_time_in_seconds * 1000 };
    case 'WaitTimeFromHeader':
      return { waitMs: (_attempt, response) => waitFromHeader(response?.headers[definition.header.toLowerCase()], clock) };
  }
}

/** A header holding seconds (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`). */
function waitFromHeader(value: string | undefined, clock: Clock): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - clock.now());
}
