import { describe, it, expect, afterEach } from '@jest/globals';
import type { RetryEvent } from '../../../../engine/core/events.js';
import type { HttpRequest } from '../../../../engine/core/http-transport.js';
import type { Authenticator } from '../../../../engine/http/authenticator.js';
import { sendWithRetries } from '../../../../engine/http/send-with-retries.js';
import { FakeClock, TEST_NOW, rejection, startServer, testRuntime, type Reply, type TestServer } from '../../../helpers/index.js';
import { errorHandler, type HandlerSpec } from './handler-factory.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Setup {
  replies: (Reply | ((index: number) => Reply))[];
  handler?: HandlerSpec;
  authenticator?: Authenticator;
  timeoutMs?: number;
  check?: (body: unknown) => string | undefined | Promise<string | undefined>;
}

/** Serves `replies` in order (the last one repeats) and sends one logical request to it. */
async function send(setup: Setup) {
  server = await startServer((_request, index) => {
    const reply = setup.replies[Math.min(index, setup.replies.length - 1)];
    return typeof reply === 'function' ? reply(index) : reply;
  });
  const test = testRuntime({ clock: new FakeClock(TEST_NOW) });
  const sent: HttpRequest[] = [];
  const retries: RetryEvent[] = [];
  test.runtime.events.on('request', (request) => sent.push(request));
  test.runtime.events.on('retry', (event) => retries.push(event));
  const handler = errorHandler(setup.handler ?? {}, test.runtime);
  const url = `${server.url}/x`;
  const promise = sendWithRetries({
    build: async () => ({ method: 'GET', url, headers: {}, timeoutMs: setup.timeoutMs ?? 5000, signal: test.runtime.signal }),
    handler,
    context: { config: {} },
    runtime: test.runtime,
    authenticator: setup.authenticator,
    describe: 'GET /x',
    check: setup.check,
  });
  return { ...test, promise, sent, retries, requests: () => server!.requests.length, messages: () => test.logs.map((l) => l.message) };
}

const ok = (body: unknown = { elements: [1] }): Reply => ({ status: 200, body });
const status = (code: number, headers: Record<string, string> = {}, body: unknown = { message: `status ${code}` }): Reply => ({ status: code, headers, body });
/** A reply that never comes (the server closes the socket when the test ends). */
const hang = (): Reply => new Promise<Reply>(() => undefined) as unknown as Reply;
const retryLog = (reason: string, tries: number, seconds: number | string) =>
  `Caught retryable error '${reason}' after ${tries} tries. Waiting ${seconds} seconds then retrying...`;

