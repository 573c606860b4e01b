import { describe, it, expect } from '@jest/globals';
import { describeOutcome, type AttemptOutcome } from '../../../../engine/http/error-handler.js';
import { NetworkError, type HttpResponse } from '../../../../engine/core/http-transport.js';
import { FakeClock, TEST_NOW, rejection, testRuntime } from '../../../helpers/index.js';
import { errorHandler, type HandlerSpec } from './handler-factory.js';

const response = (status: number, body: unknown = '', headers: Record<string, string> = {}): AttemptOutcome => ({
  response: { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) },
});
const reset: AttemptOutcome = { error: new NetworkError('connection reset by the server (ECONNRESET)', 'ECONNRESET') };
const handler = (spec: HandlerSpec = {}, clock = new FakeClock(TEST_NOW)) => errorHandler(spec, testRuntime({ clock }).runtime);
const context = { config: { org: '42' }, stream_partition: { account_id: '7' } };

describe('default actions, when no filter matches', () => {
  it.each([
    [200, 'SUCCESS', '200 OK'],
    [204, 'SUCCESS', '204 No Content'],
    [429, 'RATE_LIMITED', '429 Too Many Requests'],
    [408, 'RETRY', '408 Request Timeout'],
    [500, 'RETRY', '500 Internal Server Error'],
    [503, 'RETRY', '503 Service Unavailable'],
    [400, 'FAIL', '400 Bad Request'],
    [401, 'FAIL', '401 Unauthorized'],
    [404, 'FAIL', '404 Not Found'],
    [302, 'FAIL', '302 Found'],
  ])('%i -> %s', async (status, action, reason) => {
    expect(await handler().judge(response(status), context)).toEqual({ action, reason });
  });

  it('a network failure is retried', async () => {
    expect(await handler().judge(reset, context)).toEqual({ action: 'RETRY', reason: 'connection reset by the server (ECONNRESET)' });
  });

  it('an unknown status is described as such', () => {
    expect(describeOutcome(response(599))).toBe('599 Unknown status');
  });
});

describe('response filters', () => {
  it('the first matching filter wins, with its message and failure type', async () => {
    const h = handler({
      response_filters: [
        { http_codes: [403], action: 'FAIL', failure_type: 'config_error', error_message: 'No access to {{ stream_partition.account_id }}: {{ response.message }}' },
        { http_codes: [403], action: 'IGNORE' },
      ],
    });
    expect(await h.judge(response(403, { message: 'not an admin' }), context)).toEqual({
      action: 'FAIL',
      reason: '403 Forbidden',
      message: 'No access to 7: not an admin',
      failureType: 'config_error',
    });
  });

  it('http_codes and error_message_contains must both match', async () => {
    const h = handler({ response_filters: [{ http_codes: [400], error_message_contains: 'Invalid date range', action: 'FAIL', failure_type: 'config_error' }] });
    expect((await h.judge(response(400, { message: 'Invalid date range parameter' }), context)).failureType).toBe('config_error');
    expect(await h.judge(response(400, { message: 'Something else' }), context)).toEqual({ action: 'FAIL', reason: '400 Bad Request' });
    expect(await h.judge(response(500, { message: 'Invalid date range parameter' }), context)).toEqual({ action: 'RETRY', reason: '500 Internal Server Error' });
  });

  it('a filter with http_codes never matches a network failure', async () => {
    const h = handler({ response_filters: [{ http_codes: [500], action: 'FAIL' }] });
    expect((await h.judge(reset, context)).action).toBe('RETRY');
  });

  it('a predicate sees response, headers and status_code', async () => {
    const h = handler({
      response_filters: [{ predicate: "{{ status_code = 200 and response.status = 'PENDING' and headers.`x-retry` = 'yes' }}", action: 'RETRY' }],
    });
    expect(await h.judge(response(200, { status: 'PENDING' }, { 'x-retry': 'yes' }), context)).toEqual({ action: 'RETRY', reason: '200 OK' });
    expect((await h.judge(response(200, { status: 'PENDING' }, { 'x-retry': 'no' }), context)).action).toBe('SUCCESS');
  });

  it('a filter can turn an error status into success', async () => {
    const h = handler({ response_filters: [{ http_codes: [404], action: 'SUCCESS' }] });
    expect(await h.judge(response(404, {}), context)).toEqual({ action: 'SUCCESS', reason: '404 Not Found' });
  });

  it('a non-JSON body is seen as text by expressions', async () => {
    const h = handler({ response_filters: [{ http_codes: [502], action: 'FAIL', error_message: 'gateway said: {{ response }}' }] });
    expect((await h.judge(response(502, '<html>Bad gateway</html>'), context)).message).toBe('gateway said: <html>Bad gateway</html>');
  });

  it('a filter with a broken predicate fails at build time, with its path', () => {
    expect(() => handler({ response_filters: [{ predicate: '{{ response. }}', action: 'IGNORE' }] })).toThrow(
      'at error_handler.response_filters[0].predicate',
    );
  });

  it('an error in a message template over a response is a system error, not a config error, naming it', async () => {
    const h = handler({ response_filters: [{ http_codes: [403], action: 'FAIL', error_message: '{{ $parse_date(response.when) }}' }] });
    const error = await rejection(h.judge(response(403, { when: 'never' }), context));
    expect(error.failureType).toBe('system_error');
    expect(error.code).toBe('EXPRESSION_FAILED');
    expect(error.message).toContain('at error_handler.response_filters[0].error_message');
  });
});

