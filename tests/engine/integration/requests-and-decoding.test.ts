// Requests and response bodies over real HTTP: a loopback server answers JSON Lines, CSV and gzip, and records what
// it received (methods, form and JSON bodies, query strings exactly as sent).
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { ConnectorError } from '../../../engine/core/errors.js';
import {
  FakeClock,
  TEST_NOW,
  compile,
  listenOnLoopback,
  oneStreamManifest,
  readStream,
  receive,
  testRuntime,
  toYaml,
  type Manifest,
  type SeenRequest,
} from '../../helpers/index.js';

const LINES = '{"id":1,"name":"a"}\n{"id":2,"name":"b"}\n\n{"id":3,"name":"c"}\n';
const CSV = 'id,note\r\n1,"one, with a comma"\r\n2,"two\nlines"\r\n3,"say ""three"""\r\n';

let api: { url: string; close: () => Promise<void> };
const seen: SeenRequest[] = [];

/** Answers by path: bodies of each kind, and for /echo the request it received as one record. */
function answer(request: SeenRequest, res: http.ServerResponse): void {
  switch (request.path) {
    case '/lines':
      res.writeHead(200, { 'content-type': 'application/jsonl' }).end(LINES);
      return;
    case '/lines-gzip-encoded':
      res.writeHead(200, { 'content-type': 'application/jsonl', 'content-encoding': 'gzip' }).end(gzipSync(LINES));
      return;
    case '/export.csv.gz':
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(gzipSync(CSV));
      return;
    case '/broken-lines':
      res.writeHead(200, { 'content-type': 'application/jsonl' }).end('{"id":1}\n{"id":2}\n{"id":3,\n');
      return;
    case '/broken.csv':
      res.writeHead(200, { 'content-type': 'text/csv' }).end('id,name\n1,a\n2,b,extra\n');
      return;
    case '/echo': {
      // Two pages: the first answers the cursor c2, the page asked for with it none.
      const last = request.url.includes('c2') || request.body.includes('c2');
      const body = { elements: [{ id: seen.length, method: request.method, type: request.headers['content-type'], body: request.body }], next: last ? null : 'c2' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    default:
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ elements: [{ id: 1 }] }));
  }
}

beforeAll(async () => {
  const server = http.createServer((req, res) => {
    void receive(req).then((request) => {
      seen.push(request);
      answer(request, res);
    });
  });
  api = await listenOnLoopback(server);
});
afterAll(() => api.close());

/** Reads the one stream of a manifest with these requester, retriever and paginator fields; what arrived, and the error. */
async function read(options: { requester: Manifest; paginator?: Manifest; retriever?: Manifest; fieldPath?: string[] }) {
  const manifest = oneStreamManifest({ requester: options.requester, paginator: options.paginator, retriever: options.retriever });
  if (options.fieldPath) manifest.streams[0].retriever.record_selector.field_path = options.fieldPath;
  const clock = new FakeClock(TEST_NOW);
  const stream = compile(toYaml(manifest), testRuntime({ clock }).runtime).streams[0];
  const before = seen.length;
  let error: ConnectorError | undefined;
  let records: Record<string, unknown>[] = [];
  try {
    records = (await readStream(stream, { base: api.url, q: 'hello world', ids: ['urn:x:1', 'urn:x:2'] })).records;
  } catch (caught) {
    if (!(caught instanceof ConnectorError)) throw caught;
    error = caught;
  }
  return { records, error, requests: seen.slice(before), sleeps: clock.sleeps };
}

