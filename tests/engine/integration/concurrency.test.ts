// concurrency_level bounds the requests in flight, counted by the generic API itself, across streams, partitions
// and date windows; with more work than slots it is reached, never passed; output stays whole and in order.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalog, FakeClock, records, runInProcess, TEST_NOW, traces, writeFiles, type Message } from '../../helpers/index.js';
import { expectedItems, expectedMetrics, startGenericApi, toDay, type GenericApi } from '../generic-api.js';
import { accessConfig, genericManifest, STREAMS, writeGenericManifest } from '../generic-connector.js';

const ACCOUNTS = ['acme', 'globex', 'initech'];
const clock = new FakeClock(TEST_NOW);
let api: GenericApi;

beforeAll(async () => {
  // Every answer takes 25 ms, so requests the engine sends together are in flight together.
  api = await startGenericApi({ now: () => clock.now(), latencyMs: 25 });
});
afterAll(() => api.close());

/** Reads `streams` with concurrency_level `level` (none: the format's default); returns the messages and the peak. */
async function read(streams: string[], level?: number) {
  const manifest = writeGenericManifest(genericManifest({ concurrency: level }));
  const files = writeFiles({
    'config.json': accessConfig(api.apiUrl, { account_ids: ACCOUNTS.join(','), start_date: '2026-10-01' }),
    'catalog.json': catalog(streams, (name) => (name === 'daily_metrics' ? 'incremental' : 'full_refresh')),
  });
  api.resetInFlight();
  const before = api.requests.length;
  const run = await runInProcess(['read', '--manifest', manifest, '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
  expect({ code: run.code, stderr: run.stderr, errors: traces(run.messages, 'ERROR') }).toEqual({ code: 0, stderr: '', errors: [] });
  return { messages: run.messages, peak: api.maxInFlight(), requests: api.requests.length - before };
}

const END = toDay(TEST_NOW);
const metricKeys = (messages: Message[]) => records(messages, 'daily_metrics').map((m) => `${m.account_id}|${m.day}`).sort();
const expectedMetricKeys = () => ACCOUNTS.flatMap((a) => expectedMetrics(a, '2026-10-01', END)).map((m) => `${m.account_id}|${m.day}`).sort();

describe('concurrency_level', () => {
  it.each([1, 3, 6])('at %i, the windows of every partition are in flight up to that many at once, never more', async (level) => {
    // 3 partitions of 9 windows: 27 requests, more than any of these levels.
    const run = await read(['daily_metrics'], level);
    expect(run.requests).toBe(27);
    expect(run.peak).toBe(level);
    expect(metricKeys(run.messages)).toEqual(expectedMetricKeys());
  });

  it('without one, the format default (4) applies', async () => {
    const run = await read(['daily_metrics']);
    expect(run.peak).toBe(4);
  });

  it('one limit is shared across streams: three paged streams (one request at a time each) run side by side', async () => {
    // Pages of one stream follow each other; only streams read concurrently can put three requests in flight.
    const wide = await read(['items_by_offset', 'items_by_page', 'items_by_cursor'], 8);
    expect(wide.peak).toBe(3);
    const narrow = await read(['items_by_offset', 'items_by_page', 'items_by_cursor'], 2);
    expect(narrow.peak).toBe(2);
    for (const stream of ['items_by_offset', 'items_by_page', 'items_by_cursor']) {
      expect(records(wide.messages, stream)).toEqual(expectedItems());
      expect(records(narrow.messages, stream)).toEqual(expectedItems());
    }
  });

  it('paged streams, a list of partitions and date windows at once: the level holds, and every stream is complete', async () => {
    const streams = STREAMS.filter((name) => name !== 'projects');
    const run = await read(streams, 5);
    expect(run.peak).toBe(5);
    expect(records(run.messages, 'accounts')).toHaveLength(3);
    expect(metricKeys(run.messages)).toEqual(expectedMetricKeys());
    for (const stream of streams) {
      const statuses = traces(run.messages, 'STREAM_STATUS').filter((t) => t.stream_status.stream_descriptor.name === stream);
      expect(statuses.at(-1)?.stream_status.status).toBe('COMPLETE');
    }
  });

  it('a substream is read completely alongside other streams', async () => {
    const run = await read(STREAMS, 5);
    expect(records(run.messages, 'projects')).toHaveLength(6);
    expect(records(run.messages, 'accounts')).toHaveLength(3);
    expect(metricKeys(run.messages)).toEqual(expectedMetricKeys());
  });

  // A substream's parent is read (SubstreamPartitionRouter -> DeclarativeStream.readAll) page by page in turns of the
  // read's limiter, so its requests count against concurrency_level too.
  it("a substream's parent requests count against the same limit", async () => {
    // At level 1, the metrics windows hold the one slot while the projects stream reads its (slow) parent.
    api.addFault({ match: (request) => request.path === '/api/accounts', delayMs: 300 });
    const run = await read(['daily_metrics', 'projects'], 1);
    expect(run.peak).toBe(1);
  });

  it('windows read concurrently still reach the output in order per partition, each STATE covering exactly what came before', async () => {
    const run = await read(['daily_metrics'], 6);
    const lastDay = new Map<string, string>();
    for (const message of run.messages) {
      if (message.type === 'RECORD') {
        const { account_id: account, day } = message.record.data;
        expect(day > (lastDay.get(account) ?? '')).toBe(true);
        lastDay.set(account, day);
      }
      if (message.type === 'STATE') {
        for (const entry of message.state.stream.stream_state.states as { partition: { account_id: string }; cursor: { day: string } }[]) {
          // The cursor is the exclusive end of the windows emitted: the day after the last record of that partition.
          const last = lastDay.get(entry.partition.account_id);
          expect(last).toBeDefined();
          expect(toDay(Date.parse(`${last}T00:00:00Z`) + 86_400_000)).toBe(entry.cursor.day);
        }
      }
    }
  });
});