describe('waits between attempts', () => {
  const headers = (h: Record<string, string>): HttpResponse => ({ status: 429, headers: h, body: '' });

  it('exponential: factor * 2^(n-1) seconds', () => {
    const h = handler({ backoff_strategies: [{ type: 'ExponentialBackoff', factor: 5 }] });
    expect([1, 2, 3, 4, 5].map((n) => h.waitMs(n, undefined))).toEqual([5000, 10000, 20000, 40000, 80000]);
  });

  it('exponential with a fractional factor', () => {
    const h = handler({ backoff_strategies: [{ type: 'ExponentialBackoff', factor: 0.5 }] });
    expect([1, 2, 3].map((n) => h.waitMs(n, undefined))).toEqual([500, 1000, 2000]);
  });

  it('constant', () => {
    const h = handler({ backoff_strategies: [{ type: 'ConstantBackoff', backoff_time_in_seconds: 3 }] });
    expect([1, 2, 3].map((n) => h.waitMs(n, undefined))).toEqual([3000, 3000, 3000]);
  });

  it('capped by max_wait_seconds', () => {
    const h = handler({ max_wait_seconds: 12, backoff_strategies: [{ type: 'ExponentialBackoff', factor: 5 }] });
    expect([1, 2, 3, 4].map((n) => h.waitMs(n, undefined))).toEqual([5000, 10000, 12000, 12000]);
  });

  it('Retry-After in seconds (the header name is matched case-insensitively)', () => {
    const h = handler({ backoff_strategies: [{ type: 'WaitTimeFromHeader', header: 'Retry-After' }, { type: 'ExponentialBackoff', factor: 5 }] });
    expect(h.waitMs(1, headers({ 'retry-after': '7' }))).toBe(7000);
    expect(h.waitMs(3, headers({ 'retry-after': ' 1.5 ' }))).toBe(1500);
  });

  it('Retry-After as an HTTP date, measured from the injected clock', () => {
    const clock = new FakeClock(TEST_NOW);
    const h = handler({ backoff_strategies: [{ type: 'WaitTimeFromHeader', header: 'Retry-After' }] }, clock);
    expect(h.waitMs(1, headers({ 'retry-after': new Date(TEST_NOW + 30_000).toUTCString() }))).toBe(30_000);
    expect(h.waitMs(1, headers({ 'retry-after': new Date(TEST_NOW - 30_000).toUTCString() }))).toBe(0);
  });

  it('Retry-After is capped by max_wait_seconds', () => {
    const h = handler({ max_wait_seconds: 600, backoff_strategies: [{ type: 'WaitTimeFromHeader', header: 'Retry-After' }] });
    expect(h.waitMs(1, headers({ 'retry-after': '86400' }))).toBe(600_000);
  });

  it('without the header (or with garbage in it), the next strategy decides', () => {
    const h = handler({ backoff_strategies: [{ type: 'WaitTimeFromHeader', header: 'Retry-After' }, { type: 'ExponentialBackoff', factor: 2 }] });
    expect(h.waitMs(2, headers({}))).toBe(4000);
    expect(h.waitMs(2, headers({ 'retry-after': 'soon' }))).toBe(4000);
    expect(h.waitMs(2, headers({ 'retry-after': '' }))).toBe(4000);
    expect(h.waitMs(2, undefined)).toBe(4000);
  });

  it('no strategy at all: no wait', () => {
    expect(handler({ backoff_strategies: [] }).waitMs(3, undefined)).toBe(0);
  });

  it('max_attempts is exposed as declared', () => {
    expect(handler({ max_attempts: 3 }).maxAttempts).toBe(3);
  });
});
