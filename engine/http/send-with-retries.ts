import { ConnectorError, transientError, type FailureType } from '../core/errors.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { Runtime } from '../core/runtime.js';
import type { Authenticator } from './authenticator.js';
import { withResponse, type AttemptOutcome, type ResponseJudge, type RetryRules, type Verdict } from './error-handler.js';
import { NetworkError, hostOf, type HttpRequest, type HttpResponse } from '../core/http-transport.js';
import type { Decoder } from './decoder.js';
import { JSON_DECODER } from './json-decoder.js';

export interface SuccessfulResponse {
  response: HttpResponse;
  /** The body as the decoder read it (parsed JSON by default). */
  body: unknown;
}

export interface SendOptions {
  /** Builds the request anew for each attempt, so refreshed credentials are used. */
  build: () => Promise<HttpRequest>;
  /** An ErrorHandler or a CompositeErrorHandler; each verdict's limits and waits are those of the handler that gave it. */
  handler: ResponseJudge;
  context: ExpressionContext;
  runtime: Runtime;
  authenticator?: Authenticator;
  /** Names the request in messages, e.g. `GET /organizations/123`. */
  describe: string;
  /**
   * Reads a successful response's body (default JSON). A body it cannot read is retried, as a truncated one may be
   * whole on the next attempt; still unreadable after the last attempt, the request fails with RESPONSE_INVALID
   * saying what is wrong, as a body the check finds unusable does.
   */
  decoder?: Decoder;
  /**
   * Whether a successful response's parsed body can be used: undefined when it can, else what is wrong, said so
   * that it follows the status (`without a list at "elements"`). An unusable body is retried like one that is not
   * JSON; still unusable after the last attempt, the request fails with RESPONSE_INVALID.
   */
  check?: (body: unknown) => string | undefined | Promise<string | undefined>;
}

/**
 * Sends one logical request: attempts it as often as the error handler allows, waiting between attempts with the
 * injected clock. Returns undefined when the handler says IGNORE. Every attempt goes through the same loop; the
 * first one, which is all most requests need, costs no more than the send and the verdict (no closure, no throw).
 */
export async function sendWithRetries(options: SendOptions): Promise<SuccessfulResponse | undefined> {
  const { handler, runtime, context, authenticator } = options;
  const decoder = options.decoder ?? JSON_DECODER;
  let credentialRenewals = 0;
  for (let attempt = 1; ; attempt += 1) {
    let request = await options.build();
    let outcome = await sendOnce(request, runtime);
    // A refused credential is renewed and the request sent again at once, within the same attempt (it does not
    // use one up), at most max_attempts times per request.
    while (outcome.response?.status === 401 && authenticator?.refreshAfterUnauthorized && credentialRenewals < handler.maxAttempts) {
      credentialRenewals += 1;
      if (!(await authenticator.refreshAfterUnauthorized(context, request.headers))) break;
      request = await options.build();
      outcome = await sendOnce(request, runtime);
    }
    let verdict = await handler.judge(outcome, context);
    let unusable = false;
    if (verdict.action === 'SUCCESS' && outcome.response) {
      const { body, problem: undecodable } = decoder.decode(outcome.response);
      if (undecodable !== undefined) {
        verdict = { action: 'RETRY', reason: `${verdict.reason} ${undecodable}`, rules: verdict.rules };
        unusable = true;
      } else {
        let problem = options.check?.(body);
        if (problem instanceof Promise) problem = await problem;
        if (problem === undefined) return { response: outcome.response, body };
        verdict = { action: 'RETRY', reason: `${verdict.reason} ${problem}`, rules: verdict.rules };
        unusable = true;
      }
    }
    if (verdict.action === 'IGNORE') return undefined;
    if (verdict.action !== 'RETRY' && verdict.action !== 'RATE_LIMITED') throw await failure(verdict, outcome, options);
    const rules: RetryRules = verdict.rules ?? handler;
    if (attempt >= rules.maxAttempts) {
      throw unusable ? invalid(verdict, outcome, options, attempt) : await exhausted(verdict, rules, outcome, options, attempt, request);
    }
    const waitMs = rules.waitMs(attempt, outcome.response);
    runtime.events.emit('retry', { request, attempt, reason: verdict.reason, waitMs, rateLimited: verdict.action === 'RATE_LIMITED', stream: context.stream_name });
    // The wording is Airbyte's, which people and log tooling already search for.
    runtime.logger.log(
      'INFO',
      `Caught retryable error '${verdict.reason}' after ${attempt} tries. Waiting ${formatSeconds(waitMs)} seconds then retrying...`,
    );
    // Rejects with the signal's reason on cancel, before or during the wait: no attempt follows a cancel.
    await runtime.clock.sleep(waitMs, runtime.signal);
  }
}

