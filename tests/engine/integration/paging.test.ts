// Paging and substreams through the CLI (in this process) against the generic API: each paginator reads every
// item once and stops at the right request, also on an exact multiple of the page size and on an empty collection;
// a child stream reads one partition per parent record and sees that record.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalog, expectCompleteStream, FakeClock, records, runInProcess, TEST_NOW, traces, writeFiles, type Manifest } from '../../helpers/index.js';
import { expectedAccount, expectedItems, expectedProjects, startGenericApi, type GenericApi } from '../generic-api.js';
import { accessConfig, genericManifest, writeGenericManifest } from '../generic-connector.js';

const ITEM_STREAMS = ['items_by_offset', 'items_by_page', 'items_by_cursor'];

/** Reads `streams` with the manifest at `manifest`; returns the run and the API requests it made. */
async function read(api: GenericApi, manifest: string, streams: string[]) {
  const files = writeFiles({ 'config.json': accessConfig(api.apiUrl), 'catalog.json': catalog(streams) });
  const before = api.requests.length;
  const run = await runInProcess(['read', '--manifest', manifest, '--config', files['config.json'], '--catalog', files['catalog.json']], {
    clock: new FakeClock(TEST_NOW),
  });
  expect({ code: run.code, stderr: run.stderr, errors: traces(run.messages, 'ERROR') }).toEqual({ code: 0, stderr: '', errors: [] });
  return { ...run, urls: api.requests.slice(before).map((r) => r.url) };
}

/** The API with `items` items, and the generic manifest with page size `pageSize`. */
async function setup(items: number, pageSize = 5, change?: (manifest: Manifest) => void) {
  const api = await startGenericApi({ items, projects: { initech: 0 } });
  const manifest = genericManifest({ pageSize });
  change?.(manifest);
  return { api, manifest: writeGenericManifest(manifest) };
}

describe('paginators end where the data ends', () => {
  let api: GenericApi;
  let manifest: string;
  beforeAll(async () => ({ api, manifest } = await setup(23)));
  afterAll(() => api.close());

  it('OffsetIncrement: offsets by the page size until the total is reached, no request beyond it', async () => {
    const run = await read(api, manifest, ['items_by_offset']);
    expect(run.urls).toEqual([0, 5, 10, 15, 20].map((offset) => `/api/items?offset=${offset}&limit=5`));
    expect(records(run.messages)).toEqual(expectedItems(23));
    expectCompleteStream(run.messages, 'items_by_offset');
  });

  it('PageIncrement: page numbers from 1 until a page shorter than the page size', async () => {
    const run = await read(api, manifest, ['items_by_page']);
    expect(run.urls).toEqual([1, 2, 3, 4, 5].map((page) => `/api/items/pages?page=${page}&per_page=5`));
    expect(records(run.messages)).toEqual(expectedItems(23));
  });

  it('CursorPagination: the token the API returned, until it returns none', async () => {
    const run = await read(api, manifest, ['items_by_cursor']);
    const cursors = run.urls.map((url) => new URL(url, api.url).searchParams.get('cursor'));
    expect(run.urls).toHaveLength(5);
    expect(cursors[0]).toBeNull();
    // Each later request carries the next_cursor of the answer before it.
    const answered = api.requests.filter((r) => r.path === '/api/items/feed').slice(-5);
    for (let i = 1; i < answered.length; i++) expect(answered[i].query.get('cursor')).not.toBeNull();
    expect(new Set(cursors.slice(1)).size).toBe(4);
    expect(records(run.messages)).toEqual(expectedItems(23));
  });

  it('the three paginators read the same items, each exactly once', async () => {
    const run = await read(api, manifest, ITEM_STREAMS);
    for (const stream of ITEM_STREAMS) {
      const ids = records(run.messages, stream).map((item) => item.id);
      expect(ids).toEqual(expectedItems(23).map((item) => item.id));
    }
  });
});

describe('edge sizes', () => {
  it('an exact multiple of the page size: offset and cursor stop after the last full page, page number on an empty page', async () => {
    const { api, manifest } = await setup(20);
    try {
      const run = await read(api, manifest, ITEM_STREAMS);
      for (const stream of ITEM_STREAMS) expect(records(run.messages, stream)).toEqual(expectedItems(20));
      expect(run.urls.filter((url) => url.startsWith('/api/items?'))).toHaveLength(4);
      expect(run.urls.filter((url) => url.startsWith('/api/items/feed'))).toHaveLength(4);
      expect(run.urls.filter((url) => url.startsWith('/api/items/pages'))).toEqual([1, 2, 3, 4, 5].map((page) => `/api/items/pages?page=${page}&per_page=5`));
    } finally {
      await api.close();
    }
  });

  it('an empty collection: one request each, no record, the stream complete', async () => {
    const { api, manifest } = await setup(0);
    try {
      const run = await read(api, manifest, ITEM_STREAMS);
      expect(run.urls).toHaveLength(3);
      expect(records(run.messages)).toEqual([]);
      for (const stream of ITEM_STREAMS) expectCompleteStream(run.messages, stream, false);
    } finally {
      await api.close();
    }
  });

  it('one page holds everything: a single request', async () => {
    const { api, manifest } = await setup(23, 50);
    try {
      const run = await read(api, manifest, ['items_by_offset', 'items_by_page']);
      expect(run.urls).toEqual(['/api/items?offset=0&limit=50', '/api/items/pages?page=1&per_page=50']);
      expect(records(run.messages, 'items_by_page')).toEqual(expectedItems(23));
    } finally {
      await api.close();
    }
  });
});

