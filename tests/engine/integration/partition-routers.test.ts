// Partition routers against a small API of organizations, their posts (paged), comments per post, statistics of
// many posts per request, and metrics per post and type: a parent is read once per run however many children use
// it, grouping and cartesian products make the partitions they say, parent records can be filtered, refreshed on
// their own schedule across syncs, and read incrementally so that only new parent records make partitions.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  catalog,
  DAY_MS,
  FakeClock,
  records,
  runInProcess,
  startServer,
  states,
  statusesOf,
  TEST_NOW,
  traces,
  writeFiles,
  writeManifest,
  type Manifest,
  type Message,
  type SeenRequest,
  type TestServer,
} from '../../helpers/index.js';

const PAGE_SIZE = 3;

interface Post {
  id: string;
  org: string;
  kind: 'image' | 'video';
  /** Published less than 10 days before TEST_NOW. */
  young: boolean;
  day: string;
}

const day = (daysBefore: number) => new Date(TEST_NOW - daysBefore * DAY_MS).toISOString().slice(0, 10);

/** Posts p1..p7 of o1 (4) and o2 (3); p8 is published on TEST_NOW's day, so only a read a day later sees it by date. */
const POSTS: Post[] = [
  { id: 'p1', org: 'o1', kind: 'image', young: true, day: day(1) },
  { id: 'p2', org: 'o1', kind: 'image', young: true, day: day(4) },
  { id: 'p3', org: 'o1', kind: 'video', young: true, day: day(9) },
  { id: 'p4', org: 'o1', kind: 'image', young: false, day: day(19) },
  { id: 'p5', org: 'o2', kind: 'image', young: false, day: day(28) },
  { id: 'p6', org: 'o2', kind: 'image', young: false, day: day(40) },
  { id: 'p7', org: 'o2', kind: 'video', young: false, day: day(55) },
];
const LATE_POST: Post = { id: 'p8', org: 'o2', kind: 'image', young: true, day: day(0) };

/** The API; `posts` may be changed between reads (a post deleted). */
async function startApi(posts: Post[]): Promise<TestServer> {
  return startServer(async (request: SeenRequest) => {
    const org = /^\/orgs\/(\w+)\/posts$/.exec(request.path)?.[1];
    if (org) {
      const page = Number(request.query.get('page'));
      const own = posts.filter((post) => post.org === org);
      // Later pages come slowly: the children have partitions to read while the parent is still paging.
      if (page > 1) await new Promise((resolve) => setTimeout(resolve, 30));
      return { body: { posts: own.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE) } };
    }
    if (request.path === '/posts_by_day') {
      const since = request.query.get('since') ?? '';
      const until = request.query.get('until') ?? '';
      return { body: { posts: [...posts, LATE_POST].filter((post) => post.day >= since && post.day < until) } };
    }
    const post = /^\/posts\/(\w+)\/comments$/.exec(request.path)?.[1];
    if (post) return { body: { comments: [{ id: `${post}-c1`, post }] } };
    if (request.path === '/stats') return { body: { stats: request.query.getAll('id').map((id) => ({ id, views: 10 })) } };
    if (request.path === '/metrics') {
      return { body: { metrics: [{ id: `${request.query.get('post')}-${request.query.get('type')}`, value: 1 }] } };
    }
    return { status: 404, body: { error: 'no such resource' } };
  });
}

const SCHEMA = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { id: { type: 'string' } } };

function stream(name: string, retriever: Manifest, extra: Manifest = {}): Manifest {
  return {
    type: 'DeclarativeStream',
    name,
    primary_key: ['id'],
    schema_file: 'schemas/any.json',
    ...extra,
    retriever: { type: 'SimpleRetriever', ...retriever },
  };
}

const requester = (path: string, extra: Manifest = {}) => ({ $ref: '#/definitions/requester', path, ...extra });
const selector = (field: string) => ({ type: 'RecordSelector', field_path: [field] });
const posts = { $ref: '#/definitions/posts' };
const fromPosts = (extra: Manifest = {}) => ({ type: 'ParentStreamConfig', stream: posts, parent_key: 'id', partition_field: 'post_id', ...extra });

