import type { HttpResponse } from '../core/http-transport.js';
import type { ExpressionContext, Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { CompositeErrorHandlerDefinition } from '../format/manifest-types.generated.js';
import { defaultVerdict, type AttemptOutcome, type ResponseJudge, type Verdict } from './error-handler.js';

/**
 * Tries its error handlers in order. The first one with a response filter that matches decides, whatever its
 * action (SUCCESS included), and its max_attempts, backoff strategies, max_wait_seconds and rate_limit_* fields apply
 * to that verdict. A handler none of whose filters match has no opinion; when none has one, the response is judged
 * by status, under the first handler's limits and waits.
 */
export class CompositeErrorHandler implements ResponseJudge {
  private readonly handlers: ResponseJudge[];
  private readonly first: ResponseJudge;

  constructor(definition: CompositeErrorHandlerDefinition, path: Path, context: ComponentContext) {
    this.handlers = definition.error_handlers.map((handler, index) => context.build(handler, [...path, 'error_handlers', index]));
    this.first = this.handlers[0];
  }

  get maxAttempts(): number {
    return this.first.maxAttempts;
  }

  get rateLimitMessage(): Template | undefined {
    return this.first.rateLimitMessage;
  }

  get rateLimitReset(): Template | undefined {
    return this.first.rateLimitReset;
  }

  waitMs(attempt: number, response: HttpResponse | undefined): number {
    return this.first.waitMs(attempt, response);
  }

  async decide(outcome: AttemptOutcome, context: ExpressionContext): Promise<Verdict | undefined> {
    for (const handler of this.handlers) {
      const verdict = await handler.decide(outcome, context);
      // A nested composite's verdict already names the handler in it that decided.
      if (verdict) return { ...verdict, rules: verdict.rules ?? handler };
    }
    return undefined;
  }

  async judge(outcome: AttemptOutcome, context: ExpressionContext): Promise<Verdict> {
    return (await this.decide(outcome, context)) ?? { ...defaultVerdict(outcome), rules: this.first };
  }
}

declare module '../format/component-context.js' {
  interface Components {
    CompositeErrorHandler: CompositeErrorHandler;
  }
}
