// A child stream whose partition fails while its parent is still paging: the stream ends INCOMPLETE with one TRACE
// and its final state (finished partitions keep their cursors), the other streams go on, and the process neither
// crashes nor prints a stack trace. The failure used to depend on timing, so it runs many times.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { catalog, runChild, statusesOf, traces, writeFiles, writeManifest, type Manifest } from '../../helpers/index.js';
import { startGenericApi, type GenericApi } from '../generic-api.js';
import { accessConfig, genericManifest, SCHEMAS } from '../generic-connector.js';

const RUNS = 20;

/** The generic manifest plus `item_metrics`: daily metrics per item, the items read (paged) as its parent. */
function manifestWithChild(): string {
  const manifest: Manifest = genericManifest({ pageSize: 5 });
  const metrics = manifest.streams.find((stream: Manifest) => stream.name === 'daily_metrics');
  manifest.streams.push({
    ...structuredClone(metrics),
    name: 'item_metrics',
    primary_key: ['item_id', 'day'],
    schema_file: 'schemas/item_metrics.json',
    transformations: [{ type: 'AddFields', fields: [{ path: ['item_id'], value: '{{ stream_partition.item_id }}' }] }],
    retriever: {
      ...structuredClone(metrics.retriever),
      partition_router: {
        type: 'SubstreamPartitionRouter',
        parent_stream_configs: [{ type: 'ParentStreamConfig', stream: { $ref: '#/streams/0' }, parent_key: 'id', partition_field: 'item_id' }],
      },
      requester: { ...structuredClone(metrics.retriever.requester), path: '/accounts/acme/metrics' },
    },
  });
  // A second child of the same parent declaration: the parent is read once for both.
  manifest.streams.push({ ...structuredClone(manifest.streams.at(-1)), name: 'item_metrics_b' });
  const schema = structuredClone(SCHEMAS.daily_metrics) as { properties: Record<string, unknown> };
  schema.properties.item_id = { type: 'string' };
  return writeManifest(manifest, { ...SCHEMAS, item_metrics: schema });
}

