import type { Clock } from '../core/clock.js';
import type { HttpResponse } from '../core/http-transport.js';
import type { ComponentContext } from '../format/component-context.js';
import type { WaitTimeFromHeaderDefinition } from '../format/manifest-types.generated.js';
import type { BackoffStrategy } from './backoff-strategy.js';

/** Waits as long as a response header says, e.g. Retry-After; no opinion when the header is absent or unreadable. */
export class WaitTimeFromHeader implements BackoffStrategy {
  private readonly header: string;
  private readonly clock: Clock;

  constructor(definition: WaitTimeFromHeaderDefinition, context: ComponentContext) {
    this.header = definition.header.toLowerCase();
    this.clock = context.runtime.clock;
  }

  waitMs(_attempt: number, response: HttpResponse | undefined): number | undefined {
    return waitFromHeader(response?.headers[this.header], this.clock);
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

declare module '../format/component-context.js' {
  interface Components {
    WaitTimeFromHeader: WaitTimeFromHeader;
  }
}
