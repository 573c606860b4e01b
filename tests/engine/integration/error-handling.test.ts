// Error handling through the CLI (in this process, fake clock) against the generic API's faults: retried statuses
// and resets with the manifest's backoff, a permanent failure that ends one stream and checkpoints it, and refusals
// that are configuration errors with the manifest's message, never retried.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  catalog,
  FakeClock,
  finalState,
  keptRecords,
  logs,
  records,
  runInProcess,
  statusesOf,
  TEST_NOW,
  traces,
  writeFiles,
} from '../../helpers/index.js';
import { expectedItems, expectedMetrics, startGenericApi, type Fault, type GenericApi } from '../generic-api.js';
import { accessConfig, genericManifest, writeGenericManifest } from '../generic-connector.js';

const clock = new FakeClock(TEST_NOW);
let api: GenericApi;
let manifest: string;

beforeAll(async () => {
  api = await startGenericApi({ now: () => clock.now() });
  manifest = writeGenericManifest();
});
afterAll(() => api.close());
beforeEach(() => {
  api.clearFaults();
  clock.set(TEST_NOW);
  clock.sleeps.length = 0;
});

async function read(streams: string[], options: { config?: object; state?: unknown; manifest?: string } = {}) {
  const files = writeFiles({
    'config.json': options.config ?? accessConfig(api.apiUrl, { account_ids: 'acme, globex', start_date: '2026-11-01' }),
    'catalog.json': catalog(streams, (name) => (name === 'daily_metrics' ? 'incremental' : 'full_refresh')),
    ...(options.state === undefined ? {} : { 'state.json': options.state }),
  });
  const args = ['read', '--manifest', options.manifest ?? manifest, '--config', files['config.json'], '--catalog', files['catalog.json']];
  if (options.state !== undefined) args.push('--state', files['state.json']);
  const before = api.requests.length;
  const run = await runInProcess(args, { clock });
  return { ...run, requests: api.requests.slice(before) };
}

const retries = (messages: Parameters<typeof logs>[0]) => logs(messages).filter((log) => log.message.startsWith('Caught retryable error'));

describe('retried failures', () => {
  it.each([
    ['429 with Retry-After', { status: 429, headers: { 'Retry-After': '7' } }, "'429 Too Many Requests'", [7000, 7000]],
    ['429 without Retry-After', { status: 429 }, "'429 Too Many Requests'", [5000, 10000]],
    ['500', { status: 500 }, "'500 Internal Server Error'", [5000, 10000]],
    ['503', { status: 503 }, "'503 Service Unavailable'", [5000, 10000]],
    ['a connection reset', { reset: true }, 'ECONNRESET', [5000, 10000]],
    ['a body that is not JSON', { status: 200, body: '{"items": [' }, 'not valid JSON', [5000, 10000]],
  ] as [string, Fault, string, number[]][])('%s, twice: waits as the manifest says, then every record exactly once', async (_name, fault, reason, waits) => {
    api.addFault({ ...fault, match: '/api/items?offset=10', times: 2 });
    const run = await read(['items_by_offset']);
    expect(run.code).toBe(0);
    expect(records(run.messages)).toEqual(expectedItems());
    expect(run.requests.filter((r) => r.url === '/api/items?offset=10&limit=5')).toHaveLength(3);
    const logged = retries(run.messages);
    expect(logged).toHaveLength(2);
    expect(logged[0].message).toContain(reason);
    expect(logged[0].message).toMatch(/after 1 tries\. Waiting [\d.]+ seconds then retrying\.\.\.$/);
    expect(logged[1].message).toContain('after 2 tries');
    expect(clock.sleeps).toEqual(waits);
  });

  it('a response slower than the timeout is retried', async () => {
    const quick = genericManifest();
    quick.definitions.requester.timeout_seconds = 0.2;
    api.addFault({ match: '/api/accounts', delayMs: 1500 });
    const run = await read(['accounts'], { manifest: writeGenericManifest(quick) });
    expect(run.code).toBe(0);
    expect(records(run.messages)).toHaveLength(3);
    expect(retries(run.messages)).toHaveLength(1);
    expect(retries(run.messages)[0].message).toContain('no complete response within 0.2 s');
  });
});