describe('retries with backoff', () => {
  it('5xx is retried with exponential waits, and the success returned', async () => {
    const run = await send({ replies: [status(503), status(502), ok({ elements: [1, 2] })] });
    const result = await run.promise;
    expect(result?.body).toEqual({ elements: [1, 2] });
    expect(result?.response.status).toBe(200);
    expect(run.requests()).toBe(3);
    expect(run.clock.sleeps).toEqual([5000, 10000]);
    expect(run.logs).toEqual([
      { level: 'INFO', message: retryLog('503 Service Unavailable', 1, 5) },
      { level: 'INFO', message: retryLog('502 Bad Gateway', 2, 10) },
    ]);
    expect(run.clock.now()).toBe(TEST_NOW + 15000);
  });

  it('each retry is one event with the attempt, the reason and the wait; each request sent is one event', async () => {
    const run = await send({ replies: [status(503), { reset: true }, ok()] });
    await run.promise;
    const request = expect.objectContaining({ method: 'GET', url: `${server!.url}/x` });
    expect(run.retries).toEqual([
      { request, attempt: 1, reason: '503 Service Unavailable', waitMs: 5000, rateLimited: false },
      { request, attempt: 2, reason: 'connection reset by the server (ECONNRESET)', waitMs: 10000, rateLimited: false },
    ]);
    expect(run.sent).toHaveLength(3);
  });

  it('429 waits as long as Retry-After says, in seconds', async () => {
    const run = await send({
      replies: [status(429, { 'Retry-After': '7' }), ok()],
      handler: { backoff_strategies: [{ type: 'WaitTimeFromHeader', header: 'Retry-After' }, { type: 'ExponentialBackoff', factor: 5 }] },
    });
    await run.promise;
    expect(run.clock.sleeps).toEqual([7000]);
    expect(run.messages()).toEqual([retryLog('429 Too Many Requests', 1, 7)]);
  });

  it('Retry-After as an HTTP date', async () => {
    const run = await send({
      replies: [status(429, { 'Retry-After': new Date(TEST_NOW + 90_000).toUTCString() }), ok()],
      handler: { backoff_strategies: [{ type: 'WaitTimeFromHeader', header: 'Retry-After' }] },
    });
    await run.promise;
    expect(run.clock.sleeps).toEqual([90_000]);
    expect(run.messages()).toEqual([retryLog('429 Too Many Requests', 1, 90)]);
  });

  it('Retry-After is capped by max_wait_seconds', async () => {
    const run = await send({
      replies: [status(503, { 'Retry-After': '86400' }), ok()],
      handler: { max_wait_seconds: 600, backoff_strategies: [{ type: 'WaitTimeFromHeader', header: 'Retry-After' }] },
    });
    await run.promise;
    expect(run.clock.sleeps).toEqual([600_000]);
    expect(run.messages()).toEqual([retryLog('503 Service Unavailable', 1, 600)]);
  });

  it('without Retry-After the next strategy is used', async () => {
    const run = await send({
      replies: [status(429), status(429), ok()],
      handler: { backoff_strategies: [{ type: 'WaitTimeFromHeader', header: 'Retry-After' }, { type: 'ExponentialBackoff', factor: 1.5 }] },
    });
    await run.promise;
    expect(run.clock.sleeps).toEqual([1500, 3000]);
    expect(run.messages()).toEqual([retryLog('429 Too Many Requests', 1, 1.5), retryLog('429 Too Many Requests', 2, 3)]);
  });

  it('a connection reset is retried', async () => {
    const run = await send({ replies: [{ reset: true }, ok()] });
    expect((await run.promise)?.body).toEqual({ elements: [1] });
    expect(run.requests()).toBe(2);
    expect(run.messages()).toEqual([retryLog('connection reset by the server (ECONNRESET)', 1, 5)]);
  });

  it('a response that does not arrive in time is retried', async () => {
    const run = await send({
      timeoutMs: 100,
      replies: [(index) => (index === 0 ? hang() : ok())],
    });
    expect((await run.promise)?.body).toEqual({ elements: [1] });
    expect(run.requests()).toBe(2);
    expect(run.messages()).toEqual([retryLog('no complete response within 0.1 s', 1, 5)]);
  });
});

describe('max_attempts', () => {
  it.each([1, 2, 3, 5])('max_attempts %i: exactly that many requests, then a transient error', async (attempts) => {
    const run = await send({ replies: [status(500)], handler: { max_attempts: attempts } });
    const error = await rejection(run.promise);
    expect(run.requests()).toBe(attempts);
    expect(run.clock.sleeps).toHaveLength(attempts - 1);
    // One "Waiting" line per wait; none after the last attempt.
    expect(run.messages()).toEqual(
      Array.from({ length: attempts - 1 }, (_, i) => retryLog('500 Internal Server Error', i + 1, 5 * 2 ** i)),
    );
    expect(run.retries.map(({ attempt, waitMs }) => ({ attempt, waitMs }))).toEqual(
      Array.from({ length: attempts - 1 }, (_, i) => ({ attempt: i + 1, waitMs: 5000 * 2 ** i })),
    );
    expect(error.failureType).toBe('transient_error');
    expect(error.message).toBe(`GET /x still failed after ${attempts} attempts: 500 Internal Server Error. This is usually temporary; try again later.`);
    expect(error.internalMessage).toBe(`GET /x still failed after ${attempts} attempts: 500 Internal Server Error. {"message":"status 500"}`);
  });

  it('waits grow and are capped: 5, 10, then max_wait_seconds', async () => {
    const run = await send({ replies: [status(500)], handler: { max_attempts: 5, max_wait_seconds: 12 } });
    await rejection(run.promise);
    expect(run.clock.sleeps).toEqual([5000, 10000, 12000, 12000]);
  });

  it('an exhausted rate limit carries the manifest message and the reset time', async () => {
    const run = await send({
      replies: [status(429)],
      handler: {
        max_attempts: 2,
        rate_limit_message: 'Daily limit reached for {{ response.message }}.',
        rate_limit_reset: '{{ $add_days($day_start($now_ms()), 1) }}',
      },
    });
    const error = await rejection(run.promise);
    expect(run.requests()).toBe(2);
    expect(error.failureType).toBe('transient_error');
    expect(error.message).toBe('GET /x still failed after 2 attempts: 429 Too Many Requests. Daily limit reached for status 429.');
    expect(error.rateLimitResetAt).toBe(Date.UTC(2026, 10, 30));
  });

  it('an exhausted RETRY filter with a message puts it first', async () => {
    const run = await send({
      replies: [status(400, {}, { message: 'busy, try again' })],
      handler: { max_attempts: 2, response_filters: [{ http_codes: [400], error_message_contains: 'try again', action: 'RETRY', error_message: 'The API is busy.' }] },
    });
    const error = await rejection(run.promise);
    expect(run.requests()).toBe(2);
    expect(error.message).toBe('The API is busy. (GET /x still failed after 2 attempts: 400 Bad Request.)');
  });
});