describe('response decoders', () => {
  it('JsonlDecoder: one record per line with field_path []', async () => {
    const run = await read({ requester: { path: '/lines', decoder: { type: 'JsonlDecoder' } }, fieldPath: [] });
    expect(run.error).toBeUndefined();
    expect(run.records).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }]);
  });

  it('an answer sent with Content-Encoding: gzip is decompressed whatever the decoder', async () => {
    const run = await read({ requester: { path: '/lines-gzip-encoded', decoder: { type: 'JsonlDecoder' } }, fieldPath: [] });
    expect(run.error).toBeUndefined();
    expect(run.records.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('GzipDecoder around CsvDecoder: a compressed CSV file, its quoted fields whole', async () => {
    const run = await read({ requester: { path: '/export.csv.gz', decoder: { type: 'GzipDecoder', decoder: { type: 'CsvDecoder' } } }, fieldPath: [] });
    expect(run.error).toBeUndefined();
    expect(run.records).toEqual([
      { id: '1', note: 'one, with a comma' },
      { id: '2', note: 'two\nlines' },
      { id: '3', note: 'say "three"' },
    ]);
  });

  it('a JSON Lines body with a broken line is retried, then is RESPONSE_INVALID naming the request and the line', async () => {
    const run = await read({
      requester: { path: '/broken-lines', decoder: { type: 'JsonlDecoder' }, error_handler: { type: 'ErrorHandler', max_attempts: 3 } },
      fieldPath: [],
    });
    expect(run.requests).toHaveLength(3);
    expect(run.sleeps).toEqual([5000, 10000]);
    expect(run.records).toEqual([]);
    expect(run.error?.code).toBe('RESPONSE_INVALID');
    expect(run.error?.message).toBe(
      'GET /broken-lines answered 200 OK with a body that is not valid JSON Lines (line 3 is not a JSON value), on all 3 attempts: the answer does not have the shape the manifest declares.',
    );
  });

  it('a CSV row with an extra field fails naming its line', async () => {
    const run = await read({ requester: { path: '/broken.csv', decoder: { type: 'CsvDecoder' } }, fieldPath: [] });
    expect(run.error?.code).toBe('RESPONSE_INVALID');
    expect(run.error?.message).toBe(
      'GET /broken.csv answered 200 OK with a body that is not valid CSV (line 3 has 3 fields, the header 2), on its only attempt: the answer does not have the shape the manifest declares.',
    );
  });

  it('the failure names the partition it was for, and nothing of it is read', async () => {
    const run = await read({
      requester: { path: '/broken.csv', decoder: { type: 'CsvDecoder' } },
      retriever: { partition_router: { type: 'ListPartitionRouter', partition_field: 'org', values: ['acme'] } },
      fieldPath: [],
    });
    expect(run.records).toEqual([]);
    expect(run.error?.message).toMatch(/^The partition \(org acme\) was not read: GET \/broken\.csv answered 200 OK with a body that is not valid CSV \(line 3 /);
  });
});

describe('request methods and bodies', () => {
  const echoed = (run: Awaited<ReturnType<typeof read>>) => run.requests.map((r) => ({ method: r.method, type: r.headers['content-type'], body: r.body }));
  const cursor = (option: Manifest) => ({ type: 'CursorPagination', cursor_value: '{{ response.next }}', page_token_option: option });

  it('PUT with a form body of templates, a list as the key repeated; the paginator adds its field to the form', async () => {
    const run = await read({
      requester: { path: '/echo', http_method: 'PUT', request_body_data: { q: '{{ config.q }}', tags: ['a', 'b&c'] } },
      paginator: cursor({ inject_into: 'body_data', field_name: 'cursor' }),
    });
    expect(run.error).toBeUndefined();
    const type = 'application/x-www-form-urlencoded';
    expect(echoed(run)).toEqual([
      { method: 'PUT', type, body: 'q=hello%20world&tags=a&tags=b%26c' },
      { method: 'PUT', type, body: 'q=hello%20world&tags=a&tags=b%26c&cursor=c2' },
    ]);
  });

  it('PATCH with a form body written as one template is sent as it is', async () => {
    const run = await read({ requester: { path: '/echo', http_method: 'PATCH', request_body_data: 'grant=x&q={{ config.q }}' }, paginator: { type: 'NoPagination' } });
    expect(echoed(run)).toEqual([{ method: 'PATCH', type: 'application/x-www-form-urlencoded', body: 'grant=x&q=hello world' }]);
  });

  it('POST with a JSON body: a field_path nests the paginator\'s value, merged with the declared objects', async () => {
    const run = await read({
      requester: { path: '/echo', http_method: 'POST', request_body_json: { query: '{{ config.q }}', page: { size: 2 } } },
      paginator: cursor({ inject_into: 'body_json', field_path: ['page', 'cursor'] }),
    });
    expect(run.error).toBeUndefined();
    expect(run.requests.map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { query: 'hello world', page: { size: 2 } },
      { query: 'hello world', page: { size: 2, cursor: 'c2' } },
    ]);
    expect(run.requests.map((r) => r.headers['content-type'])).toEqual(['application/json', 'application/json']);
  });

  it('a field_path into request parameters nests too (restli2 object)', async () => {
    const run = await read({
      requester: { path: '/echo', request_parameters: { paging: { count: 5 } }, request_parameters_encoding: 'restli2' },
      paginator: cursor({ inject_into: 'request_parameter', field_path: ['paging', 'start'] }),
    });
    expect(run.requests.map((r) => r.url)).toEqual(['/echo?paging=(count:5)', '/echo?paging=(count:5,start:c2)']);
  });

  it('an injection into the body the requester does not send is a manifest error naming the requester', async () => {
    const run = await read({
      requester: { path: '/echo', http_method: 'POST', request_body_json: { a: 1 } },
      paginator: { type: 'PageIncrement', page_size: 1, page_token_option: { inject_into: 'body_data', field_name: 'page' } },
    });
    expect(run.requests).toHaveLength(0);
    expect(run.error?.code).toBe('MANIFEST_INVALID');
    expect(run.error?.message).toMatch(/^A request option injects into body_data, but the requester at streams\[0\]\.retriever\.requester \(manifest\.yaml:\d+:\d+\) sends a JSON body/);
  });

  it('a request option with both field_name and field_path, or a header with a field_path, does not build', () => {
    const build = (option: Manifest) => () =>
      compile(toYaml(oneStreamManifest({ paginator: { type: 'CursorPagination', cursor_value: '{{ response.next }}', page_token_option: option } })), testRuntime().runtime);
    expect(build({ inject_into: 'body_json', field_name: 'a', field_path: ['a'] })).toThrow('unknown field "field_path"; expected one of: inject_into, field_name');
    expect(build({ inject_into: 'header', field_path: ['a'] })).toThrow('"header" is not allowed; expected one of: "request_parameter", "body_json", "body_data"');
  });

  it('a requester declaring both a JSON and a form body does not build', () => {
    const manifest = oneStreamManifest({ requester: { request_body_json: { a: 1 }, request_body_data: { b: 2 } } });
    expect(() => compile(toYaml(manifest), testRuntime().runtime)).toThrow(/declares both request_body_json and request_body_data/);
  });
});

describe('list parameters on the wire', () => {
  const partitions = { type: 'ListPartitionRouter', partition_field: 'ids', values: [['urn:x:1', 'urn:x:2'], ['urn:x:3'], []] };

  it('restli2: a list is List(...) with each item encoded, a list nested in an object too; an empty list is not sent', async () => {
    const run = await read({
      requester: {
        path: '/items',
        request_parameters_encoding: 'restli2',
        request_parameters: { q: 'ids', ids: '{{ stream_partition.ids }}', search: { owners: '{{ config.ids }}' } },
      },
      retriever: { partition_router: partitions },
    });
    expect(run.error).toBeUndefined();
    expect(run.requests.map((r) => r.url)).toEqual([
      '/items?q=ids&ids=List(urn%3Ax%3A1,urn%3Ax%3A2)&search=(owners:List(urn%3Ax%3A1,urn%3Ax%3A2))',
      '/items?q=ids&ids=List(urn%3Ax%3A3)&search=(owners:List(urn%3Ax%3A1,urn%3Ax%3A2))',
      '/items?q=ids&search=(owners:List(urn%3Ax%3A1,urn%3Ax%3A2))',
    ]);
  });

  it('form: a list is the parameter repeated; an empty list sends nothing', async () => {
    const run = await read({ requester: { path: '/items', request_parameters: { ids: '{{ stream_partition.ids }}' } }, retriever: { partition_router: partitions } });
    expect(run.requests.map((r) => r.url)).toEqual(['/items?ids=urn%3Ax%3A1&ids=urn%3Ax%3A2', '/items?ids=urn%3Ax%3A3', '/items']);
  });
});
