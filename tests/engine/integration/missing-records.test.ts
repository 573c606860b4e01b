// MissingRecordsFiller: an API that leaves out of a batch answer the ids it has nothing to report for still gives
// one record per id, built from the manifest's template, transformed like the records read; an ignored answer
// gives none.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalog, records, runInProcess, startServer, traces, writeFiles, writeManifest, type Manifest, type TestServer } from '../../helpers/index.js';

/** Ids the API knows nothing about (left out of its answers); "gone" answers 404. */
const SILENT = new Set(['b', 'd']);

function manifest(): string {
  const stats: Manifest = {
    type: 'DeclarativeStream',
    name: 'stats',
    primary_key: ['item'],
    schema_file: 'schemas/any.json',
    retriever: {
      type: 'SimpleRetriever',
      partition_router: {
        type: 'GroupingPartitionRouter',
        group_size: 3,
        underlying_partition_router: { type: 'ListPartitionRouter', partition_field: 'item', values: '{{ config.items }}' },
      },
      requester: {
        type: 'HttpRequester',
        url_base: '{{ config.base_url }}',
        path: '/stats',
        authenticator: { type: 'NoAuth' },
        request_parameters: { id: '{{ stream_partition.item }}' },
        error_handler: { type: 'ErrorHandler', response_filters: [{ type: 'HttpResponseFilter', http_codes: [404], action: 'IGNORE' }] },
      },
      record_selector: { type: 'RecordSelector', field_path: ['stats'] },
      missing_records: { type: 'MissingRecordsFiller', partition_field: 'item', record_field: 'id', record: { views: 0, note: 'none for {{ value }}' } },
    },
    transformations: [{ type: 'AddFields', fields: [{ path: ['item'], value: '{{ record.id }}' }, { path: ['batch'], value: "{{ $join(stream_partition.item, ',') }}" }] }],
  };
  return writeManifest(
    {
      version: '1.0',
      streams: [stats],
      check: { type: 'CheckStream', stream_names: ['stats'] },
      spec: { type: 'Spec', connection_specification: { type: 'object', properties: { base_url: { type: 'string' }, items: { type: 'array' } } } },
    },
    { any: { type: 'object', required: ['item'], properties: { item: { type: 'string' } } } },
  );
}

describe('MissingRecordsFiller', () => {
  let api: TestServer;
  let manifestPath: string;
  beforeAll(async () => {
    api = await startServer((request) => {
      const ids = request.query.getAll('id');
      if (ids.includes('gone')) return { status: 404, body: { message: 'no such item' } };
      return { body: { stats: ids.filter((id) => !SILENT.has(id)).map((id) => ({ id, views: 10 })) } };
    });
    manifestPath = manifest();
  });
  afterAll(() => api.close());

  async function read(items: string[]) {
    const files = writeFiles({ 'config.json': { base_url: api.url, items }, 'catalog.json': catalog(['stats']) });
    const run = await runInProcess(['read', '--manifest', manifestPath, '--config', files['config.json'], '--catalog', files['catalog.json']]);
    expect({ code: run.code, errors: traces(run.messages, 'ERROR') }).toEqual({ code: 0, errors: [] });
    return records(run.messages, 'stats');
  }

  it('each value of the batch that no record carries gets the template record, after the records read, transformed like them', async () => {
    const before = api.requests.length;
    const got = await read(['a', 'b', 'c', 'd', 'e']);
    expect(api.requests.length - before).toBe(2);
    expect(got).toEqual([
      { id: 'a', views: 10, item: 'a', batch: 'a,b,c' },
      { id: 'c', views: 10, item: 'c', batch: 'a,b,c' },
      { views: 0, note: 'none for b', id: 'b', item: 'b', batch: 'a,b,c' },
      { id: 'e', views: 10, item: 'e', batch: 'd,e' },
      { views: 0, note: 'none for d', id: 'd', item: 'd', batch: 'd,e' },
    ]);
  });

  it('an answer the error handler ignores makes no record for its values', async () => {
    expect(await read(['gone', 'b', 'a', 'c'])).toEqual([{ id: 'c', views: 10, item: 'c', batch: 'c' }]);
  });
});
