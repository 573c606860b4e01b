// A next-page link (CursorPagination, inject_into: url) is followed only on the host of url_base: a link to
// another host would carry the credentials there. Such an answer fails the read with RESPONSE_INVALID, and the
// other host receives nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalog, records, runInProcess, startServer, traces, writeFiles, writeManifest, type TestServer } from '../../helpers/index.js';

describe('next-page links', () => {
  let api: TestServer;
  let elsewhere: TestServer;
  let manifestPath: string;
  beforeAll(async () => {
    elsewhere = await startServer(() => ({ body: { items: [{ id: 'stolen' }] } }));
    api = await startServer((request) => {
      const page = request.query.get('page') ?? '1';
      if (page === '1') return { body: { items: [{ id: 'a' }], next: '/items?page=2' } };
      if (page === '2') return { body: { items: [{ id: 'b' }], next: request.query.get('leave') === null ? `${elsewhere.url}/items?page=3` : null } };
      return { body: { items: [] } };
    });
    manifestPath = writeManifest(
      {
        version: '1.0',
        streams: [
          {
            type: 'DeclarativeStream',
            name: 'items',
            primary_key: ['id'],
            schema_file: 'schemas/any.json',
            retriever: {
              type: 'SimpleRetriever',
              requester: { type: 'HttpRequester', url_base: '{{ config.base_url }}', path: '/items', authenticator: { type: 'BearerAuthenticator', api_token: 'secret-token' } },
              record_selector: { type: 'RecordSelector', field_path: ['items'] },
              paginator: { type: 'CursorPagination', cursor_value: '{{ response.next }}', page_token_option: { inject_into: 'url' } },
            },
          },
        ],
        check: { type: 'CheckStream', stream_names: ['items'] },
        spec: { type: 'Spec', connection_specification: { type: 'object' } },
      },
      { any: { type: 'object' } },
    );
  });
  afterAll(async () => {
    await api.close();
    await elsewhere.close();
  });

  it('a link on the same host is followed; one to another host fails the read (an invalid response) and is never requested', async () => {
    const files = writeFiles({ 'config.json': { base_url: api.url }, 'catalog.json': catalog(['items']) });
    const run = await runInProcess(['read', '--manifest', manifestPath, '--config', files['config.json'], '--catalog', files['catalog.json']]);
    expect(run.code).toBe(1);
    expect(api.requests.map((request) => request.url)).toEqual(['/items', '/items?page=2']);
    expect(elsewhere.requests).toHaveLength(0);
    const [error] = traces(run.messages, 'ERROR');
    expect(error.error.message).toContain('next-page link points to http://127.0.0.1:');
    expect(error.error.message).toContain('it is not followed');
    expect(error.error.failure_type).toBe('system_error');
    expect(records(run.messages, 'items').map((record) => record.id)).toEqual(['a', 'b']);
  });
});