/** The manifest: `posts` (per organization, paged) and children of it; `change` may alter it before it is written. */
function manifest(change?: (manifest: Manifest) => void): string {
  const definitions = {
    requester: {
      type: 'HttpRequester',
      url_base: '{{ config.base_url }}',
      path: '/',
      authenticator: { type: 'BearerAuthenticator', api_token: '{{ config.token }}' },
    },
    posts: stream('posts', {
      partition_router: { type: 'ListPartitionRouter', partition_field: 'org', values: ['o1', 'o2'] },
      requester: requester('/orgs/{{ stream_partition.org }}/posts'),
      record_selector: selector('posts'),
      paginator: { type: 'PageIncrement', page_size: PAGE_SIZE, page_token_option: { inject_into: 'request_parameter', field_name: 'page' } },
    }),
    posts_by_day: stream(
      'posts_by_day',
      {
        requester: requester('/posts_by_day', { request_parameters: { since: '{{ stream_slice.start_time }}', until: '{{ stream_slice.end_time }}' } }),
        record_selector: selector('posts'),
      },
      {
        incremental_sync: {
          type: 'DatetimeBasedCursor',
          cursor_field: 'day',
          cursor_datetime_format: 'date',
          start_datetime: '2026-09-01',
          end_datetime: '{{ $day_start($now_ms()) }}',
          step: 'P30D',
        },
      },
    ),
  };
  const comments = (name: string, config: Manifest) =>
    stream(name, {
      partition_router: { type: 'SubstreamPartitionRouter', parent_stream_configs: [config] },
      requester: requester('/posts/{{ stream_partition.post_id }}/comments'),
      record_selector: selector('comments'),
    });
  const streams = [
    { $ref: '#/definitions/posts' },
    { $ref: '#/definitions/posts_by_day' },
    comments('comments', fromPosts()),
    comments('video_comments', fromPosts({ record_filter: "{{ record.kind = 'video' }}" })),
    comments('tiered_comments', fromPosts({ refresh_interval: "{{ record.young ? 'P0D' : 'P7D' }}" })),
    comments('new_post_comments', { type: 'ParentStreamConfig', stream: { $ref: '#/definitions/posts_by_day' }, parent_key: 'id', partition_field: 'post_id', incremental_dependency: true }),
    stream(
      'post_stats',
      {
        partition_router: {
          type: 'GroupingPartitionRouter',
          group_size: 2,
          group_by: '{{ partition.parent_record.kind }}',
          underlying_partition_router: {
            type: 'SubstreamPartitionRouter',
            parent_stream_configs: [fromPosts({ request_option: { inject_into: 'request_parameter', field_name: 'id' } })],
          },
        },
        requester: requester('/stats'),
        record_selector: selector('stats'),
      },
      {
        transformations: [
          {
            type: 'AddFields',
            fields: [
              { path: ['group'], value: '{{ stream_partition.group }}' },
              { path: ['batch'], value: "{{ $join(stream_partition.post_id, ',') }}" },
              { path: ['orgs'], value: '{{ stream_partition.org }}' },
            ],
          },
        ],
      },
    ),
    stream(
      'post_metrics',
      {
        partition_router: {
          type: 'CartesianProductStreamSlicer',
          stream_slicers: [
            { type: 'SubstreamPartitionRouter', parent_stream_configs: [fromPosts()] },
            { type: 'ListPartitionRouter', partition_field: 'metric', values: ['likes', 'shares'] },
          ],
        },
        requester: requester('/metrics', { request_parameters: { post: '{{ stream_partition.post_id }}', type: '{{ stream_partition.metric }}' } }),
        record_selector: selector('metrics'),
      },
      { transformations: [{ type: 'AddFields', fields: [{ path: ['pair'], value: "{{ stream_partition.post_id & '/' & stream_partition.metric }}" }] }] },
    ),
  ];
  const whole: Manifest = {
    version: '1.0',
    definitions,
    streams,
    check: { type: 'CheckStream', stream_names: ['posts'] },
    spec: { type: 'Spec', connection_specification: { type: 'object', properties: { base_url: { type: 'string' }, token: { type: 'string' } } } },
  };
  change?.(whole);
  return writeManifest(whole, { any: SCHEMA });
}

/** The state file a next read starts from: each stream's last STATE. */
function stateFile(messages: Message[]): Message[] {
  const last = new Map<string, Message>();
  for (const message of states(messages)) last.set(message.state.stream.stream_descriptor.name as string, message.state as Message);
  return [...last.values()];
}

/** The stream_state of a stream's last STATE. */
function lastState(messages: Message[], stream: string): Message {
  const last = states(messages, stream).at(-1);
  expect(last).toBeDefined();
  return (last as Message).state.stream.stream_state as Message;
}

