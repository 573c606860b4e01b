import { configError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { HttpResponse } from '../core/http-transport.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { WaitUntilTimeFromHeaderDefinition } from '../format/manifest-types.generated.js';
import type { BackoffStrategy } from './backoff-strategy.js';

/**
 * Waits until the time a response header gives in epoch seconds (a rate limit's reset time, e.g.
 * `X-RateLimit-Reset: 1767225600`), measured on the injected clock. With `min_wait`, never less than that, which is
 * also the wait when the header is absent or unreadable or its time already past; without it, those leave the
 * decision to the next strategy. The error handler caps the wait at max_wait_seconds.
 */
export class WaitUntilTimeFromHeader implements BackoffStrategy {
  private readonly header: string;
  private readonly minWaitMs?: number;
  private readonly regex?: RegExp;
  private readonly clock: Clock;

  constructor(definition: WaitUntilTimeFromHeaderDefinition, path: Path, context: ComponentContext) {
    this.header = definition.header.toLowerCase();
    this.minWaitMs = definition.min_wait === undefined ? undefined : definition.min_wait * 1000;
    if (definition.regex !== undefined) {
      try {
        this.regex = new RegExp(definition.regex);
      } catch (error) {
        throw configError('MANIFEST_INVALID', `regex at ${context.describe([...path, 'regex'])} is not a valid regular expression: ${(error as Error).message}`, {
          location: context.location([...path, 'regex']),
        });
      }
    }
    this.clock = context.runtime.clock;
  }

  waitMs(_attempt: number, response: HttpResponse | undefined): number | undefined {
    const resetMs = this.resetSeconds(response?.headers[this.header]) * 1000;
    const waitMs = resetMs - this.clock.now();
    if (this.minWaitMs !== undefined) return Number.isFinite(waitMs) ? Math.max(waitMs, this.minWaitMs) : this.minWaitMs;
    return Number.isFinite(waitMs) && waitMs > 0 ? waitMs : undefined;
  }

  /** The epoch seconds the header holds, NaN when it holds none. */
  private resetSeconds(value: string | undefined): number {
    if (value === undefined) return NaN;
    let text = value.trim();
    if (this.regex) {
      const match = this.regex.exec(text);
      if (!match) return NaN;
      // The first group that took part in the match (one that did not is undefined, whatever its type says).
      text = ((match.slice(1) as (string | undefined)[]).find((group) => group !== undefined) ?? match[0]).trim();
    }
    return /^[-+]?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  }
}

declare module '../format/component-context.js' {
  interface Components {
    WaitUntilTimeFromHeader: WaitUntilTimeFromHeader;
  }
}
