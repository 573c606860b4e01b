import type { FailureType } from '../core/errors.js';
import type { ExpressionContext, Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { HttpResponseFilterDefinition } from '../format/manifest-types.generated.js';
import type { AttemptOutcome } from './error-handler.js';

export type ResponseAction = HttpResponseFilterDefinition['action'];

/** One rule of an error handler: the responses it matches (all its conditions hold), and what they mean. */
export class HttpResponseFilter {
  readonly action: ResponseAction;
  readonly failureType?: FailureType;
  private readonly httpCodes?: number[];
  private readonly bodyContains?: string;
  private readonly predicate?: Template;
  private readonly message?: Template;

  constructor(definition: HttpResponseFilterDefinition, path: Path, context: ComponentContext) {
    this.action = definition.action;
    this.failureType = definition.failure_type;
    this.httpCodes = definition.http_codes;
    this.bodyContains = definition.error_message_contains;
    this.predicate = context.optionalTemplate(definition.predicate, [...path, 'predicate']);
    this.message = context.optionalTemplate(definition.error_message, [...path, 'error_message']);
  }

  /** Whether the filter applies; a promise only when its predicate needs one. */
  matches(outcome: AttemptOutcome, context: () => ExpressionContext): boolean | Promise<boolean> {
    if (this.httpCodes && !(outcome.response && this.httpCodes.includes(outcome.response.status))) return false;
    if (this.bodyContains !== undefined && !(outcome.response?.body ?? '').includes(this.bodyContains)) return false;
    if (!this.predicate) return true;
    return Promise.resolve(this.predicate.evaluate(context())).then(Boolean);
  }

  /** The message for the user, when the filter declares one. */
  async userMessage(context: () => ExpressionContext): Promise<string | undefined> {
    return this.message ? String(await this.message.evaluate(context())) : undefined;
  }
}

declare module '../format/component-context.js' {
  interface Components {
    HttpResponseFilter: HttpResponseFilter;
  }
}
