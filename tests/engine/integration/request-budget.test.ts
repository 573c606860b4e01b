// The manifest's request budget through the CLI (in this process, fake clock) against the generic API: a read
// stops after exactly that many requests, with one error saying so, every unfinished stream INCOMPLETE and the
// state of what finished kept; syncs with the same budget one after the other finish the job, with no row twice.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { catalog, FakeClock, runInProcess, runInProcessText, statusesOf, states, TEST_NOW, traces, writeFiles, type Manifest } from '../../helpers/index.js';
import { expectedMetrics, startGenericApi, toDay, type GenericApi } from '../generic-api.js';
import { accessConfig, genericManifest, writeGenericManifest } from '../generic-connector.js';

const clock = new FakeClock(TEST_NOW);
const START = '2026-10-01';
const TODAY = toDay(TEST_NOW);
const ACCOUNTS = ['acme', 'globex'];
let api: GenericApi;

beforeAll(async () => {
  api = await startGenericApi({ now: () => clock.now() });
});
afterAll(() => api.close());
beforeEach(() => {
  api.clearFaults();
  clock.set(TEST_NOW);
});

/** The generic manifest with `request_budget.max_requests` set to `maxRequests`, and a `max_requests` config field. */
function withBudget(maxRequests: number | string): Manifest {
  const manifest = genericManifest();
  manifest.request_budget = { max_requests: maxRequests };
  manifest.spec.connection_specification.properties.max_requests = { type: 'integer' };
  return manifest;
}

function files(extra: Record<string, unknown> = {}, streams = ['daily_metrics', 'accounts']) {
  return writeFiles({
    'config.json': accessConfig(api.apiUrl, { account_ids: ACCOUNTS.join(', '), start_date: START, ...extra }),
    'catalog.json': catalog(streams, (name) => (name === 'daily_metrics' ? 'incremental' : 'full_refresh')),
  });
}

async function run(args: string[]) {
  const before = api.requests.length;
  const result = await runInProcess(args, { clock });
  return { ...result, requests: api.requests.slice(before) };
}

