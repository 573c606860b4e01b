// The read's failure budget through the CLI (in this process, fake clock) against the generic API's reset faults:
// once the last N requests of the read all failed, it stops with one error and no further request; failures with
// successes between them never stop it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { catalog, FakeClock, runInProcess, statusesOf, TEST_NOW, traces, writeFiles, type Manifest } from '../../helpers/index.js';
import { startGenericApi, type GenericApi } from '../generic-api.js';
import { accessConfig, genericManifest, STREAMS, writeGenericManifest } from '../generic-connector.js';

const clock = new FakeClock(TEST_NOW);
let api: GenericApi;

beforeAll(async () => {
  api = await startGenericApi({ now: () => clock.now() });
});
afterAll(() => api.close());
beforeEach(() => {
  api.clearFaults();
  clock.set(TEST_NOW);
  clock.sleeps.length = 0;
});

async function read(streams: string[], manifest: Manifest = genericManifest()) {
  const files = writeFiles({
    'config.json': accessConfig(api.apiUrl, { account_ids: 'acme, globex', start_date: '2026-11-01' }),
    'catalog.json': catalog(streams, (name) => (name === 'daily_metrics' ? 'incremental' : 'full_refresh')),
  });
  const before = api.requests.length;
  const run = await runInProcess(['read', '--manifest', writeGenericManifest(manifest), '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
  return { ...run, requests: api.requests.slice(before) };
}

const withBudget = (budget: object | undefined, concurrency?: number) => {
  const manifest = genericManifest(concurrency === undefined ? {} : { concurrency });
  if (budget) manifest.failure_budget = budget;
  return manifest;
};

describe('failure budget', () => {
  it('every connection reset: the read stops after the default 10 failed requests, with one error naming the host, every stream INCOMPLETE', async () => {
    api.addFault({ reset: true, times: Infinity });
    const result = await read(STREAMS, withBudget(undefined));
    expect(result.code).toBe(1);
    // The budget's 10, and at most the 3 others already on the wire when it was spent (concurrency_level 4).
    expect(result.requests.length).toBeGreaterThanOrEqual(10);
    expect(result.requests.length).toBeLessThanOrEqual(13);
    const errors = traces(result.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    const { message, failure_type } = errors[0].error;
    expect(failure_type).toBe('transient_error');
    expect(message).toContain(new URL(api.apiUrl).host);
    expect(message).toMatch(/connection reset/);
    expect(message).toMatch(/last 10 requests all failed/);
    expect(message).toMatch(/next sync resumes from the saved states/);
    for (const stream of STREAMS) expect(statusesOf(result.messages, stream).at(-1)).toBe('INCOMPLETE');
    // Waits of 5 and 10 s between attempts: nowhere near the hours of every request's retries.
    expect(clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThan(120_000);
  });

  it('the manifest sets the count: exactly that many requests, none after', async () => {
    api.addFault({ reset: true, times: Infinity });
    const manifest = withBudget({ consecutive_failures: 4 }, 1);
    const before = api.requests.length;
    const result = await read(['items_by_offset', 'items_by_page', 'accounts', 'projects'], manifest);
    expect(result.code).toBe(1);
    // One request at a time: exactly the budget's 4 (fewer than one request's 5 attempts), none after.
    expect(api.requests.length - before).toBe(4);
    expect(traces(result.messages, 'ERROR')).toHaveLength(1);
    expect(traces(result.messages, 'ERROR')[0].error.message).toMatch(/last 4 requests all failed/);
  });

  it('failures with successes between them do not stop the read', async () => {
    let count = 0;
    // Every other request is reset: each is retried once and answered.
    api.addFault({ reset: true, times: Infinity, match: () => (count += 1) % 2 === 0 });
    const result = await read(STREAMS, withBudget({ consecutive_failures: 3 }, 1));
    expect({ code: result.code, errors: traces(result.messages, 'ERROR') }).toEqual({ code: 0, errors: [] });
    expect(result.requests.filter((r) => r.status === 0).length).toBeGreaterThan(10);
  });
});
