// An answer keyed by id, read through the CLI (in this process, fake clock) from the generic API's batch endpoint:
// records taken with a "*" path and given their key, the ids it reports as errors logged as WARNs while the stream
// completes, a RecordFilter, KeysToSnakeCase and FlattenFields; and a CompositeErrorHandler in front of the shared
// one, waiting out a 429 until the epoch time of its reset header (WaitUntilTimeFromHeader).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { catalog, FakeClock, logs, records, runInProcess, statusesOf, TEST_NOW, traces, writeFiles, writeManifest, type Manifest } from '../../helpers/index.js';
import { startGenericApi, type GenericApi } from '../generic-api.js';
import { accessConfig, genericManifest, SCHEMAS } from '../generic-connector.js';

const clock = new FakeClock(TEST_NOW);
let api: GenericApi;
beforeAll(async () => {
  api = await startGenericApi({ now: () => clock.now() });
});
afterAll(() => api.close());
beforeEach(() => {
  api.clearFaults();
  clock.set(TEST_NOW);
  clock.sleeps.length = 0;
});

const BATCH_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { id: { type: 'string' }, item_name: { type: 'string' }, main_color: { type: 'string' } },
};

/** The generic manifest with a stream `items_batch` reading ids 1, 2, 99, 3 and x1 in one request. */
function batchManifest(errorHandler?: Manifest): string {
  const manifest = genericManifest();
  manifest.streams.push({
    type: 'DeclarativeStream',
    name: 'items_batch',
    primary_key: ['id'],
    schema_file: 'schemas/items_batch.json',
    retriever: {
      type: 'SimpleRetriever',
      // The shared requester, copied rather than referenced: keys beside a $ref are merged into the referenced ones.
      requester: {
        ...(manifest.definitions.requester as Manifest),
        path: '/items/batch',
        request_parameters: { ids: '1,2,99,3,x1' },
        ...(errorHandler ? { error_handler: errorHandler } : {}),
      },
      record_selector: {
        type: 'RecordSelector',
        field_path: ['results', '*'],
        key_field: 'id',
        error_path: ['errors'],
        error_message: '{{ error.message }} ({{ error.code }})',
        record_filter: { type: 'RecordFilter', condition: "{{ record.colorInfo.mainColor != 'green' }}" },
      },
    },
    transformations: [{ type: 'KeysToSnakeCase' }, { type: 'FlattenFields' }],
  });
  return writeManifest(manifest, { ...SCHEMAS, items_batch: BATCH_SCHEMA });
}

async function read(manifest: string) {
  const files = writeFiles({ 'config.json': accessConfig(api.apiUrl), 'catalog.json': catalog(['items_batch']) });
  const before = api.requests.length;
  const run = await runInProcess(['read', '--manifest', manifest, '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
  return { ...run, requests: api.requests.slice(before) };
}

const warnings = (run: Awaited<ReturnType<typeof read>>) => logs(run.messages).filter((log) => log.level === 'WARN').map((log) => log.message);

describe('an answer keyed by id', () => {
  it('each found id is a record with its id, the missing ones WARNs, and the stream completes', async () => {
    const run = await read(batchManifest());
    expect(run.code).toBe(0);
    expect(run.requests.map((request) => request.url)).toEqual(['/api/items/batch?ids=1%2C2%2C99%2C3%2Cx1']);
    // Item 2 is green: the filter drops it.
    expect(records(run.messages, 'items_batch')).toEqual([
      { id: '1', item_name: 'item-1', main_color: 'red' },
      { id: '3', item_name: 'item-3', main_color: 'blue' },
    ]);
    expect(warnings(run)).toEqual([
      'Stream "items_batch": the answer reports an error for key "99" (at "errors"): no item 99 (not_found)',
      'Stream "items_batch": the answer reports an error for key "x1" (at "errors"): no item x1 (not_found)',
    ]);
    expect(traces(run.messages, 'ERROR')).toEqual([]);
    expect(statusesOf(run.messages, 'items_batch').at(-1)).toBe('COMPLETE');
  });
});

describe('a CompositeErrorHandler in front of the shared error handler', () => {
  const composite = {
    type: 'CompositeErrorHandler',
    error_handlers: [
      {
        type: 'ErrorHandler',
        max_attempts: 3,
        response_filters: [{ type: 'HttpResponseFilter', http_codes: [429], action: 'RATE_LIMITED' }],
        backoff_strategies: [{ type: 'WaitUntilTimeFromHeader', header: 'X-RateLimit-Reset', min_wait: 1 }],
      },
      { $ref: '#/definitions/error_handler' },
    ],
  };

  it('a 429 waits until the reset time its header gives, on the clock, then the read goes on', async () => {
    api.addFault({ match: '/api/items/batch', status: 429, headers: { 'X-RateLimit-Reset': String(TEST_NOW / 1000 + 75) } });
    const run = await read(batchManifest(composite));
    expect(run.code).toBe(0);
    expect(clock.sleeps).toEqual([75_000]);
    expect(run.requests).toHaveLength(2);
    expect(records(run.messages, 'items_batch')).toHaveLength(2);
  });

  it('a reset time already past waits min_wait', async () => {
    api.addFault({ match: '/api/items/batch', status: 429, headers: { 'X-RateLimit-Reset': String(TEST_NOW / 1000 - 600) } });
    const run = await read(batchManifest(composite));
    expect(run.code).toBe(0);
    expect(clock.sleeps).toEqual([1_000]);
  });

  it('what the first handler has no filter for, the shared handler decides: a 401 is its config error, never retried', async () => {
    api.addFault({ match: '/api/items/batch', status: 401, body: { error: 'invalid_token' } });
    const run = await read(batchManifest(composite));
    expect(run.code).toBe(1);
    expect(run.requests).toHaveLength(1);
    const [error] = traces(run.messages, 'ERROR');
    expect(error.error.failure_type).toBe('config_error');
    expect(error.error.message).toContain('The API refused the credentials (invalid_token)');
  });
});
