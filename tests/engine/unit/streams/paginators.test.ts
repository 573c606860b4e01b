import { describe, it, expect, afterEach } from '@jest/globals';
import { ConnectorError } from '../../../../engine/core/errors.js';
import {
  compile,
  lineOf,
  oneStreamManifest,
  readStream,
  startServer,
  testRuntime,
  toYaml,
  type Manifest,
  type ReadResult,
  type Reply,
  type SeenRequest,
  type TestServer,
} from '../../../helpers/index.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ids = (count: number, from = 0) => Array.from({ length: count }, (_, i) => ({ id: from + i }));

/** Compiles a one-stream manifest with `paginator` (and extra requester fields) and reads it against `handler`. */
async function readWith(
  paginator: Manifest,
  handler: (request: SeenRequest, index: number) => Reply,
  options: { requester?: Manifest; urlPath?: string } = {},
): Promise<{ result?: ReadResult; error?: ConnectorError; urls: string[]; requests: SeenRequest[]; text: string }> {
  server = await startServer(handler);
  const text = toYaml(oneStreamManifest({ paginator, requester: options.requester }));
  const { runtime } = testRuntime();
  const stream = compile(text, runtime).streams[0];
  const result: ReadResult = { records: [], checkpoints: [], events: [] };
  let error: ConnectorError | undefined;
  try {
    await readStream(stream, { base: `${server.url}${options.urlPath ?? ''}` }, { result });
  } catch (caught) {
    if (!(caught instanceof ConnectorError)) throw caught;
    error = caught;
  }
  return { result, error, urls: server.requests.map((r) => r.url), requests: server.requests, text };
}

/** An offset-paged API over `total` items: `start`/`count`, a `next` link while more remain. */
function offsetApi(total: number, defaultCount = 2) {
  return (request: SeenRequest): Reply => {
    const start = Number(request.query.get('start') ?? 0);
    const count = Number(request.query.get('count') ?? defaultCount);
    const elements = ids(Math.max(0, Math.min(count, total - start)), start);
    const links = start + count < total ? [{ rel: 'next', href: `/items?start=${start + count}&count=${count}` }] : [];
    return { body: { elements, paging: { start, count, total, links } } };
  };
}

const recordIds = (result?: ReadResult) => result?.records.map((r) => r.id);