describe('partition routers', () => {
  let api: TestServer;
  let manifestPath: string;
  const livePosts = [...POSTS];
  beforeAll(async () => {
    api = await startApi(livePosts);
    manifestPath = manifest();
  });
  afterAll(() => api.close());

  /** Reads `streams` at `now` from `state`; the run and the paths of the requests it made. */
  async function read(streams: string[], options: { now?: number; state?: Message[]; mode?: 'full_refresh' | 'incremental' } = {}) {
    const files = writeFiles({
      'config.json': { base_url: api.url, token: 't' },
      'catalog.json': catalog(streams, options.mode ?? 'full_refresh'),
      'state.json': options.state ?? [],
    });
    const before = api.requests.length;
    const args = ['read', '--manifest', manifestPath, '--config', files['config.json'], '--catalog', files['catalog.json'], '--state', files['state.json']];
    const run = await runInProcess(args, { clock: new FakeClock(options.now ?? TEST_NOW) });
    expect({ code: run.code, stderr: run.stderr, errors: traces(run.messages, 'ERROR') }).toEqual({ code: 0, stderr: '', errors: [] });
    const requests = api.requests.slice(before);
    return { ...run, requests, urls: requests.map((request) => request.url) };
  }

  const postPages = (urls: string[]) => urls.filter((url) => /^\/orgs\/\w+\/posts/.test(url));
  const commented = (urls: string[]) => urls.map((url) => /^\/posts\/(\w+)\/comments$/.exec(url)?.[1]).filter(Boolean);

  it('three children of one parent: the parent is requested once, page by page, and every child gets every post', async () => {
    const run = await read(['comments', 'post_stats', 'post_metrics']);
    expect(postPages(run.urls).sort()).toEqual(['/orgs/o1/posts?page=1', '/orgs/o1/posts?page=2', '/orgs/o2/posts?page=1', '/orgs/o2/posts?page=2']);
    expect(records(run.messages, 'comments').map((r) => r.post).sort()).toEqual(POSTS.map((post) => post.id));
    expect(records(run.messages, 'post_stats')).toHaveLength(POSTS.length);
    expect(records(run.messages, 'post_metrics')).toHaveLength(POSTS.length * 2);
    for (const name of ['comments', 'post_stats', 'post_metrics']) expect(statusesOf(run.messages, name).at(-1)).toBe('COMPLETE');
  });

  it('the parent itself read as a stream in the same run still reads its own pages', async () => {
    const run = await read(['posts', 'comments']);
    expect(records(run.messages, 'posts')).toHaveLength(POSTS.length);
    expect(commented(run.urls).sort()).toEqual(POSTS.map((post) => post.id));
  });

  it('GroupingPartitionRouter: batches of at most group_size of one group_by key, one request each, fields as lists', async () => {
    const run = await read(['post_stats']);
    const stats = run.requests.filter((request) => request.path === '/stats').map((request) => request.query.getAll('id').join(','));
    expect(stats).toEqual(['p1,p2', 'p3', 'p4,p5', 'p6', 'p7']);
    const byId = Object.fromEntries(records(run.messages, 'post_stats').map((r) => [r.id, r]));
    expect(byId.p1).toMatchObject({ group: 'image', batch: 'p1,p2', orgs: 'o1' });
    expect(byId.p3).toMatchObject({ group: 'video', batch: 'p3', orgs: 'o1' });
    // A field the members do not share becomes the list of their values.
    expect(byId.p5).toMatchObject({ group: 'image', batch: 'p4,p5', orgs: ['o1', 'o2'] });
  });

  it('CartesianProductStreamSlicer: every post with every metric type, the fields of both in stream_partition', async () => {
    const run = await read(['post_metrics']);
    const pairs = POSTS.flatMap((post) => [`${post.id}/likes`, `${post.id}/shares`]);
    expect(records(run.messages, 'post_metrics').map((r) => r.pair)).toEqual(pairs);
    expect(run.urls.filter((url) => url.startsWith('/metrics')).sort()).toEqual(pairs.map((pair) => `/metrics?post=${pair.split('/')[0]}&type=${pair.split('/')[1]}`).sort());
  });

  it('record_filter: only the parent records it accepts make partitions', async () => {
    const run = await read(['video_comments']);
    expect(commented(run.urls)).toEqual(['p3', 'p7']);
  });

  it('refresh_interval: day 1 every post, day 2 only the young ones, day 8 every post again; deleted posts leave the state', async () => {
    const day1 = await read(['tiered_comments'], { mode: 'incremental' });
    expect(commented(day1.urls).sort()).toEqual(POSTS.map((post) => post.id));
    const stamp = new Date(TEST_NOW).toISOString();
    expect(lastState(day1.messages, 'tiered_comments').partitions_read).toEqual(
      Object.fromEntries(POSTS.map((post) => [`org=${post.org}&post_id=${post.id}`, stamp])),
    );

    const day2 = await read(['tiered_comments'], { mode: 'incremental', now: TEST_NOW + DAY_MS, state: stateFile(day1.messages) });
    expect(commented(day2.urls).sort()).toEqual(['p1', 'p2', 'p3']);
    const afterDay2 = lastState(day2.messages, 'tiered_comments').partitions_read;
    expect(afterDay2['org=o1&post_id=p1']).toBe(new Date(TEST_NOW + DAY_MS).toISOString());
    expect(afterDay2['org=o1&post_id=p4']).toBe(stamp);

    livePosts.splice(livePosts.findIndex((post) => post.id === 'p6'), 1);
    try {
      const day8 = await read(['tiered_comments'], { mode: 'incremental', now: TEST_NOW + 7 * DAY_MS, state: stateFile(day2.messages) });
      expect(commented(day8.urls).sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p7']);
      expect(Object.keys(lastState(day8.messages, 'tiered_comments').partitions_read)).not.toContain('org=o2&post_id=p6');
    } finally {
      livePosts.splice(5, 0, POSTS[5]);
    }
  });

  it('refresh_interval in a full refresh read: every post, and the times are still recorded', async () => {
    const run = await read(['tiered_comments'], { mode: 'full_refresh', state: [] });
    expect(commented(run.urls)).toHaveLength(POSTS.length);
    expect(Object.keys(lastState(run.messages, 'tiered_comments').partitions_read)).toHaveLength(POSTS.length);
  });

  it('incremental_dependency: the next read asks the parent only for what is new, and only new posts make partitions', async () => {
    const first = await read(['new_post_comments'], { mode: 'incremental' });
    expect(commented(first.urls).sort()).toEqual(POSTS.map((post) => post.id));
    const saved = lastState(first.messages, 'new_post_comments');
    expect(saved.parent_state.posts_by_day.states).toEqual([{ partition: {}, cursor: { day: day(0) } }]);

    const second = await read(['new_post_comments'], { mode: 'incremental', now: TEST_NOW + DAY_MS, state: stateFile(first.messages) });
    expect(second.urls.filter((url) => url.startsWith('/posts_by_day'))).toEqual([`/posts_by_day?since=${day(0)}&until=${day(-1)}`]);
    expect(commented(second.urls)).toEqual(['p8']);
    expect(lastState(second.messages, 'new_post_comments').parent_state.posts_by_day.states).toEqual([
      { partition: {}, cursor: { day: day(-1) } },
    ]);
  });

  it('discover: a stream whose router keeps state offers incremental, with a cursor the source defines', async () => {
    const files = writeFiles({ 'config.json': { base_url: api.url, token: 't' } });
    const run = await runInProcess(['discover', '--manifest', manifestPath, '--config', files['config.json']]);
    const entries = (run.messages.find((m) => m.type === 'CATALOG') as Message).catalog.streams as Message[];
    const entry = (name: string) => entries.find((s) => s.name === name);
    expect(entry('tiered_comments')).toMatchObject({ supported_sync_modes: ['full_refresh', 'incremental'], source_defined_cursor: true, is_resumable: true });
    expect(entry('comments')).toMatchObject({ supported_sync_modes: ['full_refresh'], is_resumable: false });
  });

  it('incremental_dependency on a parent without incremental_sync is a manifest error naming where, before any request', async () => {
    const broken = manifest((whole) => {
      whole.streams.push(
        stream('broken_comments', {
          partition_router: { type: 'SubstreamPartitionRouter', parent_stream_configs: [fromPosts({ incremental_dependency: true })] },
          requester: requester('/posts/{{ stream_partition.post_id }}/comments'),
          record_selector: selector('comments'),
        }),
      );
    });
    const files = writeFiles({ 'config.json': { base_url: api.url, token: 't' }, 'catalog.json': catalog(['comments']) });
    const before = api.requests.length;
    const run = await runInProcess(['read', '--manifest', broken, '--config', files['config.json'], '--catalog', files['catalog.json']]);
    expect(run.code).not.toBe(0);
    const [error] = traces(run.messages, 'ERROR');
    expect(error.error.message).toContain('the parent stream "posts" has no incremental_sync');
    expect(error.error.message).toMatch(/incremental_dependency \(manifest\.yaml:\d+:\d+\)/);
    expect(api.requests.length).toBe(before);
  });
});
