// FallbackPartitionRouter over HTTP (the CLI in this process): the partitions the config lists, with no request to
// find them; without a list, those found in another stream's records (paged, filtered, deduplicated), named by
// check; none found is a config error naming the stream looked in.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { catalog, runInProcess, runInProcessText, startServer, traces, writeFiles, writeManifest, type Manifest, type TestServer } from '../../helpers/index.js';

interface Membership {
  account: string;
  role: string;
  state: string;
}

/** The memberships of the API's user: only approved ADMIN ones give partitions; `a` appears twice. */
const MEMBERSHIPS: Membership[] = [
  { account: 'a', role: 'ADMIN', state: 'APPROVED' },
  { account: 'b', role: 'VIEWER', state: 'APPROVED' },
  { account: 'c', role: 'ADMIN', state: 'PENDING' },
  { account: 'd', role: 'ADMIN', state: 'APPROVED' },
  { account: 'a', role: 'ADMIN', state: 'APPROVED' },
];
const views = (account: string) => account.charCodeAt(0) * 10;

let memberships = MEMBERSHIPS;
let server: TestServer;

beforeAll(async () => {
  server = await startServer((request) => {
    if (request.path === '/memberships') {
      const offset = Number(request.query.get('after') ?? '0');
      const limit = Number(request.query.get('limit'));
      if (!(limit >= 1 && limit <= 2)) return { status: 400, body: { error: 'limit must be 1 or 2' } };
      const next = offset + limit < memberships.length ? String(offset + limit) : null;
      return { body: { elements: memberships.slice(offset, offset + limit), next } };
    }
    const stats = /^\/accounts\/([^/]+)\/stats$/.exec(request.path);
    if (stats) return { body: { elements: [{ id: stats[1], views: views(stats[1]) }] } };
    return { status: 404, body: { error: `no route ${request.path}` } };
  });
});
afterAll(() => server.close());
beforeEach(() => {
  memberships = MEMBERSHIPS;
});

const requester = (path: string) => ({ type: 'HttpRequester', url_base: '{{ config.base }}', path, authenticator: { type: 'NoAuth' } });

/** Where partitions are found without a list: approved ADMIN memberships, two a page. */
const membershipsStream = {
  type: 'DeclarativeStream',
  name: 'memberships',
  primary_key: ['account'],
  schema_file: 'schemas/memberships.json',
  retriever: {
    type: 'SimpleRetriever',
    requester: requester('/memberships'),
    record_selector: { type: 'RecordSelector', field_path: ['elements'], record_filter: "{{ record.role = 'ADMIN' and record.state = 'APPROVED' }}" },
    // Paged by the API's own cursor: a page the filter shortens is not the last one.
    paginator: {
      type: 'CursorPagination',
      cursor_value: '{{ response.next }}',
      page_size: 2,
      page_token_option: { inject_into: 'request_parameter', field_name: 'after' },
      page_size_option: { inject_into: 'request_parameter', field_name: 'limit' },
    },
  },
};

/** The router under test; its fallback reads the memberships stream's `account` of each record. */
const partitionRouter = {
  type: 'FallbackPartitionRouter',
  list: { type: 'ListPartitionRouter', partition_field: 'account_id', values: "{{ $split(config.account_ids, ',').$trim($) }}" },
  fallback: { type: 'SubstreamPartitionRouter', parent_stream: membershipsStream, parent_key: 'account', partition_field: 'account_id' },
};

const manifest: Manifest = {
  version: '1.0',
  streams: [
    membershipsStream,
    {
      type: 'DeclarativeStream',
      name: 'stats',
      primary_key: ['id'],
      schema_file: 'schemas/stats.json',
      retriever: {
        type: 'SimpleRetriever',
        partition_router: partitionRouter,
        requester: requester('/accounts/{{ stream_partition.account_id }}/stats'),
        record_selector: { type: 'RecordSelector', field_path: ['elements'] },
      },
    },
  ],
  check: { type: 'CheckStream', stream_names: ['stats'] },
  spec: {
    type: 'Spec',
    connection_specification: { type: 'object', required: ['base'], properties: { base: { type: 'string' }, account_ids: { type: 'string' } } },
  },
};

