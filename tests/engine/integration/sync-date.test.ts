// The run's date in expressions: $sync_date() and $sync_started_ms() are the moment the command started, from the
// injected clock, for the whole run; a read whose pages cross midnight sends one date, while $now_ms() moves on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalog, FakeClock, oneStreamManifest, records, runInProcess, startServer, writeFiles, writeManifest, type TestServer } from '../../helpers/index.js';

const HOUR_MS = 3_600_000;
const BEFORE_MIDNIGHT = Date.UTC(2026, 10, 29, 23, 30, 0);
const clock = new FakeClock(BEFORE_MIDNIGHT);
let server: TestServer;

beforeAll(async () => {
  // Three pages; each answer moves the clock an hour on, so the second and third are requested on the next day.
  server = await startServer((request) => {
    clock.advance(HOUR_MS);
    const page = Number(request.query.get('page') ?? '1');
    return { body: { elements: page <= 3 ? [{ id: page }] : [] } };
  });
});
afterAll(() => server.close());

const SCHEMAS = { items: { type: 'object', properties: { id: { type: 'integer' } } } };

const manifest = oneStreamManifest({
  requester: {
    request_parameters: {
      day: '{{ $sync_date() }}',
      started: '{{ $sync_started_ms() }}',
      today: '{{ $to_date($now_ms()) }}',
    },
  },
  paginator: {
    type: 'PageIncrement',
    page_size: 1,
    page_token_option: { inject_into: 'request_parameter', field_name: 'page' },
  },
});

describe('$sync_date() and $sync_started_ms()', () => {
  it('give the start of the run on every request, also after midnight passed during the read', async () => {
    const files = writeFiles({ 'config.json': { base: server.url }, 'catalog.json': catalog(['items']) });
    const before = server.requests.length;
    const result = await runInProcess(['read', '--manifest', writeManifest(manifest, SCHEMAS), '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
    expect(result.code).toBe(0);
    expect(records(result.messages, 'items')).toHaveLength(3);
    const sent = server.requests.slice(before).map((request) => Object.fromEntries(request.query));
    expect(sent.length).toBeGreaterThanOrEqual(3);
    // The clock crossed midnight: $now_ms() saw both days, $sync_date() only the day the run started.
    expect(new Set(sent.map((query) => query.today))).toEqual(new Set(['2026-11-29', '2026-11-30']));
    for (const query of sent) expect({ day: query.day, started: query.started }).toEqual({ day: '2026-11-29', started: String(BEFORE_MIDNIGHT) });
  });

  it('a later run dates itself by its own start', async () => {
    const files = writeFiles({ 'config.json': { base: server.url }, 'catalog.json': catalog(['items']) });
    const startedAt = clock.now();
    const before = server.requests.length;
    await runInProcess(['read', '--manifest', writeManifest(manifest, SCHEMAS), '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
    const sent = server.requests.slice(before).map((request) => Object.fromEntries(request.query));
    for (const query of sent) expect({ day: query.day, started: query.started }).toEqual({ day: new Date(startedAt).toISOString().slice(0, 10), started: String(startedAt) });
  });
});
