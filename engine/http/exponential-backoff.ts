import type { ExponentialBackoffDefinition } from '../format/manifest-types.generated.js';
import type { BackoffStrategy } from './backoff-strategy.js';

/** Waits `factor * 2^(attempt-1)` seconds: 5 s, 10 s, 20 s... with the default factor. */
export class ExponentialBackoff implements BackoffStrategy {
  private readonly factor: number;

  constructor(definition: ExponentialBackoffDefinition) {
    this.factor = definition.factor;
  }

  waitMs(attempt: number): number {
    return this.factor * 2 ** (attempt - 1) * 1000;
  }
}

declare module '../format/component-context.js' {
  interface Components {
    ExponentialBackoff: ExponentialBackoff;
  }
}