describe('a record_filter does not change where the next page starts', () => {
  it('OffsetIncrement and PageIncrement: every page is read, the filter keeps what it accepts of each', async () => {
    // Items with an even id only; pages of 5 of 23 items, so most pages keep fewer records than they held.
    const { api, manifest } = await setup(23, 5, (manifest) => {
      for (const stream of manifest.streams.slice(0, 2)) stream.retriever.record_selector.record_filter = '{{ record.id % 2 = 0 }}';
    });
    try {
      const run = await read(api, manifest, ['items_by_offset', 'items_by_page']);
      const even = expectedItems(23).filter((item) => item.id % 2 === 0);
      expect(run.urls.filter((url) => url.startsWith('/api/items?'))).toEqual([0, 5, 10, 15, 20].map((offset) => `/api/items?offset=${offset}&limit=5`));
      expect(run.urls.filter((url) => url.startsWith('/api/items/pages'))).toEqual([1, 2, 3, 4, 5].map((page) => `/api/items/pages?page=${page}&per_page=5`));
      expect(records(run.messages, 'items_by_offset')).toEqual(even);
      expect(records(run.messages, 'items_by_page')).toEqual(even);
    } finally {
      await api.close();
    }
  });
});

describe('substream partitions', () => {
  let api: GenericApi;
  let manifest: string;
  beforeAll(async () => ({ api, manifest } = await setup(23)));
  afterAll(() => api.close());

  it('reads the parent once, then one partition per parent record, each record seeing its parent', async () => {
    const run = await read(api, manifest, ['projects']);
    expect(run.urls).toEqual(['/api/accounts', '/api/accounts/acme/projects', '/api/accounts/globex/projects', '/api/accounts/initech/projects']);
    const expected = ['acme', 'globex'].flatMap((account) =>
      expectedProjects(account, 2).map((project) => ({ ...project, account_name: expectedAccount(account).name })),
    );
    expect(records(run.messages, 'projects')).toEqual(expected);
    // The parent is read for its keys only: its records are not emitted under the child's name or its own.
    expect(records(run.messages, 'accounts')).toEqual([]);
    expectCompleteStream(run.messages, 'projects');
  });

  it('a parent and its child read in one run each read the parent, and the child still gets every partition', async () => {
    const run = await read(api, manifest, ['accounts', 'projects']);
    expect(records(run.messages, 'accounts')).toEqual(['acme', 'globex', 'initech'].map(expectedAccount));
    expect(records(run.messages, 'projects').map((p) => p.id)).toEqual(['acme-p1', 'acme-p2', 'globex-p1', 'globex-p2']);
    expect(run.urls.filter((url) => url.endsWith('/projects'))).toHaveLength(3);
  });

  it('a parent that pages: every parent record of every page becomes a partition', async () => {
    const paged = await setup(7, 3, (manifest) => {
      // The child's parent is the items stream (three pages of three); one request per item.
      const child = manifest.streams[4];
      child.retriever.partition_router = { type: 'SubstreamPartitionRouter', parent_stream: { $ref: '#/streams/0' }, parent_key: 'id', partition_field: 'item' };
      child.retriever.requester.path = '/items/pages';
      child.retriever.requester.request_parameters = { page: '{{ stream_partition.item }}', per_page: 1 };
      child.retriever.record_selector.field_path = ['items'];
      child.transformations = [{ type: 'AddFields', fields: [{ path: ['parent_name'], value: '{{ stream_partition.parent_record.name }}' }] }];
    });
    try {
      const run = await read(paged.api, paged.manifest, ['projects']);
      expect(run.urls.filter((url) => url.startsWith('/api/items?'))).toEqual(['/api/items?offset=0&limit=3', '/api/items?offset=3&limit=3', '/api/items?offset=6&limit=3']);
      expect(run.urls.filter((url) => url.startsWith('/api/items/pages'))).toEqual(expectedItems(7).map((item) => `/api/items/pages?page=${item.id}&per_page=1`));
      expect(records(run.messages, 'projects')).toEqual(expectedItems(7).map((item) => ({ ...item, parent_name: item.name })));
    } finally {
      await paged.api.close();
    }
  });
});
