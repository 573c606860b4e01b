// RecordExpander over real HTTP: several lists of one answer give one record per entry, each list with its own
// parameters, the fields built from the entry, its position, the record holding the list and the page's context.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compile, oneStreamManifest, readStream, rejection, startServer, testRuntime, type Manifest, type TestServer } from '../../helpers/index.js';

let server: TestServer;
let body: unknown;
beforeAll(async () => {
  server = await startServer(() => ({ body }));
});
afterAll(() => server.close());

const EXPANDER: Manifest = {
  type: 'RecordExpander',
  expansions: [
    { expand_records_from_field: ['byColour'], parameters: { facet: 'colour', key: 'colour' } },
    { expand_records_from_field: ['breakdown', 'bySize'], parameters: { facet: 'size', key: 'size' } },
  ],
  fields: [
    { path: ['id'], value: "{{ record.owner & '/' & expansion.facet & '/' & $lookup(entry, expansion.key) }}" },
    { path: ['owner'], value: '{{ record.owner }}' },
    { path: ['group'], value: '{{ stream_partition.group }}' },
    { path: ['facet'], value: '{{ expansion.facet }}' },
    { path: ['value'], value: '{{ $lookup(entry, expansion.key) }}' },
    { path: ['count'], value: '{{ entry.counts.n }}' },
    { path: ['position'], value: '{{ index }}' },
    { path: ['note'], value: '{{ entry.note }}' },
  ],
};

async function read(answer: unknown, selector: Manifest = {}) {
  body = answer;
  const manifest = oneStreamManifest({ retriever: { partition_router: { type: 'ListPartitionRouter', partition_field: 'group', values: ['g1'] } } });
  manifest.streams[0].retriever.record_selector = { type: 'RecordSelector', field_path: ['elements'], record_expander: EXPANDER, ...selector };
  const connector = compile(manifest, testRuntime().runtime);
  return (await readStream(connector.streams[0], { base: server.url })).records;
}

describe('RecordExpander', () => {
  it('makes one record per entry of every declared list, in order, from the entry, the record holding it and the context', async () => {
    const answer = {
      elements: [
        { owner: 'a', byColour: [{ colour: 'red', counts: { n: 1 } }, { colour: 'blue', counts: { n: 2 }, note: 'x' }], breakdown: { bySize: [{ size: 'S', counts: { n: 3 } }] } },
        { owner: 'b', byColour: [{ colour: 'red', counts: { n: 4 } }] },
      ],
    };
    expect(await read(answer)).toEqual([
      { id: 'a/colour/red', owner: 'a', group: 'g1', facet: 'colour', value: 'red', count: 1, position: 0 },
      { id: 'a/colour/blue', owner: 'a', group: 'g1', facet: 'colour', value: 'blue', count: 2, position: 1, note: 'x' },
      { id: 'a/size/S', owner: 'a', group: 'g1', facet: 'size', value: 'S', count: 3, position: 0 },
      { id: 'b/colour/red', owner: 'b', group: 'g1', facet: 'colour', value: 'red', count: 4, position: 0 },
    ]);
  });

  it('a record without a list (absent or null) gives no records for it, and the filter sees the expanded records', async () => {
    const answer = { elements: [{ owner: 'a', byColour: null, breakdown: { bySize: [{ size: 'S', counts: { n: 3 } }, { size: 'L', counts: { n: 9 } }] } }, { owner: 'b' }] };
    expect((await read(answer, { record_filter: '{{ record.count > 5 }}' })).map((record) => record.id)).toEqual(['a/size/L']);
  });

  it('a value that is not a list where one is declared makes the answer invalid, naming the path', async () => {
    const error = await rejection(read({ elements: [{ owner: 'a', byColour: { colour: 'red' } }] }));
    expect(error.code).toBe('RESPONSE_INVALID');
    expect(error.internalMessage).toContain('with record 1 holding no list at "byColour" to expand');
  });
});