describe('OffsetIncrement', () => {
  it('stop_condition: follows "next" links, without paging parameters on the first request', async () => {
    const run = await readWith(
      {
        type: 'OffsetIncrement',
        page_size: 2,
        inject_on_first_request: false,
        page_token_option: { inject_into: 'request_parameter', field_name: 'start' },
        page_size_option: { inject_into: 'request_parameter', field_name: 'count' },
        stop_condition: "{{ $not($exists(response.paging.links[rel = 'next'])) }}",
      },
      offsetApi(5),
    );
    expect(run.error).toBeUndefined();
    expect(run.urls).toEqual(['/items', '/items?start=2&count=2', '/items?start=4&count=2']);
    expect(recordIds(run.result)).toEqual([0, 1, 2, 3, 4]);
    expect(run.result?.checkpoints).toEqual([{}]);
  });

  it('the stop condition wins over a full page', async () => {
    const run = await readWith(
      {
        type: 'OffsetIncrement',
        page_size: 2,
        page_token_option: { inject_into: 'request_parameter', field_name: 'start' },
        stop_condition: '{{ true }}',
      },
      offsetApi(10),
    );
    expect(run.urls).toEqual(['/items?start=0']);
  });

  it('total: stops when the offset reaches it, with no extra empty request', async () => {
    const paginator = {
      type: 'OffsetIncrement',
      page_size: 2,
      page_token_option: { inject_into: 'request_parameter', field_name: 'start' },
      page_size_option: { inject_into: 'request_parameter', field_name: 'count' },
      total: '{{ response.paging.total }}',
    };
    const five = await readWith(paginator, offsetApi(5));
    expect(five.urls).toEqual(['/items?start=0&count=2', '/items?start=2&count=2', '/items?start=4&count=2']);
    expect(recordIds(five.result)).toEqual([0, 1, 2, 3, 4]);
    await server!.close();
    server = undefined;
    const four = await readWith(paginator, offsetApi(4));
    expect(four.urls).toEqual(['/items?start=0&count=2', '/items?start=2&count=2']);
  });

  it('total: an empty page stops even when the total says there is more', async () => {
    const run = await readWith(
      { type: 'OffsetIncrement', page_size: 2, page_token_option: { inject_into: 'request_parameter', field_name: 'start' }, total: '{{ 100 }}' },
      (request) => ({ body: { elements: Number(request.query.get('start')) < 4 ? ids(2, Number(request.query.get('start'))) : [] } }),
    );
    expect(run.urls).toEqual(['/items?start=0', '/items?start=2', '/items?start=4']);
    expect(recordIds(run.result)).toEqual([0, 1, 2, 3]);
  });

  it('without total or stop_condition, a short page is the last', async () => {
    const paginator = {
      type: 'OffsetIncrement',
      page_size: 2,
      page_token_option: { inject_into: 'request_parameter', field_name: 'start' },
      page_size_option: { inject_into: 'request_parameter', field_name: 'count' },
    };
    const run = await readWith(paginator, offsetApi(5));
    expect(run.urls).toEqual(['/items?start=0&count=2', '/items?start=2&count=2', '/items?start=4&count=2']);
    expect(recordIds(run.result)).toEqual([0, 1, 2, 3, 4]);
  });

  it('without total or stop_condition, an exact multiple ends on an empty page', async () => {
    const paginator = { type: 'OffsetIncrement', page_size: 2, page_token_option: { inject_into: 'request_parameter', field_name: 'start' } };
    const run = await readWith(paginator, offsetApi(4));
    expect(run.urls).toEqual(['/items?start=0', '/items?start=2', '/items?start=4']);
    expect(recordIds(run.result)).toEqual([0, 1, 2, 3]);
  });

  it('the offset advances by the records received, not by page_size', async () => {
    const run = await readWith(
      {
        type: 'OffsetIncrement',
        page_size: 10,
        page_token_option: { inject_into: 'request_parameter', field_name: 'start' },
        total: '{{ response.total }}',
      },
      (request) => {
        const start = Number(request.query.get('start'));
        return { body: { elements: ids(Math.min(3, 7 - start), start), total: 7 } };
      },
    );
    expect(run.urls).toEqual(['/items?start=0', '/items?start=3', '/items?start=6']);
    expect(recordIds(run.result)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('stop_condition sees last_page_size and next_page_token', async () => {
    const run = await readWith(
      {
        type: 'OffsetIncrement',
        page_size: 2,
        page_token_option: { inject_into: 'request_parameter', field_name: 'start' },
        stop_condition: '{{ last_page_size = 0 or next_page_token >= 4 }}',
      },
      offsetApi(100),
    );
    expect(run.urls).toEqual(['/items?start=0', '/items?start=2']);
  });
});

describe('PageIncrement', () => {
  const pagedApi = (total: number, size: number, first = 1) => (request: SeenRequest): Reply => {
    const page = Number(request.query.get('page'));
    const start = (page - first) * size;
    return { body: { elements: ids(Math.max(0, Math.min(size, total - start)), start) } };
  };

  it('pages from 1 until a short page', async () => {
    const run = await readWith(
      {
        type: 'PageIncrement',
        page_size: 2,
        page_token_option: { inject_into: 'request_parameter', field_name: 'page' },
        page_size_option: { inject_into: 'request_parameter', field_name: 'per_page' },
      },
      pagedApi(5, 2),
    );
    expect(run.urls).toEqual(['/items?page=1&per_page=2', '/items?page=2&per_page=2', '/items?page=3&per_page=2']);
    expect(recordIds(run.result)).toEqual([0, 1, 2, 3, 4]);
  });

  it('start_from_page 0', async () => {
    const run = await readWith(
      { type: 'PageIncrement', page_size: 3, start_from_page: 0, page_token_option: { inject_into: 'request_parameter', field_name: 'page' } },
      pagedApi(4, 3, 0),
    );
    expect(run.urls).toEqual(['/items?page=0', '/items?page=1']);
    expect(recordIds(run.result)).toEqual([0, 1, 2, 3]);
  });

  it('an exact multiple ends on an empty page', async () => {
    const run = await readWith(
      { type: 'PageIncrement', page_size: 2, page_token_option: { inject_into: 'request_parameter', field_name: 'page' } },
      pagedApi(4, 2),
    );
    expect(run.urls).toEqual(['/items?page=1', '/items?page=2', '/items?page=3']);
  });

  it('stop_condition', async () => {
    const run = await readWith(
      {
        type: 'PageIncrement',
        page_size: 2,
        page_token_option: { inject_into: 'request_parameter', field_name: 'page' },
        stop_condition: '{{ response.last }}',
      },
      (request) => ({ body: { elements: ids(2, Number(request.query.get('page')) * 2), last: request.query.get('page') === '2' } }),
    );
    expect(run.urls).toEqual(['/items?page=1', '/items?page=2']);
  });

  it('the page number can go into a JSON body', async () => {
    const run = await readWith(
      {
        type: 'PageIncrement',
        page_size: 2,
        page_token_option: { inject_into: 'body_json', field_name: 'page' },
        page_size_option: { inject_into: 'body_json', field_name: 'size' },
      },
      (request) => ({ body: { elements: JSON.parse(request.body).page === 1 ? ids(2) : ids(1, 2) } }),
      { requester: { http_method: 'POST' } },
    );
    expect(run.requests.map((r) => [r.method, r.url, JSON.parse(r.body)])).toEqual([
      ['POST', '/items', { page: 1, size: 2 }],
      ['POST', '/items', { page: 2, size: 2 }],
    ]);
    expect(run.requests[0].headers['content-type']).toBe('application/json');
  });
});

describe('CursorPagination', () => {
  /** Pages t0 (no token) -> t1 -> t2, the last without a next token. */
  const tokenApi = (tokenOf: (request: SeenRequest) => string | undefined) => (request: SeenRequest): Reply => {
    const token = tokenOf(request) ?? 't0';
    const page = Number(token.slice(1));
    return { body: { elements: ids(2, page * 2), next: page < 2 ? `t${page + 1}` : null }, headers: page < 2 ? { 'X-Next': `t${page + 1}` } : {} };
  };

  it('token in a request parameter', async () => {
    const run = await readWith(
      {
        type: 'CursorPagination',
        cursor_value: '{{ response.next }}',
        page_token_option: { inject_into: 'request_parameter', field_name: 'cursor' },
      },
      tokenApi((r) => r.query.get('cursor') ?? undefined),
    );
    expect(run.error).toBeUndefined();
    expect(run.urls).toEqual(['/items', '/items?cursor=t1', '/items?cursor=t2']);
    expect(recordIds(run.result)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('token in a header, read from a response header', async () => {
    const run = await readWith(
      { type: 'CursorPagination', cursor_value: '{{ headers.`x-next` }}', page_token_option: { inject_into: 'header', field_name: 'X-Page-Token' } },
      tokenApi((r) => r.headers['x-page-token'] as string | undefined),
    );
    expect(run.urls).toEqual(['/items', '/items', '/items']);
    expect(run.requests.map((r) => r.headers['x-page-token'])).toEqual([undefined, 't1', 't2']);
    expect(recordIds(run.result)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('page size with the token, and on the first request', async () => {
    const run = await readWith(
      {
        type: 'CursorPagination',
        cursor_value: '{{ response.next }}',
        page_size: 2,
        page_size_option: { inject_into: 'request_parameter', field_name: 'limit' },
        page_token_option: { inject_into: 'request_parameter', field_name: 'cursor' },
      },
      tokenApi((r) => r.query.get('cursor') ?? undefined),
    );
    expect(run.urls).toEqual(['/items?limit=2', '/items?cursor=t1&limit=2', '/items?cursor=t2&limit=2']);
  });

  it('the next link as the URL: absolute, relative to url_base, and host-relative', async () => {
    const run = await readWith(
      { type: 'CursorPagination', cursor_value: '{{ response.next_url }}', page_token_option: { inject_into: 'url' } },
      (request) => {
        const page = Number(request.query.get('page') ?? 1);
        const next = [undefined, `http://${request.headers.host}/api/items?page=2`, 'items?page=3', '/api/items?page=4', null][page];
        return { body: { elements: ids(1, page), next_url: next } };
      },
      { urlPath: '/api' },
    );
    expect(run.error).toBeUndefined();
    expect(run.urls).toEqual(['/api/items', '/api/items?page=2', '/api/items?page=3', '/api/items?page=4']);
    expect(recordIds(run.result)).toEqual([1, 2, 3, 4]);
  });

  it('a stop_condition ends it even with a token', async () => {
    const run = await readWith(
      {
        type: 'CursorPagination',
        cursor_value: '{{ response.next }}',
        stop_condition: "{{ response.next = 't2' }}",
        page_token_option: { inject_into: 'request_parameter', field_name: 'cursor' },
      },
      tokenApi((r) => r.query.get('cursor') ?? undefined),
    );
    expect(run.urls).toEqual(['/items', '/items?cursor=t1']);
  });
});

describe('loop protection', () => {
  it('the same token twice is an error saying pagination is going in circles', async () => {
    const run = await readWith(
      {
        type: 'CursorPagination',
        cursor_value: '{{ response.next }}',
        page_token_option: { inject_into: 'request_parameter', field_name: 'cursor' },
      },
      (_request, index) => ({ body: { elements: ids(1, index), next: 'same' } }),
    );
    expect(run.urls).toEqual(['/items', '/items?cursor=same']);
    expect(recordIds(run.result)).toEqual([0, 1]);
    expect(run.error?.failureType).toBe('system_error');
    expect(run.error?.stream).toBe('items');
    expect(run.error?.message).toBe(
      'Pagination is going in circles: the next page token "same" was already requested. ' +
        `Check the paginator at streams[0].retriever.paginator (manifest.yaml:${lineOf(run.text, 'paginator:')}:7): ` +
        'its token or stop condition does not match what the API returns.',
    );
  });

  it('an identical page twice is an error, and the repeated records are not emitted', async () => {
    const run = await readWith(
      {
        type: 'OffsetIncrement',
        page_size: 2,
        inject_on_first_request: false,
        page_token_option: { inject_into: 'request_parameter', field_name: 'start' },
        stop_condition: "{{ $not($exists(response.paging.links[rel = 'next'])) }}",
      },
      () => ({ body: { elements: ids(2), paging: { links: [{ rel: 'next', href: '/items?start=2' }] } } }),
    );
    expect(run.urls).toEqual(['/items', '/items?start=2']);
    expect(recordIds(run.result)).toEqual([0, 1]);
    expect(run.error?.failureType).toBe('system_error');
    expect(run.error?.message).toContain('Pagination is going in circles: page 2 is identical to the page before it.');
    expect(run.error?.message).toContain('Check the paginator at streams[0].retriever.paginator (manifest.yaml:');
  });

  it('identical empty pages are not a loop', async () => {
    const run = await readWith(
      {
        type: 'PageIncrement',
        page_size: 2,
        page_token_option: { inject_into: 'request_parameter', field_name: 'page' },
        stop_condition: '{{ next_page_token > 3 }}',
      },
      () => ({ body: { elements: [] } }),
    );
    expect(run.error).toBeUndefined();
    expect(run.urls).toEqual(['/items?page=1', '/items?page=2', '/items?page=3']);
  });

  it('max_pages stops after exactly that many pages, without error', async () => {
    const run = await readWith(
      {
        type: 'CursorPagination',
        cursor_value: '{{ response.next }}',
        max_pages: 2,
        page_token_option: { inject_into: 'request_parameter', field_name: 'cursor' },
      },
      (_request, index) => ({ body: { elements: ids(2, index * 2), next: `t${index + 1}` } }),
    );
    expect(run.error).toBeUndefined();
    expect(run.urls).toEqual(['/items', '/items?cursor=t1']);
    expect(recordIds(run.result)).toEqual([0, 1, 2, 3]);
  });

  it('max_pages: 1 reads one page', async () => {
    const run = await readWith(
      { type: 'OffsetIncrement', page_size: 2, max_pages: 1, page_token_option: { inject_into: 'request_parameter', field_name: 'start' } },
      offsetApi(10),
    );
    expect(run.urls).toEqual(['/items?start=0']);
  });
});
