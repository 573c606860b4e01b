import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { RECORDS_PER_PARTITION_PER_STATE } from '../../../../engine/streams/state-checkpoints.js';
import { compile, oneStreamManifest, readStream, startServer, testRuntime, toYaml, type ReadResult, type TestServer } from '../../../helpers/index.js';

let server: TestServer;
/** Records the server answers per slice (ids after the first get a suffix), and a partition it refuses. */
let recordsPerSlice = 1;
let refusedOrg: string | undefined;
beforeAll(async () => {
  server = await startServer((request) => {
    const org = request.path.split('/')[2];
    if (org === refusedOrg) return { status: 403, body: { status: 403, message: 'Not enough permissions' } };
    const from = request.query.get('from');
    const elements = Array.from({ length: recordsPerSlice }, (_, i) => ({ id: `${org}:${from}${i ? `#${i}` : ''}`, org, day: from, noise: 'x', keep: from !== '2026-01-03' }));
    return { body: { elements } };
  });
});
afterEach(() => {
  recordsPerSlice = 1;
  refusedOrg = undefined;
});
afterAll(() => server.close());

const MANIFEST = oneStreamManifest({
  stream: {
    incremental_sync: {
      type: 'DatetimeBasedCursor',
      cursor_field: 'day',
      cursor_datetime_format: 'date',
      start_datetime: '2026-01-01',
      end_datetime: '2026-01-05',
      step: 'P2D',
    },
    transformations: [
      {
        type: 'AddFields',
        fields: [
          { path: ['window', 'start'], value: '{{ stream_slice.start_time }}' },
          { path: ['since'], value: '{{ stream_state.day }}' },
        ],
      },
      { type: 'RemoveFields', field_pointers: [['noise']] },
    ],
  },
  retriever: { partition_router: { type: 'ListPartitionRouter', partition_field: 'org', values: ['a', 'b', 'a'] } },
  requester: {
    path: '/orgs/{{ stream_partition.org }}',
    request_parameters: { from: '{{ stream_slice.start_time }}', to: '{{ stream_slice.end_time }}' },
  },
});

function setup() {
  const stream = compile(MANIFEST, testRuntime().runtime).streams[0];
  const before = server.requests.length;
  return { stream, urls: () => server.requests.slice(before).map((r) => r.url) };
}
const config = () => ({ base: server.url });
const state = (entries: [string, string][]) => ({ states: entries.map(([org, day]) => ({ partition: { org }, cursor: { day } })), granularity: 'P1D' });

describe('DeclarativeStream.read, incremental', () => {
  it('requests each partition (duplicates removed) and slice; with few records, one checkpoint at the end covers all', async () => {
    const { stream, urls } = setup();
    const result = await readStream(stream, config(), { incremental: true });
    expect(urls()).toEqual([
      '/orgs/a?from=2026-01-01&to=2026-01-03',
      '/orgs/a?from=2026-01-03&to=2026-01-05',
      '/orgs/b?from=2026-01-01&to=2026-01-03',
      '/orgs/b?from=2026-01-03&to=2026-01-05',
    ]);
    expect(result.events).toEqual([
      { record: { id: 'a:2026-01-01', org: 'a', day: '2026-01-01', keep: true, window: { start: '2026-01-01' } } },
      { record: { id: 'a:2026-01-03', org: 'a', day: '2026-01-03', keep: false, window: { start: '2026-01-03' } } },
      { record: { id: 'b:2026-01-01', org: 'b', day: '2026-01-01', keep: true, window: { start: '2026-01-01' } } },
      { record: { id: 'b:2026-01-03', org: 'b', day: '2026-01-03', keep: false, window: { start: '2026-01-03' } } },
      { checkpoint: state([['a', '2026-01-05'], ['b', '2026-01-05']]) },
    ]);
  });

  it(`checkpoints after a slice once ${RECORDS_PER_PARTITION_PER_STATE} records per partition of the state have passed since the last`, async () => {
    recordsPerSlice = RECORDS_PER_PARTITION_PER_STATE;
    const { stream } = setup();
    const result = await readStream(stream, config(), { incremental: true });
    const outline: (string | number)[] = [];
    for (const event of result.events) {
      if ('checkpoint' in event) outline.push(JSON.stringify(event.checkpoint));
      else if (typeof outline.at(-1) === 'number') outline[outline.length - 1] = (outline.at(-1) as number) + 1;
      else outline.push(1);
    }
    const n = RECORDS_PER_PARTITION_PER_STATE;
    expect(outline).toEqual([
      n, // a's first slice: the state lists one partition
      JSON.stringify(state([['a', '2026-01-03']])),
      n,
      JSON.stringify(state([['a', '2026-01-05']])),
      // b's first slice: the state now lists two partitions, so it waits for a second slice's records
      2 * n,
      JSON.stringify(state([['a', '2026-01-05'], ['b', '2026-01-05']])),
      JSON.stringify(state([['a', '2026-01-05'], ['b', '2026-01-05']])),
    ]);
  });

  it('a transformation sees the record it transforms, one record after another, also when its expression is asynchronous', async () => {
    recordsPerSlice = 5;
    const withLabel = structuredClone(MANIFEST);
    withLabel.streams[0].transformations[0].fields.push({ path: ['label'], value: '{{ $uppercase(record.id) }}' });
    expect(toYaml(withLabel)).not.toBe(toYaml(MANIFEST));
    const stream = compile(withLabel, testRuntime().runtime).streams[0];
    const result = await readStream(stream, config(), { incremental: true });
    expect(result.records).toHaveLength(20);
    expect(new Set(result.records.map((r) => r.id)).size).toBe(20);
    for (const record of result.records) expect(record.label).toBe(String(record.id).toUpperCase());
  });

  it('a partition that fails ends the stream after a checkpoint of the slices completed so far', async () => {
    refusedOrg = 'b';
    const { stream } = setup();
    const result: ReadResult = { records: [], checkpoints: [], events: [] };
    await expect(readStream(stream, config(), { incremental: true, result })).rejects.toThrow(/403/);
    expect(result.records.map((r: Record<string, unknown>) => r.id)).toEqual(['a:2026-01-01', 'a:2026-01-03']);
    expect(result.events.at(-1)).toEqual({ checkpoint: state([['a', '2026-01-05']]) });
  });

  it('resumes each partition from its own cursor', async () => {
    const { stream, urls } = setup();
    const result = await readStream(stream, config(), { incremental: true, state: state([['a', '2026-01-03'], ['b', '2026-01-05']]) });
    expect(urls()).toEqual(['/orgs/a?from=2026-01-03&to=2026-01-05']);
    expect(result.records.map((r) => r.since)).toEqual(['2026-01-03']);
    expect(result.checkpoints[result.checkpoints.length - 1]).toEqual(state([['a', '2026-01-05'], ['b', '2026-01-05']]));
  });

  it('a flat cursor applies to every partition', async () => {
    const { stream, urls } = setup();
    await readStream(stream, config(), { incremental: true, state: { day: '2026-01-03' } });
    expect(urls()).toEqual(['/orgs/a?from=2026-01-03&to=2026-01-05', '/orgs/b?from=2026-01-03&to=2026-01-05']);
  });

  it('a full refresh ignores the state', async () => {
    const { stream, urls } = setup();
    await readStream(stream, config(), { incremental: false, state: state([['a', '2026-01-05'], ['b', '2026-01-05']]) });
    expect(urls()).toHaveLength(4);
  });

  it('a corrupt state fails before any request, naming the stream', async () => {
    const { stream, urls } = setup();
    await expect(readStream(stream, config(), { incremental: true, state: { states: 'nope' } })).rejects.toMatchObject({
      failureType: 'config_error',
      stream: 'items',
    });
    expect(urls()).toEqual([]);
  });

  it('plan() shows the first request of each partition and slice without sending', async () => {
    const { stream, urls } = setup();
    const planned = [];
    for await (const request of stream.plan(config(), state([['a', '2026-01-03']]))) planned.push([request.partition, request.slice, new URL(request.request.url).search]);
    expect(urls()).toEqual([]);
    expect(planned).toEqual([
      [{ org: 'a' }, { start_time: '2026-01-03', end_time: '2026-01-05' }, '?from=2026-01-03&to=2026-01-05'],
      [{ org: 'b' }, { start_time: '2026-01-01', end_time: '2026-01-03' }, '?from=2026-01-01&to=2026-01-03'],
      [{ org: 'b' }, { start_time: '2026-01-03', end_time: '2026-01-05' }, '?from=2026-01-03&to=2026-01-05'],
    ]);
  });
});
