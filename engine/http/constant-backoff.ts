import type { ConstantBackoffDefinition } from '../format/manifest-types.generated.js';
import type { BackoffStrategy } from './backoff-strategy.js';

/** Waits the same time before every attempt. */
export class ConstantBackoff implements BackoffStrategy {
  private readonly waitSeconds: number;

  constructor(definition: ConstantBackoffDefinition) {
    this.waitSeconds = definition.backoff_time_in_seconds;
  }

  waitMs(): number {
    return this.waitSeconds * 1000;
  }
}

declare module '../format/component-context.js' {
  interface Components {
    ConstantBackoff: ConstantBackoff;
  }
}