describe('a child partition failing while its parent still pages', () => {
  let api: GenericApi;
  let manifest: string;
  let files: Record<string, string>;
  beforeAll(async () => {
    api = await startGenericApi({ items: 23 });
    manifest = manifestWithChild();
    files = writeFiles({
      'config.json': accessConfig(api.apiUrl),
      'catalog.json': catalog(['item_metrics', 'accounts'], (name) => (name === 'item_metrics' ? 'incremental' : 'full_refresh')),
    });
  });
  afterAll(() => api.close());

  /** The parent's later pages come slowly, and one request of the child's first partitions is refused for good. */
  const faults = () => {
    api.clearFaults();
    api.addFault({ match: (request) => request.path === '/api/items' && request.query.get('offset') !== '0', times: Infinity, delayMs: 40 });
    let metrics = 0;
    api.addFault({ match: (request) => request.path === '/api/accounts/acme/metrics' && ++metrics === 12, status: 403 });
  };

  it(`read, ${RUNS} times: INCOMPLETE with a TRACE and a final state, the other stream COMPLETE, no crash`, async () => {
    for (let run = 0; run < RUNS; run++) {
      faults();
      const result = await runChild(['read', '--manifest', manifest, '--config', files['config.json'], '--catalog', files['catalog.json']]);
      expect({ run, code: result.code, stderr: result.stderr }).toEqual({ run, code: 1, stderr: '' });
      const errors = traces(result.messages, 'ERROR');
      expect(errors).toHaveLength(1);
      expect(errors[0].error.stream_descriptor).toEqual({ name: 'item_metrics' });
      expect(statusesOf(result.messages, 'item_metrics').at(-1)).toBe('INCOMPLETE');
      expect(statusesOf(result.messages, 'accounts').at(-1)).toBe('COMPLETE');
      // The stream's last message before its INCOMPLETE status is a STATE: what finished is kept.
      const own = result.messages.filter((m) => (m.type === 'STATE' && m.state.stream.stream_descriptor.name === 'item_metrics') || (m.type === 'TRACE' && m.trace.stream_status?.stream_descriptor.name === 'item_metrics'));
      const incomplete = own.findIndex((m) => m.type === 'TRACE' && m.trace.stream_status.status === 'INCOMPLETE');
      expect(own[incomplete - 1]?.type).toBe('STATE');
      expect(own[incomplete - 1].state.stream.stream_state.states.length).toBeGreaterThan(0);
    }
  }, 180_000);

  it('sync: exit 1 with the message and no stack trace; the finished partitions are saved', async () => {
    faults();
    const output = join(files.dir, `child-${Math.random()}.sqlite`);
    const result = await runChild(['sync', '--manifest', manifest, '--config', files['config.json'], '--output', output, '--streams', 'item_metrics,accounts']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERROR item_metrics: ');
    expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(result.stderr).not.toContain('Unhandled');
    const db = new Database(output, { readonly: true });
    const saved = db.prepare(`SELECT state FROM _connector_state WHERE stream = 'item_metrics'`).get() as { state: string } | undefined;
    db.close();
    expect(JSON.parse(saved!.state).stream.stream_state.states.length).toBeGreaterThan(0);
  });

  /** The parent's third page is refused for good (404), its earlier pages come slowly. */
  const parentFaults = () => {
    api.clearFaults();
    api.addFault({ match: (request) => request.path === '/api/items' && request.query.get('offset') === '10', times: Infinity, status: 404 });
    api.addFault({ match: (request) => request.path === '/api/items' && request.query.get('offset') !== '0', times: Infinity, delayMs: 40 });
  };

  it(`a parent failing, read ${RUNS} times: both children INCOMPLETE with a TRACE each, the parent read once, no crash`, async () => {
    const both = writeFiles({
      'catalog.json': catalog(['item_metrics', 'item_metrics_b', 'accounts'], (name) => (name === 'accounts' ? 'full_refresh' : 'incremental')),
    })['catalog.json'];
    for (let run = 0; run < RUNS; run++) {
      parentFaults();
      const before = api.requests.length;
      const result = await runChild(['read', '--manifest', manifest, '--config', files['config.json'], '--catalog', both]);
      expect({ run, code: result.code, stderr: result.stderr }).toEqual({ run, code: 1, stderr: '' });
      const parentPages = api.requests.slice(before).filter((request) => request.path === '/api/items').map((request) => request.query.get('offset'));
      expect(parentPages).toEqual(['0', '5', '10']);
      const errors = traces(result.messages, 'ERROR');
      expect(errors.map((error) => error.error.stream_descriptor.name).sort()).toEqual(['item_metrics', 'item_metrics_b']);
      for (const stream of ['item_metrics', 'item_metrics_b']) {
        expect(statusesOf(result.messages, stream)).toEqual(expect.arrayContaining(['STARTED']));
        expect(statusesOf(result.messages, stream).at(-1)).toBe('INCOMPLETE');
      }
      expect(statusesOf(result.messages, 'accounts').at(-1)).toBe('COMPLETE');
    }
  }, 180_000);

  it('sync with a parent failing: exit 1 with each child\'s message, no stack trace, the other stream saved', async () => {
    parentFaults();
    const output = join(files.dir, `parent-${Math.random()}.sqlite`);
    const result = await runChild(['sync', '--manifest', manifest, '--config', files['config.json'], '--output', output, '--streams', 'item_metrics,item_metrics_b,accounts']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERROR item_metrics: ');
    expect(result.stderr).toContain('ERROR item_metrics_b: ');
    expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(result.stderr).not.toContain('Unhandled');
    const db = new Database(output, { readonly: true });
    const saved = db.prepare(`SELECT state FROM _connector_state WHERE stream = 'accounts'`).get() as { state: string } | undefined;
    db.close();
    expect(saved).toBeDefined();
  });
});
