// A DatetimeBasedCursor whose start_datetime reads stream_partition is evaluated for each partition: every
// parent record's child read starts at that record's own date, and a saved cursor still wins over it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalog, DAY_MS, FakeClock, records, runInProcess, startServer, states, TEST_NOW, traces, writeFiles, writeManifest, type Manifest, type TestServer } from '../../helpers/index.js';

const DAY0 = Math.floor(TEST_NOW / DAY_MS) * DAY_MS;
const ITEMS = [
  { id: 'old', since: DAY0 - 40 * DAY_MS },
  { id: 'new', since: DAY0 - 3 * DAY_MS },
];

function manifest(): string {
  const requester = (path: string, parameters: Manifest = {}) => ({
    type: 'HttpRequester',
    url_base: '{{ config.base_url }}',
    path,
    authenticator: { type: 'NoAuth' },
    request_parameters: parameters,
  });
  const items: Manifest = {
    type: 'DeclarativeStream',
    name: 'items',
    primary_key: ['id'],
    schema_file: 'schemas/any.json',
    retriever: { type: 'SimpleRetriever', requester: requester('/items'), record_selector: { type: 'RecordSelector', field_path: ['items'] } },
  };
  const daily: Manifest = {
    type: 'DeclarativeStream',
    name: 'daily',
    primary_key: ['id', 'start'],
    schema_file: 'schemas/any.json',
    incremental_sync: {
      type: 'DatetimeBasedCursor',
      cursor_field: 'end',
      cursor_datetime_format: 'epoch_ms',
      start_datetime: '{{ $max([stream_partition.parent_record.since, $day_start($now_ms()) - 10 * 86400000]) }}',
      end_datetime: '{{ $day_start($now_ms()) }}',
    },
    retriever: {
      type: 'SimpleRetriever',
      partition_router: { type: 'SubstreamPartitionRouter', parent_stream_configs: [{ type: 'ParentStreamConfig', stream: items, parent_key: 'id', partition_field: 'item' }] },
      requester: requester('/daily', { item: '{{ stream_partition.item }}', from: '{{ stream_slice.start_time }}', to: '{{ stream_slice.end_time }}' }),
      record_selector: { type: 'RecordSelector', field_path: ['days'] },
    },
  };
  return writeManifest(
    { version: '1.0', streams: [items, daily], check: { type: 'CheckStream', stream_names: ['items'] }, spec: { type: 'Spec', connection_specification: { type: 'object' } } },
    { any: { type: 'object' } },
  );
}

describe('a cursor range per partition', () => {
  let api: TestServer;
  let manifestPath: string;
  beforeAll(async () => {
    api = await startServer((request) => {
      if (request.path === '/items') return { body: { items: ITEMS } };
      const [from, to] = [Number(request.query.get('from')), Number(request.query.get('to'))];
      return { body: { days: [{ id: request.query.get('item'), start: from, end: to }] } };
    });
    manifestPath = manifest();
  });
  afterAll(() => api.close());

  async function read(now: number, state: unknown[] = []) {
    const files = writeFiles({ 'config.json': { base_url: api.url }, 'catalog.json': catalog(['daily'], 'incremental'), 'state.json': state });
    const before = api.requests.length;
    const run = await runInProcess(['read', '--manifest', manifestPath, '--config', files['config.json'], '--catalog', files['catalog.json'], '--state', files['state.json']], { clock: new FakeClock(now) });
    expect({ code: run.code, errors: traces(run.messages, 'ERROR') }).toEqual({ code: 0, errors: [] });
    const daily = api.requests.slice(before).filter((request) => request.path === '/daily');
    return { run, ranges: Object.fromEntries(daily.map((request) => [request.query.get('item'), [Number(request.query.get('from')), Number(request.query.get('to'))]])) };
  }

  it('start_datetime over stream_partition is evaluated for each partition; the next read starts at each saved cursor', async () => {
    const first = await read(TEST_NOW);
    expect(first.ranges).toEqual({ old: [DAY0 - 10 * DAY_MS, DAY0], new: [ITEMS[1].since, DAY0] });
    expect(records(first.run.messages, 'daily')).toHaveLength(2);
    const state = [states(first.run.messages, 'daily').at(-1)?.state];
    const next = await read(TEST_NOW + DAY_MS, state);
    expect(next.ranges).toEqual({ old: [DAY0, DAY0 + DAY_MS], new: [DAY0, DAY0 + DAY_MS] });
  });
});