describe('failures and ignores', () => {
  it('a FAIL filter maps to its failure type and message, without retrying', async () => {
    const run = await send({
      replies: [status(403, {}, { message: 'not an admin' })],
      handler: { response_filters: [{ http_codes: [403], action: 'FAIL', failure_type: 'config_error', error_message: 'Denied: {{ response.message }}' }] },
    });
    const error = await rejection(run.promise);
    expect(run.requests()).toBe(1);
    expect(run.clock.sleeps).toEqual([]);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe('Denied: not an admin');
    expect(error.internalMessage).toBe('GET /x -> 403 Forbidden {"message":"not an admin"}');
  });

  it.each([
    ['transient_error' as const],
    ['system_error' as const],
  ])('a FAIL filter with failure_type %s', async (failureType) => {
    const run = await send({ replies: [status(418)], handler: { response_filters: [{ http_codes: [418], action: 'FAIL', failure_type: failureType }] } });
    const error = await rejection(run.promise);
    expect(error.failureType).toBe(failureType);
    expect(error.message).toBe('GET /x failed with 418 I\'m a Teapot: {"message":"status 418"}');
  });

  it('an unmatched 4xx is a system error quoting the body', async () => {
    const run = await send({ replies: [status(404, {}, { message: 'no such thing' })] });
    const error = await rejection(run.promise);
    expect(run.requests()).toBe(1);
    expect(error.failureType).toBe('system_error');
    expect(error.message).toBe('GET /x failed with 404 Not Found: {"message":"no such thing"}');
  });

  it('an unmatched 401 is a config error', async () => {
    const run = await send({ replies: [status(401)] });
    expect((await rejection(run.promise)).failureType).toBe('config_error');
  });

  it('a long error body is cut in the message', async () => {
    const run = await send({ replies: [status(400, {}, 'y'.repeat(1000))] });
    const error = await rejection(run.promise);
    expect(error.message).toBe(`GET /x failed with 400 Bad Request: ${'y'.repeat(300)}...`);
  });

  it('IGNORE gives undefined after one request', async () => {
    const run = await send({ replies: [status(404)], handler: { response_filters: [{ http_codes: [404], action: 'IGNORE' }] } });
    expect(await run.promise).toBeUndefined();
    expect(run.requests()).toBe(1);
  });
});

describe('bodies', () => {
  it('a truncated JSON body on 200 is retried', async () => {
    const full = JSON.stringify({ elements: [{ id: 1 }, { id: 2 }] });
    const run = await send({ replies: [{ status: 200, body: full.slice(0, full.length / 2) }, { status: 200, body: full }] });
    expect((await run.promise)?.body).toEqual({ elements: [{ id: 1 }, { id: 2 }] });
    expect(run.requests()).toBe(2);
    expect(run.messages()).toEqual([retryLog('200 OK with a body that is not valid JSON', 1, 5)]);
  });

  it('a body that stays truncated is RESPONSE_INVALID after the last attempt, as an unusable one is', async () => {
    const run = await send({ replies: [{ status: 200, body: '{"elements": [' }], handler: { max_attempts: 3 } });
    const error = await rejection(run.promise);
    expect(run.requests()).toBe(3);
    expect(error.code).toBe('RESPONSE_INVALID');
    expect(error.failureType).toBe('system_error');
    expect(error.message).toBe('GET /x answered 200 OK with a body that is not valid JSON, on all 3 attempts: the answer does not have the shape the manifest declares.');
  });

  const listAt = (body: unknown) => (Array.isArray((body as { elements?: unknown }).elements) ? undefined : 'without a list at "elements"');

  it('a 200 the check finds unusable is retried like one that is not JSON, with the check\'s reason', async () => {
    const run = await send({ replies: [ok({ elements: null }), ok({ elements: {} }), ok({ elements: [1] })], check: listAt });
    expect((await run.promise)?.body).toEqual({ elements: [1] });
    expect(run.requests()).toBe(3);
    expect(run.clock.sleeps).toEqual([5000, 10000]);
    expect(run.messages()).toEqual([retryLog('200 OK without a list at "elements"', 1, 5), retryLog('200 OK without a list at "elements"', 2, 10)]);
    expect(run.retries.map((r) => r.reason)).toEqual(['200 OK without a list at "elements"', '200 OK without a list at "elements"']);
  });

  it('an asynchronous check is awaited', async () => {
    const run = await send({ replies: [ok({}), ok({ elements: [2] })], check: (body) => Promise.resolve(listAt(body)) });
    expect((await run.promise)?.body).toEqual({ elements: [2] });
    expect(run.requests()).toBe(2);
  });

  it('a 200 still unusable after the last attempt is RESPONSE_INVALID, saying what the check found', async () => {
    const run = await send({ replies: [ok({ elements: null })], handler: { max_attempts: 3 }, check: listAt });
    const error = await rejection(run.promise);
    expect(run.requests()).toBe(3);
    expect(error.code).toBe('RESPONSE_INVALID');
    expect(error.failureType).toBe('system_error');
    expect(error.message).toBe('GET /x answered 200 OK without a list at "elements", on all 3 attempts: the answer does not have the shape the manifest declares.');
    expect(error.internalMessage).toContain('{"elements":null}');
  });

  it('an empty 200 body is an empty object', async () => {
    const run = await send({ replies: [{ status: 200, body: '' }] });
    expect((await run.promise)?.body).toEqual({});
  });
});

