import { ConnectorError, transientError, type FailureType } from '../core/errors.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { Runtime } from '../core/runtime.js';
import type { Authenticator } from './authenticator.js';
import { withResponse, type AttemptOutcome, type ErrorHandler, type Verdict } from './error-handler.js';
import { NetworkError, type HttpRequest, type HttpResponse } from '../core/http-transport.js';

export interface SuccessfulResponse {
  response: HttpResponse;
  /** The body parsed as JSON. */
  body: unknown;
}

export interface SendOptions {
  /** Builds the request anew for each attempt, so refreshed credentials are used. */
  build: () => Promise<HttpRequest>;
  handler: ErrorHandler;
  context: ExpressionContext;
  runtime: Runtime;
  authenticator?: Authenticator;
  /** Names the request in messages, e.g. `GET /organizations/123`. */
  describe: string;
}

/** An attempt whose failure the manifest says is worth another try. */
class RetryableAttempt extends Error {
  constructor(
    readonly verdict: Verdict,
    readonly outcome: AttemptOutcome,
  ) {
    super(verdict.reason);
  }
}

/**
 * Sends one logical request: attempts it as often as the error handler allows, waiting between attempts with the
 * injected clock. Returns undefined when the handler says IGNORE. The first attempt runs directly, as most
 * requests succeed at once; a retryable failure hands the remaining attempts to p-retry (loaded only then).
 */
export async function sendWithRetries(options: SendOptions): Promise<SuccessfulResponse | undefined> {
  const { handler, runtime, context } = options;
  let credentialRenewals = 0;
  let failures = 0;

  /** Throws a RetryableAttempt when the handler allows another try, any other error when the request failed for good. */
  const attempt = async (): Promise<SuccessfulResponse | undefined> => {
    let request = await options.build();
    let outcome = await sendOnce(request, options);
    // A refused credential is renewed and the request sent again at once, within the same attempt, a bounded
    // number of times per request.
    while (outcome.response?.status === 401 && options.authenticator?.refreshAfterUnauthorized && credentialRenewals < handler.maxAttempts) {
      credentialRenewals += 1;
      if (!(await options.authenticator.refreshAfterUnauthorized(context, request.headers))) break;
      request = await options.build();
      outcome = await sendOnce(request, options);
    }
    let verdict = await handler.judge(outcome, context);
    if (verdict.action === 'SUCCESS' && outcome.response) {
      const body = parseJson(outcome.response.body);
      if (body !== undefined) return { response: outcome.response, body };
      verdict = { action: 'RETRY', reason: `${verdict.reason} with a body that is not valid JSON` };
    }
    switch (verdict.action) {
      case 'IGNORE':
        return undefined;
      case 'RETRY':
      case 'RATE_LIMITED':
        throw new RetryableAttempt(verdict, outcome);
      default:
        throw await failure(verdict, outcome, options);
    }
  };

  const waitBeforeRetry = async (error: RetryableAttempt) => {
    failures += 1;
    const waitMs = handler.waitMs(failures, error.outcome.response);
    runtime.logger.log(
      'INFO',
      `Caught retryable error '${error.verdict.reason}' after ${failures} tries. Waiting ${formatSeconds(waitMs)} seconds then retrying...`,
    );
    await runtime.clock.sleep(waitMs, runtime.signal);
  };

  try {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof RetryableAttempt) || handler.maxAttempts < 2) throw error;
      await waitBeforeRetry(error);
    }
    const { default: pRetry, AbortError } = await import('p-retry');
    return await pRetry(
      async () => {
        try {
          return await attempt();
        } catch (error) {
          throw error instanceof RetryableAttempt ? error : new AbortError(error as Error);
        }
      },
      {
        retries: handler.maxAttempts - 2,
        minTimeout: 0,
        signal: runtime.signal,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          if (error instanceof RetryableAttempt && retriesLeft > 0) await waitBeforeRetry(error);
        },
      },
    );
  } catch (error) {
    if (error instanceof RetryableAttempt) throw await exhausted(error, options, failures + 1);
    throw error;
  }
}

async function sendOnce(request: HttpRequest, options: SendOptions): Promise<AttemptOutcome> {
  try {
    return { response: await options.runtime.transport.send(request) };
  } catch (error) {
    if (error instanceof NetworkError) return { error };
    throw error;
  }
}

async function failure(verdict: Verdict, outcome: AttemptOutcome, options: SendOptions): Promise<ConnectorError> {
  const failureType: FailureType = verdict.failureType ?? (outcome.response?.status === 401 ? 'config_error' : 'system_error');
  const detail = outcome.response ? excerpt(outcome.response.body) : '';
  const message =
    verdict.message ??
    `${options.describe} failed with ${verdict.reason}${detail ? `: ${detail}` : ''}`;
  return new ConnectorError(message, {
    failureType,
    code: outcome.response?.status === 401 || outcome.response?.status === 403 ? 'AUTH_FAILED' : 'HTTP_FAILED',
    internalMessage: `${options.describe} -> ${verdict.reason}${detail ? ` ${detail}` : ''}`,
  });
}

async function exhausted(error: RetryableAttempt, options: SendOptions, attempts: number): Promise<ConnectorError> {
  const { verdict, outcome } = error;
  const base = `${options.describe} still failed after ${attempts} attempts: ${verdict.reason}.`;
  const internalMessage = `${base}${outcome.response ? ` ${excerpt(outcome.response.body)}` : ''}`;
  if (verdict.action !== 'RATE_LIMITED') {
    return transientError('RETRY_EXHAUSTED', verdict.message ? `${verdict.message} (${base})` : `${base} This is usually temporary; try again later.`, {
      internalMessage,
    });
  }
  const context = outcome.response ? withResponse(options.context, outcome.response) : options.context;
  const extra = options.handler.rateLimitMessage ? String(await options.handler.rateLimitMessage.evaluate(context)) : '';
  const reset = options.handler.rateLimitReset ? Number(await options.handler.rateLimitReset.evaluate(context)) : undefined;
  return transientError('RATE_LIMITED', [verdict.message, base, extra].filter(Boolean).join(' '), {
    internalMessage,
    rateLimitResetAt: Number.isFinite(reset) ? reset : undefined,
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}...` : flat;
}

function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

