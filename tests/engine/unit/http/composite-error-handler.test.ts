// CompositeErrorHandler: which handler decides a response, and that its limits and waits are the ones the retry
// loop uses (over real HTTP, fake clock). WaitUntilTimeFromHeader: the wait until an epoch reset time.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { HttpResponse } from '../../../../engine/core/http-transport.js';
import type { ResponseJudge } from '../../../../engine/http/error-handler.js';
import type { AnyErrorHandlerDefinition, ErrorHandlerDefinition, HttpResponseFilterDefinition } from '../../../../engine/format/manifest-types.generated.js';
import { CompileContext } from '../../../../engine/manifest/compile-context.js';
import { componentRegistry } from '../../../../engine/manifest/registry.js';
import { sendWithRetries } from '../../../../engine/http/send-with-retries.js';
import type { Runtime } from '../../../../engine/core/runtime.js';
import { FakeClock, PROJECT_ROOT, TEST_NOW, rejection, startServer, testRuntime, thrown, type Reply, type TestServer } from '../../../helpers/index.js';
import { errorHandler } from './handler-factory.js';

type Filter = Omit<HttpResponseFilterDefinition, 'type'>;

/** An ErrorHandler declaration with the schema's defaults, and the given filters. */
function handler(filters: Filter[], extra: Partial<ErrorHandlerDefinition> = {}): ErrorHandlerDefinition {
  return {
    type: 'ErrorHandler',
    max_attempts: 5,
    max_wait_seconds: 600,
    backoff_strategies: [{ type: 'ExponentialBackoff', factor: 5 }],
    response_filters: filters.map((filter) => ({ type: 'HttpResponseFilter', ...filter })),
    ...extra,
  };
}

function build(definition: AnyErrorHandlerDefinition, runtime: Runtime): ResponseJudge {
  const context = new CompileContext({ value: { error_handler: definition }, positions: new WeakMap(), file: 'manifest.yaml' }, runtime, PROJECT_ROOT, componentRegistry);
  return context.build(definition, ['error_handler']);
}

const reply = (status: number, body: unknown = {}, headers: Record<string, string> = {}) => ({ response: { status, headers, body: JSON.stringify(body) } });
const context = { config: {} };

describe('CompositeErrorHandler verdicts', () => {
  const first = handler([{ http_codes: [404], action: 'IGNORE' }, { predicate: "{{ response.state = 'PENDING' }}", action: 'RETRY' }], { max_attempts: 2 });
  const second = handler([{ http_codes: [404, 500], action: 'FAIL', error_message: 'second says no' }, { http_codes: [200], action: 'RETRY' }], { max_attempts: 7 });
  const composite = build({ type: 'CompositeErrorHandler', error_handlers: [first, second] }, testRuntime().runtime);

  it('the first handler with a matching filter decides, and its limits go with the verdict', async () => {
    const ignored = await composite.judge(reply(404), context);
    expect(ignored.action).toBe('IGNORE');
    expect(ignored.rules?.maxAttempts).toBe(2);
    const failed = await composite.judge(reply(500), context);
    expect({ action: failed.action, message: failed.message, maxAttempts: failed.rules?.maxAttempts }).toEqual({ action: 'FAIL', message: 'second says no', maxAttempts: 7 });
  });

  it('a handler whose filters do not match has no opinion, even where its default by status would say something', async () => {
    // The first handler's default for a 200 is SUCCESS, but it has no filter for it: the second one decides.
    const verdict = await composite.judge(reply(200, { state: 'DONE' }), context);
    expect({ action: verdict.action, maxAttempts: verdict.rules?.maxAttempts }).toEqual({ action: 'RETRY', maxAttempts: 7 });
    const pending = await composite.judge(reply(200, { state: 'PENDING' }), context);
    expect({ action: pending.action, maxAttempts: pending.rules?.maxAttempts }).toEqual({ action: 'RETRY', maxAttempts: 2 });
  });

  it('a SUCCESS filter decides too', async () => {
    const lenient = build({ type: 'CompositeErrorHandler', error_handlers: [handler([{ http_codes: [409], action: 'SUCCESS' }]), handler([{ http_codes: [409], action: 'FAIL' }])] }, testRuntime().runtime);
    expect((await lenient.judge(reply(409), context)).action).toBe('SUCCESS');
  });

  it('no filter anywhere: judged by status, under the first handler\'s limits', async () => {
    const verdict = await composite.judge(reply(503), context);
    expect({ action: verdict.action, reason: verdict.reason, maxAttempts: verdict.rules?.maxAttempts }).toEqual({ action: 'RETRY', reason: '503 Service Unavailable', maxAttempts: 2 });
    expect((await composite.judge(reply(429), context)).action).toBe('RATE_LIMITED');
    expect((await composite.judge(reply(400), context)).action).toBe('FAIL');
  });

  it('a nested composite passes on the handler in it that decided', async () => {
    const nested = build({ type: 'CompositeErrorHandler', error_handlers: [{ type: 'CompositeErrorHandler', error_handlers: [handler([]), second] }, first] }, testRuntime().runtime);
    const verdict = await nested.judge(reply(404), context);
    expect({ action: verdict.action, maxAttempts: verdict.rules?.maxAttempts }).toEqual({ action: 'FAIL', maxAttempts: 7 });
  });
});