describe('401 with a refreshable authenticator', () => {
  function refreshing(result: boolean) {
    const calls = { refresh: 0 };
    const authenticator: Authenticator = {
      headers: async () => ({}),
      refreshAfterUnauthorized: async () => {
        calls.refresh += 1;
        return result;
      },
    };
    return { authenticator, calls };
  }

  it('one immediate retry after fresh credentials, without a wait', async () => {
    const { authenticator, calls } = refreshing(true);
    const run = await send({ replies: [status(401), ok()], handler: { max_attempts: 2 }, authenticator });
    expect((await run.promise)?.body).toEqual({ elements: [1] });
    expect(run.requests()).toBe(2);
    expect(calls.refresh).toBe(1);
    expect(run.clock.sleeps).toEqual([]);
    expect(run.logs).toEqual([]);
    // Two requests on the wire, but no retry: the renewal is part of the attempt.
    expect(run.sent).toHaveLength(2);
    expect(run.retries).toEqual([]);
  });

  it('the retry after fresh credentials does not use up an attempt', async () => {
    const { authenticator } = refreshing(true);
    const run = await send({ replies: [status(500), status(401), status(500), ok()], handler: { max_attempts: 3 }, authenticator });
    expect((await run.promise)?.body).toEqual({ elements: [1] });
    expect(run.requests()).toBe(4);
    expect(run.clock.sleeps).toEqual([5000, 10000]);
  });

  it('with max_attempts 1 a renewed credential is still tried', async () => {
    const { authenticator, calls } = refreshing(true);
    const run = await send({ replies: [status(401), ok()], handler: { max_attempts: 1 }, authenticator });
    expect((await run.promise)?.body).toEqual({ elements: [1] });
    expect(calls.refresh).toBe(1);
    expect(run.requests()).toBe(2);
  });

  it('renewals are bounded by max_attempts; then the 401 fails as a config error', async () => {
    const { authenticator, calls } = refreshing(true);
    const run = await send({ replies: [status(401)], handler: { max_attempts: 3 }, authenticator });
    const error = await rejection(run.promise);
    expect(calls.refresh).toBe(3);
    expect(run.requests()).toBe(4);
    expect(run.clock.sleeps).toEqual([]);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe('GET /x failed with 401 Unauthorized: {"message":"status 401"}');
  });

  it('when no fresh credentials could be had, the 401 is judged at once', async () => {
    const { authenticator } = refreshing(false);
    const run = await send({ replies: [status(401)], authenticator });
    expect((await rejection(run.promise)).failureType).toBe('config_error');
    expect(run.requests()).toBe(1);
  });
});

describe('cancellation', () => {
  it('an abort while a request is in flight stops at once', async () => {
    const holder: { abort?: () => void } = {};
    const run = await send({ replies: [() => (holder.abort?.(), hang())] });
    holder.abort = () => run.abort.abort(new Error('received SIGTERM'));
    await expect(run.promise).rejects.toThrow('received SIGTERM');
    expect(run.requests()).toBe(1);
    expect(run.clock.sleeps).toEqual([]);
  });

  it('an abort during the wait stops before the next attempt', async () => {
    const run = await send({ replies: [status(500)] });
    run.runtime.logger = { log: () => run.abort.abort(new Error('received SIGTERM')) };
    await expect(run.promise).rejects.toThrow('received SIGTERM');
    expect(run.requests()).toBe(1);
  });
});