const manifestPath = writeManifest(manifest, {
  memberships: { type: 'object', properties: { account: { type: 'string' }, role: { type: 'string' }, state: { type: 'string' } } },
  stats: { type: 'object', properties: { id: { type: 'string' }, views: { type: 'integer' } } },
});

async function run(command: 'read' | 'check', config: Record<string, unknown>) {
  const files = writeFiles({ 'config.json': { base: server.url, ...config }, 'catalog.json': catalog(['stats']) });
  const before = server.requests.length;
  const args = ['--manifest', manifestPath, '--config', files['config.json'], ...(command === 'read' ? ['--catalog', files['catalog.json']] : [])];
  const result = await runInProcess([command, ...args]);
  return { ...result, paths: server.requests.slice(before).map((request) => request.url) };
}

const statsRecords = (messages: Record<string, any>[]) => messages.filter((m) => m.type === 'RECORD').map((m) => m.record.data as { id: string });

describe('FallbackPartitionRouter', () => {
  it('with ids in the config, those are the partitions: no request to find them', async () => {
    const result = await run('read', { account_ids: 'b, c' });
    expect(result.code).toBe(0);
    expect(result.paths.sort()).toEqual(['/accounts/b/stats', '/accounts/c/stats']);
    expect(statsRecords(result.messages)).toEqual(expect.arrayContaining([{ id: 'b', views: views('b') }, { id: 'c', views: views('c') }]));
  });

  it('without ids (absent or empty), the partitions are the filtered records of the discovery stream, every page read, each once', async () => {
    for (const config of [{}, { account_ids: '' }]) {
      const result = await run('read', config);
      expect(result.code).toBe(0);
      expect(result.paths.filter((path) => path.startsWith('/memberships'))).toEqual([
        '/memberships?limit=2',
        '/memberships?after=2&limit=2',
        '/memberships?after=4&limit=2',
      ]);
      // a (twice a member) once; b (not an admin) and c (not approved) not at all.
      expect(result.paths.filter((path) => path.startsWith('/accounts')).sort()).toEqual(['/accounts/a/stats', '/accounts/d/stats']);
      expect(statsRecords(result.messages).sort((x, y) => x.id.localeCompare(y.id))).toEqual([
        { id: 'a', views: views('a') },
        { id: 'd', views: views('d') },
      ]);
    }
  });

  it('check names the partitions it found; with ids listed it sends none to find them', async () => {
    const found = await run('check', {});
    expect(found.messages.at(-1)).toEqual({
      type: 'CONNECTION_STATUS',
      connectionStatus: { status: 'SUCCEEDED', message: 'Found 2 partitions in stream "memberships": a, d.' },
    });
    const listed = await run('check', { account_ids: 'a' });
    expect(listed.messages.at(-1)).toEqual({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } });
    expect(listed.paths).toEqual(['/accounts/a/stats']);
  });

  it('none found: check fails with a config error naming the discovery stream, and so does a read', async () => {
    memberships = MEMBERSHIPS.filter((membership) => membership.role !== 'ADMIN' || membership.state !== 'APPROVED');
    const checked = await run('check', {});
    const status = checked.messages.at(-1)!.connectionStatus as { status: string; message: string };
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/^No partitions found: the config lists none \(streams\[1\]\.retriever\.partition_router\.list\.values .*\), and stream "memberships" .* gave none either\./);
    const read = await run('read', {});
    expect(read.code).toBe(1);
    const errors = traces(read.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('config_error');
    expect(errors[0].error.message).toMatch(/No partitions found: .*stream "memberships"/);
    expect(read.paths.filter((path) => path.startsWith('/accounts'))).toEqual([]);
  });

  it('validate: listed partitions are counted exactly; found ones make the count "at least"', async () => {
    const validate = async (config: Record<string, unknown>) => {
      const files = writeFiles({ 'config.json': { base: server.url, ...config } });
      const before = server.requests.length;
      const result = await runInProcessText(['validate', '--manifest', manifestPath, '--config', files['config.json'], '--streams', 'stats']);
      expect(server.requests.length).toBe(before);
      return result.stdout.split('\n').find((line) => line.startsWith('stats: '));
    };
    expect(await validate({ account_ids: 'a, b, c' })).toBe('stats: 3 requests (3 partitions x 1 slice); the first request of each partition and slice:');
    expect(await validate({})).toMatch(/^stats: at least 1 request \(1 partition x 1 slice; its partitions are found by requests/);
  });
});
