// `sync` reads a stream without a cursor incrementally when its partition router keeps state (refresh_interval):
// a child whose parents are not due sends no request, and the JSON Lines file keeps the rows of the earlier sync
// (it is appended to, not replaced), as the SQLite table keeps them by primary key.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DAY_MS, FakeClock, runInProcess, startServer, TEST_NOW, writeFiles, writeManifest, type Manifest, type TestServer } from '../../helpers/index.js';

const ITEMS = [
  { id: 'i1', young: true },
  { id: 'i2', young: false },
  { id: 'i3', young: false },
];

function manifest(): string {
  const requester = (path: string) => ({ type: 'HttpRequester', url_base: '{{ config.base_url }}', path, authenticator: { type: 'NoAuth' } });
  const items: Manifest = {
    type: 'DeclarativeStream',
    name: 'items',
    primary_key: ['id'],
    schema_file: 'schemas/any.json',
    retriever: { type: 'SimpleRetriever', requester: requester('/items'), record_selector: { type: 'RecordSelector', field_path: ['items'] } },
  };
  const details: Manifest = {
    type: 'DeclarativeStream',
    name: 'details',
    primary_key: ['id', 'day'],
    schema_file: 'schemas/any.json',
    retriever: {
      type: 'SimpleRetriever',
      partition_router: {
        type: 'SubstreamPartitionRouter',
        parent_stream_configs: [
          { type: 'ParentStreamConfig', stream: items, parent_key: 'id', partition_field: 'item', refresh_interval: "{{ record.young ? 'P0D' : 'P7D' }}" },
        ],
      },
      requester: requester('/details/{{ stream_partition.item }}'),
      record_selector: { type: 'RecordSelector', field_path: [] },
    },
    transformations: [{ type: 'AddFields', fields: [{ path: ['day'], value: '{{ $sync_date() }}' }] }],
  };
  return writeManifest(
    { version: '1.0', streams: [details], check: { type: 'CheckStream', stream_names: ['details'] }, spec: { type: 'Spec', connection_specification: { type: 'object' } } },
    { any: { type: 'object' } },
  );
}

describe('sync of a stream whose router keeps state', () => {
  let api: TestServer;
  let manifestPath: string;
  beforeAll(async () => {
    api = await startServer((request) => (request.path === '/items' ? { body: { items: ITEMS } } : { body: { id: request.path.split('/')[2] } }));
    manifestPath = manifest();
  });
  afterAll(() => api.close());

  async function sync(output: string, config: string, now: number) {
    const before = api.requests.length;
    const run = await runInProcess(['sync', '--manifest', manifestPath, '--config', config, '--output', output], { clock: new FakeClock(now), stderr: { write: () => true } });
    expect(run.code).toBe(0);
    return api.requests.slice(before).filter((request) => request.path.startsWith('/details/')).map((request) => request.path.split('/')[2]);
  }

  const day = (offset: number) => new Date(TEST_NOW + offset * DAY_MS).toISOString().slice(0, 10);

  it('JSON Lines: the next day only the due parents are read, and the earlier rows stay', async () => {
    const files = writeFiles({ 'config.json': { base_url: api.url } });
    const folder = join(files.dir, 'out');
    expect((await sync(folder, files['config.json'], TEST_NOW)).sort()).toEqual(['i1', 'i2', 'i3']);
    expect(await sync(folder, files['config.json'], TEST_NOW + DAY_MS)).toEqual(['i1']);
    const rows = readFileSync(join(folder, 'details.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => `${String(row.id)} ${String(row.day)}`).sort()).toEqual([`i1 ${day(0)}`, `i1 ${day(1)}`, `i2 ${day(0)}`, `i3 ${day(0)}`]);
  });

  it('SQLite: the same, the rows kept by primary key', async () => {
    const files = writeFiles({ 'config.json': { base_url: api.url } });
    const database = join(files.dir, 'out.sqlite');
    expect((await sync(database, files['config.json'], TEST_NOW)).sort()).toEqual(['i1', 'i2', 'i3']);
    expect(await sync(database, files['config.json'], TEST_NOW + DAY_MS)).toEqual(['i1']);
    expect((await sync(database, files['config.json'], TEST_NOW + 7 * DAY_MS)).sort()).toEqual(['i1', 'i2', 'i3']);
    const db = new Database(database, { readonly: true });
    try {
      expect((db.prepare('SELECT COUNT(*) AS n FROM details').get() as { n: number }).n).toBe(3 + 1 + 3);
    } finally {
      db.close();
    }
  });
});
