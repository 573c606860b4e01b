import { STATUS_CODES } from 'node:http';
import type { FailureType } from '../core/errors.js';
import type { ExpressionContext, Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { ErrorHandlerDefinition } from '../format/manifest-types.generated.js';
import type { BackoffStrategy } from './backoff-strategy.js';
import type { HttpResponseFilter, ResponseAction } from './http-response-filter.js';
import type { HttpResponse } from '../core/http-transport.js';
import { NetworkError } from '../core/http-transport.js';

/** One attempt's outcome as the error handler sees it. */
export type AttemptOutcome = { response: HttpResponse; error?: undefined } | { response?: undefined; error: NetworkError };

export interface Verdict {
  action: ResponseAction;
  /** Short description of what happened, e.g. `429 Too Many Requests`. */
  reason: string;
  /** Message for the user, when a filter declares one. */
  message?: string;
  failureType?: FailureType;
  /**
   * The limits and waits that apply to this verdict when they are not those of the handler the request was sent
   * with: a CompositeErrorHandler's verdict carries those of the handler in it that decided.
   */
  rules?: RetryRules;
}

/** How often a request may be attempted, how long to wait between attempts, and what to say of a spent rate limit. */
export interface RetryRules {
  readonly maxAttempts: number;
  /** The wait before attempt `attempt + 1`, capped by max_wait_seconds. */
  waitMs(attempt: number, response: HttpResponse | undefined): number;
  readonly rateLimitMessage?: Template;
  readonly rateLimitReset?: Template;
}

/** What the retry loop sends a request with: an ErrorHandler, or a CompositeErrorHandler over several. */
export interface ResponseJudge extends RetryRules {
  /** The verdict when one of the handler's response filters matches; undefined ("no opinion") when none does. */
  decide(outcome: AttemptOutcome, context: ExpressionContext): Promise<Verdict | undefined>;
  /** The verdict: the one `decide` gives, else the default by status (`defaultVerdict`). */
  judge(outcome: AttemptOutcome, context: ExpressionContext): Promise<Verdict>;
}

/** Decides what a response means and how long to wait before the next attempt, as the manifest declares. */
export class ErrorHandler implements ResponseJudge {
  readonly maxAttempts: number;
  private readonly maxWaitMs: number;
  private readonly filters: HttpResponseFilter[];
  private readonly backoffs: BackoffStrategy[];
  readonly rateLimitMessage?: Template;
  readonly rateLimitReset?: Template;

  constructor(definition: ErrorHandlerDefinition, path: Path, context: ComponentContext) {
    this.maxAttempts = definition.max_attempts;
    this.maxWaitMs = definition.max_wait_seconds * 1000;
    this.filters = definition.response_filters.map((filter, index) => context.build(filter, [...path, 'response_filters', index]));
    this.backoffs = definition.backoff_strategies.map((backoff, index) => context.build(backoff, [...path, 'backoff_strategies', index]));
    this.rateLimitMessage = context.optionalTemplate(definition.rate_limit_message, [...path, 'rate_limit_message']);
    this.rateLimitReset = context.optionalTemplate(definition.rate_limit_reset, [...path, 'rate_limit_reset']);
  }

  async judge(outcome: AttemptOutcome, context: ExpressionContext): Promise<Verdict> {
    return (await this.decide(outcome, context)) ?? defaultVerdict(outcome);
  }

  async decide(outcome: AttemptOutcome, context: ExpressionContext): Promise<Verdict | undefined> {
    if (this.filters.length === 0) return undefined;
    const reason = describeOutcome(outcome);
    // Parsed only when a filter's expression needs the body: most responses are judged by status alone.
    let parsed: ExpressionContext | undefined;
    const responseContext = () => (parsed ??= outcome.response ? withResponse(context, outcome.response) : context);
    for (const filter of this.filters) {
      const match = filter.matches(outcome, responseContext);
      if (!(match === true || (match !== false && (await match)))) continue;
      return { action: filter.action, reason, message: await filter.userMessage(responseContext), failureType: filter.failureType };
    }
    return undefined;
  }

  waitMs(attempt: number, response: HttpResponse | undefined): number {
    for (const backoff of this.backoffs) {
      const wait = backoff.waitMs(attempt, response);
      if (wait !== undefined) return Math.min(wait, this.maxWaitMs);
    }
    return 0;
  }
}

/** The verdict when no response filter matches: by status alone. */
export function defaultVerdict(outcome: AttemptOutcome): Verdict {
  return { action: defaultAction(outcome), reason: describeOutcome(outcome) };
}

function defaultAction(outcome: AttemptOutcome): ResponseAction {
  if (!outcome.response) return 'RETRY';
  const { status } = outcome.response;
  if (status >= 200 && status < 300) return 'SUCCESS';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 408 || status >= 500) return 'RETRY';
  return 'FAIL';
}

export function describeOutcome(outcome: AttemptOutcome): string {
  if (!outcome.response) return outcome.error.message;
  const { status } = outcome.response;
  return `${status} ${STATUS_CODES[status] ?? 'Unknown status'}`;
}

/** Adds the response to an expression context: parsed JSON when the body is JSON, else its text. */
export function withResponse(context: ExpressionContext, response: HttpResponse): ExpressionContext {
  let body: unknown = response.body;
  try {
    body = JSON.parse(response.body);
  } catch {
    // Not JSON (an HTML error page, say): expressions see the text.
  }
  return { ...context, response: body, headers: response.headers, status_code: response.status };
}

declare module '../format/component-context.js' {
  interface Components {
    ErrorHandler: ErrorHandler;
  }
}