describe('request budget', () => {
  it('read: exactly the budget of requests, one transient error saying so, unfinished streams INCOMPLETE, finished windows checkpointed', async () => {
    const input = files();
    const result = await run(['read', '--manifest', writeGenericManifest(withBudget(5)), '--config', input['config.json'], '--catalog', input['catalog.json']]);
    expect(result.code).toBe(1);
    expect(result.requests).toHaveLength(5);
    const errors = traces(result.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('transient_error');
    expect(errors[0].error.message).toMatch(/request budget of 5 requests .* was reached/);
    expect(errors[0].error.message).toMatch(/next sync continues from where this one stopped/);
    expect(statusesOf(result.messages, 'daily_metrics').at(-1)).toBe('INCOMPLETE');
    // Windows answered before the budget ran out are saved.
    const saved = states(result.messages, 'daily_metrics').at(-1)!;
    expect(saved.state.stream.stream_state.states.length).toBeGreaterThan(0);
  });

  it('a template over the config sets the budget; one giving nothing means no budget', async () => {
    const manifest = writeGenericManifest(withBudget('{{ config.max_requests }}'));
    const limited = files({ max_requests: 3 });
    const stopped = await run(['read', '--manifest', manifest, '--config', limited['config.json'], '--catalog', limited['catalog.json']]);
    expect({ code: stopped.code, requests: stopped.requests.length }).toEqual({ code: 1, requests: 3 });
    const unlimited = files();
    const complete = await run(['read', '--manifest', manifest, '--config', unlimited['config.json'], '--catalog', unlimited['catalog.json']]);
    expect(traces(complete.messages, 'ERROR')).toEqual([]);
    expect(complete.code).toBe(0);
    expect(complete.requests.length).toBeGreaterThan(5);
  });

  it('a budget that is not a positive number is a config error naming request_budget, before any request', async () => {
    const input = files({ max_requests: 0 });
    const result = await run(['read', '--manifest', writeGenericManifest(withBudget('{{ config.max_requests }}')), '--config', input['config.json'], '--catalog', input['catalog.json']]);
    expect(result.code).toBe(1);
    expect(result.requests).toHaveLength(0);
    const errors = traces(result.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('config_error');
    expect(errors[0].error.message).toMatch(/request_budget\.max_requests .* gave 0: expected a positive whole number/);
  });

  it('validate: the requests of each stream (partitions x slices, "at least" where pages or found partitions add more) against the budget, sending none', async () => {
    const input = files();
    const before = api.requests.length;
    const result = await runInProcessText(['validate', '--manifest', writeGenericManifest(withBudget(5)), '--config', input['config.json']], { clock });
    expect(result.code).toBe(0);
    expect(api.requests.length).toBe(before);
    const lines = result.stdout.split('\n');
    // 2026-10-01 to 2026-11-29 in 7-day windows: 9 per account.
    expect(lines).toContain('daily_metrics: 18 requests (2 partitions x 9 slices); the first request of each partition and slice:');
    expect(lines).toContain('accounts: 1 request (1 partition x 1 slice); the first request of each partition and slice:');
    expect(lines).toContain('items_by_offset: at least 1 request (1 partition x 1 slice; more when a slice has more pages); the first request of each partition and slice:');
    expect(lines.find((line) => line.startsWith('projects: '))).toMatch(/^projects: at least 1 request \(1 partition x 1 slice; its partitions are found by requests/);
    expect(lines).toContain('A sync of these streams sends at least 23 requests (retries and token requests not counted).');
    expect(lines).toContain('That is more than the request budget of 5 requests: a sync stops once it has sent 5, and the next syncs continue from where it stopped.');

    const json = await runInProcessText(['validate', '--manifest', writeGenericManifest(withBudget(50)), '--config', input['config.json'], '--json', '--streams', 'daily_metrics,accounts'], { clock });
    const plans = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(plans.map(({ stream, request_count, partition_count, slice_count, at_least }) => ({ stream, request_count, partition_count, slice_count, at_least }))).toEqual([
      { stream: 'accounts', request_count: 1, partition_count: 1, slice_count: 1, at_least: [] },
      { stream: 'daily_metrics', request_count: 18, partition_count: 2, slice_count: 9, at_least: [] },
    ]);
    const within = await runInProcessText(['validate', '--manifest', writeGenericManifest(withBudget(50)), '--config', input['config.json'], '--streams', 'daily_metrics,accounts'], { clock });
    expect(within.stdout).toContain('A sync of these streams sends 19 requests (retries and token requests not counted).\nThat is within the request budget of 50 requests.');
  });

  it('sync into SQLite: each sync sends at most the budget, keeps the rows and state of what finished, and the next ones finish the job with no row twice', async () => {
    const input = files();
    const manifest = writeGenericManifest(withBudget(5));
    const output = join(input.dir, 'budget.sqlite');
    const sync = () => run(['sync', '--manifest', manifest, '--config', input['config.json'], '--output', output, '--streams', 'daily_metrics']);
    const rows = () => {
      const db = new Database(output, { readonly: true });
      try {
        const metrics = db.prepare('SELECT account_id, day, views, clicks FROM daily_metrics ORDER BY account_id, day').all() as Record<string, unknown>[];
        const saved = db.prepare(`SELECT state FROM _connector_state WHERE stream = 'daily_metrics'`).get() as { state: string } | undefined;
        const cursors = (saved ? (JSON.parse(saved.state).stream.stream_state.states as { partition: { account_id: string }; cursor: { day: string } }[]) : []);
        return { metrics, cursors };
      } finally {
        db.close();
      }
    };

    const first = await sync();
    expect(first.code).toBe(1);
    expect(first.requests).toHaveLength(5);
    expect(first.stderr).toMatch(/request budget of 5 requests/);
    // What the first sync finished is in the database: per account, every day before its saved cursor (the first day not read), no other.
    const afterFirst = rows();
    expect(afterFirst.cursors.length).toBeGreaterThan(0);
    for (const { partition, cursor } of afterFirst.cursors) {
      const own = afterFirst.metrics.filter((row) => row.account_id === partition.account_id);
      expect(own).toEqual(expectedMetrics(partition.account_id, START, cursor.day));
    }
    expect(afterFirst.metrics.length).toBeGreaterThan(0);

    let last = first;
    for (let attempt = 0; attempt < 10 && last.code !== 0; attempt += 1) {
      last = await sync();
      expect(last.requests.length).toBeLessThanOrEqual(5);
      expect(last.requests.length).toBeGreaterThan(0);
    }
    expect(last.code).toBe(0);
    const final = rows().metrics;
    expect(final).toEqual(ACCOUNTS.flatMap((account) => expectedMetrics(account, START, TODAY)));
  });
});