describe('failures that end a stream', () => {
  it('a 500 on every attempt: max_attempts tries, a transient error for that stream, its finished windows checkpointed, the others complete', async () => {
    // The third window of one account (2026-11-15 to 2026-11-22) always fails.
    api.addFault({ match: '/api/accounts/globex/metrics?since=2026-11-15', status: 500, times: Infinity });
    const run = await read(['daily_metrics', 'accounts']);
    expect(run.code).toBe(1);
    expect(run.requests.filter((r) => r.url.startsWith('/api/accounts/globex/metrics?since=2026-11-15'))).toHaveLength(5);
    expect(clock.sleeps).toEqual([5000, 10000, 20000, 40000]);
    const errors = traces(run.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('transient_error');
    expect(errors[0].error.stream_descriptor).toEqual({ name: 'daily_metrics' });
    expect(errors[0].error.message).toContain('still failed after 5 attempts');
    expect(statusesOf(run.messages, 'daily_metrics').at(-1)).toBe('INCOMPLETE');
    expect(statusesOf(run.messages, 'accounts').at(-1)).toBe('COMPLETE');
    const state = finalState(run.messages).find((s) => s.stream.stream_descriptor.name === 'daily_metrics')!;
    expect(state.stream.stream_state.states).toContainEqual({ partition: { account_id: 'globex' }, cursor: { day: '2026-11-15' } });

    // Resumed once the API recovers: with what the failed run emitted before its last state, every day once.
    api.clearFaults();
    const kept = keptRecords(run.messages, 'daily_metrics');
    const resumed = await read(['daily_metrics'], { state: finalState(run.messages) });
    expect(resumed.code).toBe(0);
    const union = [...kept, ...records(resumed.messages, 'daily_metrics')].map((m) => `${m.account_id}|${m.day}`);
    expect(union.sort()).toEqual(
      ['acme', 'globex'].flatMap((account) => Array.from({ length: 28 }, (_, i) => `${account}|2026-11-${String(i + 1).padStart(2, '0')}`)).sort(),
    );
  });

  it('a permanent 429 is a rate limit: the stream ends INCOMPLETE with RATE_LIMITED and the reset time the API gave', async () => {
    const reset = Date.UTC(2026, 10, 29, 12);
    api.addFault({ match: '/api/items/pages', status: 429, headers: { 'X-RateLimit-Reset': String(reset / 1000) }, times: Infinity });
    const run = await read(['items_by_page', 'items_by_offset']);
    expect(run.code).toBe(1);
    expect(run.requests.filter((r) => r.path === '/api/items/pages')).toHaveLength(5);
    const incomplete = traces(run.messages, 'STREAM_STATUS').find((t) => t.stream_status.status === 'INCOMPLETE');
    expect(incomplete.stream_status.stream_descriptor.name).toBe('items_by_page');
    expect(incomplete.stream_status.reasons).toEqual([{ type: 'RATE_LIMITED', rate_limited: { quota_reset: reset } }]);
    const [error] = traces(run.messages, 'ERROR');
    expect(error.error.failure_type).toBe('transient_error');
    expect(error.error.message).toContain('The rate limit of the API is used up; what was read so far is saved.');
    expect(records(run.messages, 'items_by_offset')).toEqual(expectedItems());
    expect(statusesOf(run.messages, 'items_by_offset').at(-1)).toBe('COMPLETE');
  });

  it.each([
    ['401', { status: 401, body: { error: 'invalid_token' } }, /The API refused the credentials \(invalid_token\)/],
    ['403', { status: 403, body: { error: 'forbidden' } }, /The API refused the credentials \(forbidden\)/],
    ['404', { status: 404, body: { error: 'not_found' } }, /Unknown account globex: check account_ids/],
  ] as [string, Fault, RegExp][])('%s: a config error with the manifest\'s message, and no retry', async (_name, fault, pattern) => {
    api.addFault({ ...fault, match: '/api/accounts/globex/metrics' });
    const run = await read(['daily_metrics']);
    expect(run.code).toBe(1);
    const [error] = traces(run.messages, 'ERROR');
    expect(error.error.failure_type).toBe('config_error');
    expect(error.error.message).toMatch(pattern);
    expect(run.requests.filter((r) => r.status === fault.status)).toHaveLength(1);
    expect(retries(run.messages)).toEqual([]);
  });

  it('an unknown account in the config is the API\'s 404, named in the error', async () => {
    const run = await read(['daily_metrics'], { config: accessConfig(api.apiUrl, { account_ids: 'acme, nosuch', start_date: '2026-11-01' }) });
    expect(run.code).toBe(1);
    expect(traces(run.messages, 'ERROR')[0].error.message).toContain('Unknown account nosuch');
  });
});

describe('a catalog the read refuses', () => {
  it('a stream listed twice: a config error naming it and both entries, before any request or record', async () => {
    const run = await read(['accounts', 'items_by_offset', 'accounts']);
    expect(run.code).toBe(1);
    const errors = traces(run.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('config_error');
    expect(errors[0].error.message).toBe('Catalog entries 0 and 2 both ask for stream "accounts": list each stream once.');
    expect(records(run.messages)).toEqual([]);
    expect(run.messages.filter((m) => m.type === 'STATE')).toEqual([]);
    expect(run.requests).toEqual([]);
  });
});

describe('answers without the declared shape', () => {
  // The third window of globex: 2026-11-15 up to 2026-11-22.
  const SLICE = '/api/accounts/globex/metrics?since=2026-11-15';
  const sliceMetrics = () => expectedMetrics('globex', '2026-11-15', '2026-11-22');
  const withoutField = (field: 'day' | 'account_id') =>
    sliceMetrics().map((metric, index) => (index === 2 ? Object.fromEntries(Object.entries(metric).filter(([name]) => name !== field)) : metric));
  const everyDay = ['acme', 'globex'].flatMap((account) => expectedMetrics(account, '2026-11-01', '2026-11-29')).map((m) => `${m.account_id}|${m.day}`);
  const keyOf = (m: Record<string, any>) => `${m.account_id}|${m.day}`;

  const malformed: [string, unknown, string][] = [
    ['metrics: null', { metrics: null }, '200 OK without a list at "metrics"'],
    ['metrics: {}', { metrics: {} }, '200 OK without a list at "metrics"'],
    ['no metrics at all', {}, '200 OK without a list at "metrics"'],
    ['a metric without its cursor field', { metrics: withoutField('day') }, '200 OK with record 3 of 7 lacking "day" (the cursor field)'],
    ['a metric without a primary key field', { metrics: withoutField('account_id') }, '200 OK with record 3 of 7 lacking "account_id" (a primary key field)'],
    ['a metric whose cursor field is null', { metrics: sliceMetrics().map((m, i) => (i === 0 ? { ...m, day: null } : m)) }, '200 OK with record 1 of 7 lacking "day" (the cursor field)'],
  ];

  it.each(malformed)('%s, once: retried like a body that is not JSON, then every day exactly once', async (_name, body, reason) => {
    api.addFault({ match: SLICE, status: 200, body });
    const run = await read(['daily_metrics']);
    expect(run.code).toBe(0);
    expect(run.requests.filter((r) => r.url.startsWith(SLICE))).toHaveLength(2);
    expect(retries(run.messages).map((log) => log.message)).toEqual([
      expect.stringContaining(`Caught retryable error '${reason}`),
    ]);
    expect(clock.sleeps).toEqual([5000]);
    expect(records(run.messages, 'daily_metrics').map(keyOf).sort()).toEqual([...everyDay].sort());
    expect(statusesOf(run.messages, 'daily_metrics').at(-1)).toBe('COMPLETE');
  });

  it.each(malformed)('%s, on every attempt: the slice fails, named, its records unwritten and the state before it; the next read fills it', async (_name, body, reason) => {
    api.addFault({ match: SLICE, status: 200, body, times: Infinity });
    const run = await read(['daily_metrics', 'accounts']);
    expect(run.code).toBe(1);
    expect(run.requests.filter((r) => r.url.startsWith(SLICE))).toHaveLength(5);
    expect(clock.sleeps).toEqual([5000, 10000, 20000, 40000]);
    const errors = traces(run.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('system_error');
    expect(errors[0].error.stream_descriptor).toEqual({ name: 'daily_metrics' });
    expect(errors[0].error.message).toMatch(/^The slice from 2026-11-15 to 2026-11-21 \(account_id globex\) was not read: GET \/api\/accounts\/globex\/metrics answered /);
    expect(errors[0].error.message).toContain(reason);
    expect(errors[0].error.message).toContain('on all 5 attempts');
    expect(statusesOf(run.messages, 'daily_metrics').at(-1)).toBe('INCOMPLETE');
    expect(statusesOf(run.messages, 'accounts').at(-1)).toBe('COMPLETE');
    // Nothing of the slice, nor of globex after it, was written; the state stays at its start.
    const written = records(run.messages, 'daily_metrics');
    expect(written.filter((m) => m.account_id === 'globex' && m.day >= '2026-11-15')).toEqual([]);
    expect(written.filter((m) => m.account_id === undefined || m.day === undefined || m.day === null)).toEqual([]);
    const state = finalState(run.messages).find((s) => s.stream.stream_descriptor.name === 'daily_metrics')!;
    expect(state.stream.stream_state.states).toContainEqual({ partition: { account_id: 'globex' }, cursor: { day: '2026-11-15' } });
    expect(state.stream.stream_state.states).toContainEqual({ partition: { account_id: 'acme' }, cursor: { day: '2026-11-29' } });

    // Once the API answers properly again, a read from that state brings every missing day, none twice.
    api.clearFaults();
    const kept = keptRecords(run.messages, 'daily_metrics');
    const resumed = await read(['daily_metrics'], { state: finalState(run.messages) });
    expect(resumed.code).toBe(0);
    expect([...kept, ...records(resumed.messages, 'daily_metrics')].map(keyOf).sort()).toEqual([...everyDay].sort());
  });

  it('a record without its primary key never reaches the output of a stream without a cursor', async () => {
    const nameless = expectedItems().slice(10, 15).map((item, index) => (index === 4 ? { name: item.name, color: item.color } : item));
    api.addFault({ match: '/api/items?offset=10', status: 200, body: { items: nameless, total: 23 }, times: Infinity });
    const run = await read(['items_by_offset', 'accounts']);
    expect(run.code).toBe(1);
    expect(records(run.messages, 'items_by_offset')).toEqual(expectedItems().slice(0, 10));
    const [error] = traces(run.messages, 'ERROR');
    expect(error.error.message).toBe(
      'GET /api/items answered 200 OK with record 5 of 5 lacking "id" (a primary key field), on all 5 attempts: the answer does not have the shape the manifest declares.',
    );
    expect(statusesOf(run.messages, 'items_by_offset').at(-1)).toBe('INCOMPLETE');
    expect(statusesOf(run.messages, 'accounts').at(-1)).toBe('COMPLETE');
  });
});
