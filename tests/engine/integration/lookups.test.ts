// Lookup and LookupFields over real HTTP: names for the ids of a page's records asked in batches (ids as a list
// parameter), each id once per run across partitions; a batch answering 429 falls back to single-id requests; an id
// nobody names gives null and one WARN; the names found are kept in the stream's state, so a second run asks for
// none of them again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { compile, oneStreamManifest, readStream, startServer, testRuntime, type Manifest, type SeenRequest, type TestServer } from '../../helpers/index.js';

const NAMES: Record<string, string> = { c1: 'Red', c2: 'Green', c3: 'Blue', c4: 'Black', c5: 'White' };
/** The colour ids of each group's items. */
const ITEMS: Record<string, string[]> = { g1: ['c1', 'c2', 'c3', 'c9'], g2: ['c2', 'c4', 'c5', 'c9', 'c1'] };

let server: TestServer;
let batchStatus = 200;
beforeAll(async () => {
  server = await startServer((request: SeenRequest) => {
    if (request.path === '/items') {
      const group = request.query.get('group') ?? '';
      return { body: { elements: (ITEMS[group] ?? []).map((colour, index) => ({ id: `${group}-${index}`, colour })) } };
    }
    if (request.path === '/colours') {
      if (batchStatus !== 200) return { status: batchStatus, body: { message: 'batch limit reached' } };
      const asked = /^ids=List\(([^)]*)\)$/.exec(request.url.split('?')[1] ?? '');
      if (!asked) return { status: 400, body: { message: `ids must be List(...), got ${request.url}` } };
      const ids = asked[1].split(',').map(decodeURIComponent);
      const results = Object.fromEntries(ids.filter((id) => id in NAMES).map((id) => [id, { id, name: { text: NAMES[id] } }]));
      return { body: { results, errors: Object.fromEntries(ids.filter((id) => !(id in NAMES)).map((id) => [id, { status: 404 }])) } };
    }
    const single = /^\/colours\/([^/]+)$/.exec(request.path);
    if (single) {
      const id = decodeURIComponent(single[1]);
      return id in NAMES ? { body: { id, name: { text: NAMES[id] } } } : { status: 404, body: { message: 'no such colour' } };
    }
    return { status: 404, body: {} };
  });
});
afterAll(() => server.close());
beforeEach(() => {
  batchStatus = 200;
  server.requests.length = 0;
});

function colourRequester(path: string, filters: Manifest[], parameters: Manifest = {}): Manifest {
  return {
    type: 'HttpRequester',
    url_base: '{{ config.base }}',
    path,
    request_parameters: parameters,
    request_parameters_encoding: 'restli2',
    authenticator: { type: 'NoAuth' },
    error_handler: { type: 'ErrorHandler', max_attempts: 1, response_filters: filters },
  };
}

function manifest(lookup: Manifest = {}): Manifest {
  const built = oneStreamManifest({
    retriever: { partition_router: { type: 'ListPartitionRouter', partition_field: 'group', values: ['g1', 'g2'] } },
    requester: { request_parameters: { group: '{{ stream_partition.group }}' } },
  });
  built.streams[0].transformations = [
    {
      type: 'LookupFields',
      fields: [
        {
          path: ['colour_name'],
          id: '{{ record.colour }}',
          lookup: {
            type: 'Lookup',
            name: 'colours',
            batch_size: 3,
            requester: colourRequester('/colours', [{ type: 'HttpResponseFilter', http_codes: [429], action: 'FAIL' }], { ids: '{{ ids }}' }),
            record_selector: { type: 'RecordSelector', field_path: ['results', '*'] },
            id_path: ['id'],
            name_path: ['name', 'text'],
            single_requester: colourRequester('/colours/{{ id }}', [{ type: 'HttpResponseFilter', http_codes: [404], action: 'IGNORE' }]),
            ...lookup,
          },
        },
      ],
    },
  ];
  return built;
}

async function read(definition: Manifest, state?: unknown) {
  const test = testRuntime();
  const connector = compile(definition, test.runtime);
  const result = await readStream(connector.streams[0], { base: server.url }, state === undefined ? {} : { state, incremental: true });
  const lookups = server.requests.filter((request) => request.path.startsWith('/colours')).map((request) => request.url);
  server.requests.length = 0;
  return { ...result, lookups, warnings: test.logs.filter((log) => log.level === 'WARN').map((log) => log.message) };
}

const NAMED = [
  ['g1-0', 'Red'], ['g1-1', 'Green'], ['g1-2', 'Blue'], ['g1-3', null],
  ['g2-0', 'Green'], ['g2-1', 'Black'], ['g2-2', 'White'], ['g2-3', null], ['g2-4', 'Red'],
];

describe('LookupFields', () => {
  it('asks for each id once per run, in batches of batch_size, and sets the names found', async () => {
    const result = await read(manifest());
    expect(result.records.map((record) => [record.id, record.colour_name])).toEqual(NAMED);
    // g1: c1 c2 c3 in one batch, c9 in another (then singly); g2: only c4 and c5 are new.
    expect([...result.lookups].sort()).toEqual(['/colours/c9', '/colours?ids=List(c1,c2,c3)', '/colours?ids=List(c4,c5)', '/colours?ids=List(c9)']);
  });

  it('an id nobody names gives null and ONE warning for the run, however many records carry it', async () => {
    const { warnings } = await read(manifest());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Stream "items": lookup "colours" found no name for c9');
  });

  it('a batch answering 429 falls back to one request per id, and the stream completes', async () => {
    batchStatus = 429;
    const result = await read(manifest());
    expect(result.records.map((record) => [record.id, record.colour_name])).toEqual(NAMED);
    // Batches are asked side by side: the order of their requests is not fixed.
    expect(result.lookups.filter((url) => url.startsWith('/colours/')).sort()).toEqual(['/colours/c1', '/colours/c2', '/colours/c3', '/colours/c4', '/colours/c5', '/colours/c9']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('found no name for c9');
  });

  it('without a single_requester, a failing batch leaves its ids unnamed with one warning saying why', async () => {
    batchStatus = 429;
    const result = await read(manifest({ single_requester: undefined }));
    expect(result.records.every((record) => record.colour_name === null)).toBe(true);
    expect(result.warnings).toHaveLength(3);
    expect(result.warnings[0]).toContain('found no name for c1, c2, c3 (');
  });

  it('keeps the names in the stream\'s state: the next run asks only for the ids it does not know', async () => {
    const first = await read(manifest());
    const state = first.checkpoints[first.checkpoints.length - 1];
    expect(state).toEqual({ lookups: { colours: { c1: 'Red', c2: 'Green', c3: 'Blue', c4: 'Black', c5: 'White' } } });
    const second = await read(manifest(), state);
    expect(second.records.map((record) => [record.id, record.colour_name])).toEqual(NAMED);
    // c9 has no name: asked again (and only it).
    expect(second.lookups).toEqual(['/colours?ids=List(c9)', '/colours/c9']);
    const discovered = compile(manifest(), testRuntime().runtime).streams[0];
    expect(discovered.incremental).toBe(true);
  });
});
