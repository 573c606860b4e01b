// A record_filter drops records after the page is read: it does not make a full page look short, so page-number
// and offset paging go on to the next page, and their page-size rule counts the records the API sent.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compile, oneStreamManifest, readStream, startServer, type Manifest, type TestServer } from '../../helpers/index.js';

/** Items 1..5, two a page, by page number (`page`, from 1) or offset (`offset`). */
const ITEMS = [1, 2, 3, 4, 5].map((id) => ({ id, kind: id % 2 ? 'odd' : 'even' }));

describe('record_filter and the page-size stop rule', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((request) => {
      const start = request.query.has('page') ? (Number(request.query.get('page')) - 1) * 2 : Number(request.query.get('offset') ?? '0');
      return { body: { elements: ITEMS.slice(start, start + 2) } };
    });
  });
  afterAll(() => server.close());

  const read = (paginator: Manifest) => {
    const manifest = oneStreamManifest({ paginator });
    manifest.streams[0].retriever.record_selector.record_filter = "{{ record.kind = 'odd' }}";
    return readStream(compile(manifest).streams[0], { base: server.url });
  };

  it.each([
    ['PageIncrement', { type: 'PageIncrement', page_size: 2, page_token_option: { inject_into: 'request_parameter', field_name: 'page' } }],
    ['OffsetIncrement', { type: 'OffsetIncrement', page_size: 2, page_token_option: { inject_into: 'request_parameter', field_name: 'offset' } }],
  ])('%s reads every page although the filter leaves one record of a full page', async (_name, paginator) => {
    const before = server.requests.length;
    const result = await read(paginator);
    expect(result.records.map((record) => record.id)).toEqual([1, 3, 5]);
    expect(server.requests.length - before).toBe(3);
  });
});