describe('CompositeErrorHandler in the retry loop, over HTTP', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function send(replies: Reply[], definition: AnyErrorHandlerDefinition) {
    const server = await startServer((_request, index) => replies[Math.min(index, replies.length - 1)]);
    servers.push(server);
    const clock = new FakeClock(TEST_NOW);
    const test = testRuntime({ clock });
    const url = `${server.url}/x`;
    const promise = sendWithRetries({
      build: async () => ({ method: 'GET', url, headers: {}, timeoutMs: 5000, signal: test.runtime.signal }),
      handler: build(definition, test.runtime),
      context,
      runtime: test.runtime,
      describe: 'GET /x',
    });
    return { promise, clock, requests: () => server.requests.length };
  }

  const composite: AnyErrorHandlerDefinition = {
    type: 'CompositeErrorHandler',
    error_handlers: [
      handler([{ http_codes: [429], action: 'RATE_LIMITED' }], {
        max_attempts: 3,
        backoff_strategies: [{ type: 'ConstantBackoff', backoff_time_in_seconds: 30 }],
        rate_limit_message: 'Quota of the first handler.',
      }),
      handler([{ http_codes: [500], action: 'RETRY' }], { max_attempts: 2, backoff_strategies: [{ type: 'ConstantBackoff', backoff_time_in_seconds: 7 }] }),
    ],
  };

  it('each verdict waits and counts attempts as the handler that gave it says', async () => {
    const limited = await send([{ status: 429 }, { status: 429 }, { status: 200, body: { ok: true } }], composite);
    expect((await limited.promise)?.body).toEqual({ ok: true });
    expect(limited.clock.sleeps).toEqual([30_000, 30_000]);

    const failing = await send([{ status: 500 }], composite);
    const error = await rejection(failing.promise);
    expect(error.code).toBe('RETRY_EXHAUSTED');
    expect(error.message).toContain('still failed after 2 attempts: 500 Internal Server Error');
    expect(failing.clock.sleeps).toEqual([7_000]);
  });

  it('a response no filter matches is retried under the first handler\'s limits, and its rate limit message said', async () => {
    const failing = await send([{ status: 503 }], composite);
    expect((await rejection(failing.promise)).message).toContain('still failed after 3 attempts: 503 Service Unavailable');
    expect(failing.clock.sleeps).toEqual([30_000, 30_000]);
    const limited = await send([{ status: 429 }], composite);
    expect((await rejection(limited.promise)).message).toContain('Quota of the first handler.');
  });
});

describe('WaitUntilTimeFromHeader', () => {
  const nowSeconds = TEST_NOW / 1000;
  const response = (headers: Record<string, string>): HttpResponse => ({ status: 429, headers, body: '' });
  const waitOf = (backoff: Record<string, unknown>, headers: Record<string, string>, maxWaitSeconds = 600) => {
    const strategy = { type: 'WaitUntilTimeFromHeader', header: 'X-RateLimit-Reset', ...backoff } as ErrorHandlerDefinition['backoff_strategies'][number];
    const clock = new FakeClock(TEST_NOW);
    // Only this strategy: a wait it has no opinion on is 0 (retry at once).
    return errorHandler({ backoff_strategies: [strategy], max_wait_seconds: maxWaitSeconds }, testRuntime({ clock }).runtime).waitMs(1, response(headers));
  };

  it('waits until the epoch time in the header, on the clock', () => {
    expect(waitOf({}, { 'x-ratelimit-reset': String(nowSeconds + 90) })).toBe(90_000);
    expect(waitOf({}, { 'x-ratelimit-reset': String(nowSeconds + 1.5) })).toBe(1_500);
  });

  it('capped by max_wait_seconds', () => {
    expect(waitOf({}, { 'x-ratelimit-reset': String(nowSeconds + 3600) }, 120)).toBe(120_000);
  });

  it('a time already past, an absent or unreadable header: no opinion, never a negative wait', () => {
    expect(waitOf({}, { 'x-ratelimit-reset': String(nowSeconds - 30) })).toBe(0);
    expect(waitOf({}, {})).toBe(0);
    expect(waitOf({}, { 'x-ratelimit-reset': 'soon' })).toBe(0);
  });

  it('min_wait: at least that long, also when the header says nothing usable', () => {
    expect(waitOf({ min_wait: 10 }, { 'x-ratelimit-reset': String(nowSeconds + 4) })).toBe(10_000);
    expect(waitOf({ min_wait: 10 }, { 'x-ratelimit-reset': String(nowSeconds + 40) })).toBe(40_000);
    expect(waitOf({ min_wait: 10 }, { 'x-ratelimit-reset': String(nowSeconds - 40) })).toBe(10_000);
    expect(waitOf({ min_wait: 10 }, {})).toBe(10_000);
  });

  it('regex takes the time out of a longer value', () => {
    expect(waitOf({ regex: 'reset=(\\d+)' }, { 'x-ratelimit-reset': `limit=100; reset=${nowSeconds + 20}` })).toBe(20_000);
    expect(waitOf({ regex: 'reset=(\\d+)' }, { 'x-ratelimit-reset': 'limit=100' })).toBe(0);
  });

  it('the next strategy decides when it has no opinion', () => {
    const clock = new FakeClock(TEST_NOW);
    const h = errorHandler(
      { backoff_strategies: [{ type: 'WaitUntilTimeFromHeader', header: 'X-RateLimit-Reset' }, { type: 'ConstantBackoff', backoff_time_in_seconds: 3 }] },
      testRuntime({ clock }).runtime,
    );
    expect(h.waitMs(1, response({}))).toBe(3_000);
  });

  it('a regex that does not compile is a manifest error naming where', () => {
    const error = thrown(() => waitOf({ regex: '(unclosed' }, {}));
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toContain('regex at error_handler.backoff_strategies[0].regex');
  });
});