async function sendOnce(request: HttpRequest, runtime: Runtime): Promise<AttemptOutcome> {
  runtime.events.emit('request', request);
  let response: HttpResponse;
  try {
    response = await runtime.transport.send(request);
  } catch (error) {
    if (error instanceof NetworkError) {
      runtime.events.emit('attempt', { request, reason: error.message });
      return { error };
    }
    throw error;
  }
  runtime.events.emit('attempt', response.status >= 500 ? { request, reason: String(response.status) } : undefined);
  return { response };
}

async function failure(verdict: Verdict, outcome: AttemptOutcome, options: SendOptions): Promise<ConnectorError> {
  const failureType: FailureType = verdict.failureType ?? (outcome.response?.status === 401 ? 'config_error' : 'system_error');
  const detail = outcome.response ? excerpt(outcome.response.body, options.runtime) : '';
  const message =
    verdict.message ??
    `${options.describe} failed with ${verdict.reason}${detail ? `: ${detail}` : ''}`;
  return new ConnectorError(message, {
    failureType,
    // 401 refuses the credentials, for every request alike; 403 refuses one resource (a page the user does not admin).
    code: outcome.response?.status === 401 ? 'AUTH_FAILED' : 'HTTP_FAILED',
    internalMessage: `${options.describe} -> ${verdict.reason}${detail ? ` ${detail}` : ''}`,
  });
}

async function exhausted(
  verdict: Verdict,
  rules: RetryRules,
  outcome: AttemptOutcome,
  options: SendOptions,
  attempts: number,
  request: HttpRequest,
): Promise<ConnectorError> {
  const base = `${options.describe} still failed after ${attempts} attempts: ${verdict.reason}.`;
  const internalMessage = `${base}${outcome.response ? ` ${excerpt(outcome.response.body, options.runtime)}` : ''}`;
  if (verdict.action !== 'RATE_LIMITED') {
    const advice = outcome.error ? unreachable(request) : 'This is usually temporary; try again later.';
    return transientError('RETRY_EXHAUSTED', verdict.message ? `${verdict.message} (${base})` : `${base} ${advice}`, { internalMessage });
  }
  const context = outcome.response ? withResponse(options.context, outcome.response) : options.context;
  const extra = rules.rateLimitMessage ? String(await rules.rateLimitMessage.evaluate(context)) : '';
  const reset = rules.rateLimitReset ? Number(await rules.rateLimitReset.evaluate(context)) : undefined;
  return transientError('RATE_LIMITED', [verdict.message, base, extra].filter(Boolean).join(' '), {
    internalMessage,
    rateLimitResetAt: Number.isFinite(reset) ? reset : undefined,
  });
}

/** A successful response that was still unusable (undecodable, or refused by the check) after the last attempt. */
function invalid(verdict: Verdict, outcome: AttemptOutcome, options: SendOptions, attempts: number): ConnectorError {
  const tries = attempts === 1 ? 'on its only attempt' : `on all ${attempts} attempts`;
  const message = `${options.describe} answered ${verdict.reason}, ${tries}: the answer does not have the shape the manifest declares.`;
  return new ConnectorError(message, {
    failureType: 'system_error',
    code: 'RESPONSE_INVALID',
    internalMessage: `${message}${outcome.response ? ` ${excerpt(outcome.response.body, options.runtime)}` : ''}`,
  });
}

/** What to check when no attempt got a response: the host, named, and what stands between here and it. */
function unreachable(request: HttpRequest): string {
  const host = hostOf(request, 'the API host');
  return `No response from ${host}: check the API's address in the config (host and port), and the network, proxy or firewall between here and ${host}. If those are right, the API may be down; try again later.`;
}

/** The start of a body for a message, its secrets masked before it is cut (a secret across the cut would leave its start). */
function excerpt(body: string, runtime: Pick<Runtime, 'redact'>): string {
  const flat = runtime.redact(body).replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}...` : flat;
}

function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

