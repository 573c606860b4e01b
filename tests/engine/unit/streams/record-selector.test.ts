// The record selector over real HTTP: `*` steps in field_path, records keyed by id (key_field), per-key errors
// logged (error_path), and RecordFilter as a component or a bare condition.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compile, oneStreamManifest, readStream, rejection, startServer, testRuntime, thrown, type Manifest, type TestServer } from '../../../helpers/index.js';

let server: TestServer;
/** What the server answers next, whatever the request. */
let body: unknown;
beforeAll(async () => {
  server = await startServer(() => ({ body }));
});
afterAll(() => server.close());

function manifestWith(selector: Manifest, stream: Manifest = {}): Manifest {
  const manifest = oneStreamManifest({
    stream,
    retriever: { partition_router: { type: 'ListPartitionRouter', partition_field: 'org', values: ['o1'] } },
  });
  manifest.streams[0].retriever.record_selector = { type: 'RecordSelector', ...selector };
  return manifest;
}

async function read(selector: Manifest, answer: unknown, stream: Manifest = {}, state?: unknown) {
  body = answer;
  const test = testRuntime();
  const connector = compile(manifestWith(selector, stream), test.runtime);
  const before = server.requests.length;
  const result = await readStream(connector.streams[0], { base: server.url, wanted: 'yes' }, state === undefined ? {} : { state, incremental: true });
  return { records: result.records, requests: server.requests.length - before, warnings: test.logs.filter((log) => log.level === 'WARN').map((log) => log.message) };
}

describe('field_path with "*"', () => {
  it('takes every item of a list and every value of an object, lists reached giving their items, in the body\'s order', async () => {
    const answer = {
      data: [
        { items: [{ id: 1 }, { id: 2 }] },
        { items: { id: 3 } },
        { other: 'no items here' },
        { items: [] },
      ],
    };
    expect((await read({ field_path: ['data', '*', 'items'] }, answer)).records).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const byKey = { groups: { b: { members: [{ id: 'b1' }] }, a: { members: [{ id: 'a1' }, { id: 'a2' }] } } };
    expect((await read({ field_path: ['groups', '*', 'members', '*'] }, byKey)).records).toEqual([{ id: 'b1' }, { id: 'a1' }, { id: 'a2' }]);
  });

  it('a step naming a key the body lacks gives no records, in one request, not a failure', async () => {
    const result = await read({ field_path: ['data', '*', 'items'] }, { total: 0 });
    expect(result).toEqual({ records: [], requests: 1, warnings: [] });
    expect((await read({ field_path: ['results', '*'] }, { results: {} })).records).toEqual([]);
  });

  it('a value it reaches that is not a JSON object is a response without the declared shape', async () => {
    const error = await rejection(read({ field_path: ['results', '*'] }, { results: { a: { id: 'a' }, b: 5 } }));
    expect(error.code).toBe('RESPONSE_INVALID');
    expect(error.internalMessage).toContain('with records at "results.*" (key "b") holding a value that is not a JSON object but 5');
  });

  it('a path without "*" still requires a list there: an answer without it fails rather than reading nothing', async () => {
    const error = await rejection(read({ field_path: ['data'] }, { total: 0 }));
    expect(error.code).toBe('RESPONSE_INVALID');
    expect(error.internalMessage).toContain('without a list at "data" (no such field)');
  });
});

