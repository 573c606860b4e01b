import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { compile, oneStreamManifest, readStream, startServer, testRuntime, type TestServer } from '../support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer((request) => {
    const org = request.path.split('/')[2];
    const from = request.query.get('from');
    return { body: { elements: [{ id: `${org}:${from}`, org, noise: 'x', keep: from !== '2026-01-03' }] } };
  });
});
afterAll(() => server.close());

const MANIFEST = oneStreamManifest({
  stream: [
    'incremental_sync:',
    '  type: DatetimeBasedCursor',
    '  cursor_field: day',
    '  cursor_datetime_format: date',
    '  start_datetime: "2026-01-01"',
    '  end_datetime: "2026-01-05"',
    '  step: P2D',
    'transformations:',
    '  - type: AddFields',
    '    fields:',
    '      - { path: [window, start], value: "{{ stream_slice.start_time }}" }',
    '      - { path: [since], value: "{{ stream_state.day }}" }',
    '  - type: RemoveFields',
    '    field_pointers: [[noise]]',
  ].join('\n'),
  retriever: ['partition_router: { type: ListPartitionRouter, partition_field: org, values: ["a", "b", "a"] }'].join('\n'),
}).replace(
  '        path: /items\n',
  '        path: "/orgs/{{ stream_partition.org }}"\n        request_parameters: { from: "{{ stream_slice.start_time }}", to: "{{ stream_slice.end_time }}" }\n',
);

function setup() {
  const stream = compile(MANIFEST, testRuntime().runtime).streams[0];
  const before = server.requests.length;
  return { stream, urls: () => server.requests.slice(before).map((r) => r.url) };
}
const config = () => ({ base: server.url });
const state = (entries: [string, string][]) => ({ states: entries.map(([org, day]) => ({ partition: { org }, cursor: { day } })) });

describe('DeclarativeStream.read, incremental', () => {
  it('requests each partition (duplicates removed) and slice, and checkpoints after each slice', async () => {
    const { stream, urls } = setup();
    const result = await readStream(stream, config(), { incremental: true });
    expect(urls()).toEqual([
      '/orgs/a?from=2026-01-01&to=2026-01-03',
      '/orgs/a?from=2026-01-03&to=2026-01-05',
      '/orgs/b?from=2026-01-01&to=2026-01-03',
      '/orgs/b?from=2026-01-03&to=2026-01-05',
    ]);
    expect(result.events).toEqual([
      { record: { id: 'a:2026-01-01', org: 'a', keep: true, window: { start: '2026-01-01' } } },
      { checkpoint: state([['a', '2026-01-03']]) },
      { record: { id: 'a:2026-01-03', org: 'a', keep: false, window: { start: '2026-01-03' }, since: '2026-01-03' } },
      { checkpoint: state([['a', '2026-01-05']]) },
      { record: { id: 'b:2026-01-01', org: 'b', keep: true, window: { start: '2026-01-01' } } },
      { checkpoint: state([['a', '2026-01-05'], ['b', '2026-01-03']]) },
      { record: { id: 'b:2026-01-03', org: 'b', keep: false, window: { start: '2026-01-03' }, since: '2026-01-03' } },
      { checkpoint: state([['a', '2026-01-05'], ['b', '2026-01-05']]) },
      { checkpoint: state([['a', '2026-01-05'], ['b', '2026-01-05']]) },
    ]);
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