describe('records keyed by id', () => {
  const answer = {
    results: { a1: { name: 'first' }, a2: { id: 'own', name: 'second' }, a3: { id: null, name: 'third' } },
    statuses: { a1: 200, a2: 200, a3: 200, a4: 404, a5: 500 },
    errors: { a4: { code: 'not_found', message: 'no such id' }, a5: { code: 'internal', message: 'try later' } },
  };

  it('key_field gives each record its key, unless it has the field with a value', async () => {
    const result = await read({ field_path: ['results', '*'], key_field: 'id' }, answer);
    expect(result.records).toEqual([
      { id: 'a1', name: 'first' },
      { id: 'own', name: 'second' },
      { id: 'a3', name: 'third' },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('error_path: each error is one WARN naming the stream and the key, and the stream goes on', async () => {
    const result = await read({ field_path: ['results', '*'], key_field: 'id', error_path: ['errors'] }, answer);
    expect(result.records).toHaveLength(3);
    expect(result.warnings).toEqual([
      'Stream "items": the answer reports an error for key "a4" (at "errors"): {"code":"not_found","message":"no such id"}',
      'Stream "items": the answer reports an error for key "a5" (at "errors"): {"code":"internal","message":"try later"}',
    ]);
  });

  it('error_message words each WARN, over key, error and the page context', async () => {
    const selector = { field_path: ['results', '*'], key_field: 'id', error_path: ['errors'], error_message: '{{ key }} of {{ stream_partition.org }}: {{ error.message }}' };
    expect((await read(selector, answer)).warnings).toEqual([
      'Stream "items": the answer reports an error for key "a4" (at "errors"): a4 of o1: no such id',
      'Stream "items": the answer reports an error for key "a5" (at "errors"): a5 of o1: try later',
    ]);
  });

  it('a list of errors is keyed by their key_field, else by position', async () => {
    const listed = { results: {}, errors: [{ id: 'x9', message: 'gone' }, { message: 'no id' }] };
    expect((await read({ field_path: ['results', '*'], key_field: 'id', error_path: ['errors'] }, listed)).warnings).toEqual([
      'Stream "items": the answer reports an error for key "x9" (at "errors"): {"id":"x9","message":"gone"}',
      'Stream "items": the answer reports an error for key "1" (at "errors"): {"message":"no id"}',
    ]);
  });

  it.each([
    ['empty', { results: { a1: {} }, errors: {} }],
    ['an empty list', { results: { a1: {} }, errors: [] }],
    ['null', { results: { a1: {} }, errors: null }],
    ['missing', { results: { a1: {} } }],
  ])('errors %s: nothing is logged', async (_name, errorless) => {
    const result = await read({ field_path: ['results', '*'], key_field: 'id', error_path: ['errors'] }, errorless);
    expect(result).toEqual({ records: [{ id: 'a1' }], requests: 1, warnings: [] });
  });

  it('key_field with a field_path that does not end with "*" is a manifest error naming where', () => {
    const error = thrown(() => compile(manifestWith({ field_path: ['results'], key_field: 'id' })));
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toMatch(/^key_field at streams\[0\]\.retriever\.record_selector\.key_field \(manifest\.yaml:\d+:\d+\)/);
  });

  it('error_message without error_path is a manifest error', () => {
    const error = thrown(() => compile(manifestWith({ field_path: ['results', '*'], error_message: '{{ key }}' })));
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toContain('there is no error_path');
  });
});

describe('record_filter', () => {
  const answer = { elements: [{ id: 1, org: 'o1', keep: true }, { id: 2, org: 'o2', keep: true }, { id: 3, org: 'o1', keep: false }] };
  const condition = "{{ record.keep and record.org = stream_partition.org and config.wanted = 'yes' }}";

  it('as a RecordFilter component: keeps the records its condition holds for, over record, partition and config', async () => {
    const result = await read({ field_path: ['elements'], record_filter: { type: 'RecordFilter', condition } }, answer);
    expect(result.records).toEqual([{ id: 1, org: 'o1', keep: true }]);
  });

  it('as a bare condition, as before', async () => {
    expect((await read({ field_path: ['elements'], record_filter: condition }, answer)).records).toEqual([{ id: 1, org: 'o1', keep: true }]);
  });

  it('the condition sees the slice and the state too', async () => {
    const stream = {
      incremental_sync: { type: 'DatetimeBasedCursor', cursor_field: 'day', cursor_datetime_format: 'date', start_datetime: '2026-01-01', end_datetime: '2026-01-03', step: 'P2D' },
    };
    const days = { elements: [{ id: 1, day: '2026-01-02' }, { id: 2, day: '2026-01-03' }, { id: 3, day: '2025-12-31' }] };
    const filter = { type: 'RecordFilter', condition: '{{ record.day >= stream_slice.start_time and record.day != stream_state.day }}' };
    const state = { states: [{ partition: { org: 'o1' }, cursor: { day: '2026-01-02' } }], granularity: 'P1D' };
    expect((await read({ field_path: ['elements'], record_filter: filter }, days, stream, state)).records).toEqual([{ id: 2, day: '2026-01-03' }]);
  });

  it('an empty condition keeps every record', async () => {
    expect((await read({ field_path: ['elements'], record_filter: { type: 'RecordFilter' } }, answer)).records).toHaveLength(3);
  });

  it('a condition that does not compile fails at load, naming where it is written', () => {
    const error = thrown(() => compile(manifestWith({ field_path: ['elements'], record_filter: { type: 'RecordFilter', condition: '{{ record.( }}' } })));
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toContain('record_filter.condition');
  });
});
