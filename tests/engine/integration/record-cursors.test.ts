// Incremental cursors whose state comes from the records, through the CLI (in this process, fake clock) against a
// small API of its own: a resource filtered by `since`/`until` on its records' `updated_at`, a newest-first feed
// paged by page number (pages may overlap), daily figures filtered by whole days, and items with increasing ids.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  catalog,
  DAY_MS,
  FakeClock,
  finalState,
  oneStreamManifest,
  records,
  runInProcess,
  startServer,
  states,
  TEST_NOW,
  traces,
  writeFiles,
  writeManifest,
  type Manifest,
  type Message,
  type SeenRequest,
  type TestServer,
} from '../../helpers/index.js';

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const at = (time: string) => `2026-11-29T${time}Z`;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface Event {
  id: number;
  updated_at: string;
}

/** What the API holds and how it behaves; tests change it between reads. */
const api = {
  events: [] as Event[],
  /** /events answers every event whatever `since` says (an API that cannot filter). */
  ignoreSince: false,
  /** /feed pages overlap: each page starts with the last record of the one before. */
  overlap: false,
  /** /feed answers its first page whatever the page number. */
  samePage: false,
  items: 5,
  /** Records /days answers for each day. */
  perDay: 1,
};

function eventsAnswer(request: SeenRequest) {
  const since = request.query.get('since') ?? '';
  const until = request.query.get('until') ?? '';
  if (!ISO_SECONDS.test(since) || !ISO_SECONDS.test(until)) return { status: 400, body: { error: `since and until must be YYYY-MM-DDTHH:MM:SSZ, got ${since} and ${until}` } };
  const inRange = api.events.filter((event) => (api.ignoreSince || event.updated_at >= since) && event.updated_at <= until);
  return { body: { elements: inRange.sort((a, b) => a.updated_at.localeCompare(b.updated_at)) } };
}

const FEED_PAGE = 3;
function feedAnswer(request: SeenRequest) {
  const page = api.samePage ? 1 : Number(request.query.get('page'));
  const newestFirst = [...api.events].sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  const first = (page - 1) * (api.overlap ? FEED_PAGE - 1 : FEED_PAGE);
  return { body: { elements: newestFirst.slice(first, first + FEED_PAGE) } };
}

function daysAnswer(request: SeenRequest) {
  const since = request.query.get('since') ?? '';
  const until = request.query.get('until') ?? '';
  if (!DAY.test(since) || !DAY.test(until) || !(since < until)) return { status: 400, body: { error: `bad range ${since} to ${until}` } };
  const elements = [];
  for (let ms = Date.parse(since); ms < Date.parse(until); ms += DAY_MS) {
    for (let n = 0; n < api.perDay; n++) elements.push({ id: `${dayOf(ms)}/${n}`, day: dayOf(ms), value: n });
  }
  return { body: { elements } };
}

function countedAnswer(request: SeenRequest) {
  const after = request.query.get('after_id');
  const ids = Array.from({ length: api.items }, (_, i) => i + 1).filter((id) => api.ignoreSince || after === null || id > Number(after));
  return { body: { elements: ids.map((id) => ({ id, name: `item-${id}` })) } };
}

let server: TestServer;
const clock = new FakeClock(TEST_NOW);

beforeAll(async () => {
  server = await startServer((request) => {
    if (request.path === '/events') return eventsAnswer(request);
    if (request.path === '/feed') return feedAnswer(request);
    if (request.path === '/days') return daysAnswer(request);
    if (request.path === '/counted') return countedAnswer(request);
    return { status: 404, body: { error: 'no such route' } };
  });
});
afterAll(() => server.close());
beforeEach(() => {
  clock.set(TEST_NOW);
  Object.assign(api, { events: [], ignoreSince: false, overlap: false, samePage: false, items: 5, perDay: 1 });
});

const SINCE = { inject_into: 'request_parameter', field_name: 'since' };
const UNTIL = { inject_into: 'request_parameter', field_name: 'until' };

/** The one stream `items` reading `path` with this cursor (and paginator). */
function manifestWith(path: string, cursor: Manifest, paginator?: Manifest): string {
  return writeManifest(oneStreamManifest({ stream: { incremental_sync: cursor }, requester: { path }, paginator }), { items: { type: 'object' } });
}

/** An incremental read of `items` from `state`: its messages, the requests it sent, and its final stream state. */
async function read(manifest: string, state?: Message[], config: Record<string, unknown> = {}) {
  const files = writeFiles({ 'config.json': { base: server.url, ...config }, 'catalog.json': catalog(['items'], 'incremental'), ...(state ? { 'state.json': state } : {}) });
  const before = server.requests.length;
  const run = await runInProcess(
    ['read', '--manifest', manifest, '--config', files['config.json'], '--catalog', files['catalog.json'], ...(state ? ['--state', files['state.json']] : [])],
    { clock },
  );
  expect({ code: run.code, errors: traces(run.messages, 'ERROR') }).toEqual({ code: 0, errors: [] });
  const requests = server.requests.slice(before).map((request) => Object.fromEntries(request.query));
  return { messages: run.messages, requests, final: finalState(run.messages), state: finalState(run.messages)[0].stream.stream_state as Record<string, any> };
}

/** Each partition's cursor in every STATE of a read, in order. */
const cursorsOf = (messages: Message[], field: string) =>
  states(messages).map((message) => (message.state.stream.stream_state.states as { cursor: Record<string, unknown> }[]).map((entry) => entry.cursor[field]));

describe('a record cursor (cursor_granularity) over updated_at', () => {
  const cursor = {
    type: 'DatetimeBasedCursor',
    cursor_field: 'updated_at',
    datetime_format: '%Y-%m-%dT%H:%M:%SZ',
    cursor_granularity: 'PT1S',
    start_datetime: '2026-11-29T00:00:00Z',
    end_datetime: '{{ $now_ms() }}',
    start_time_option: SINCE,
    end_time_option: UNTIL,
  };
  const manifest = () => manifestWith('/events', cursor);

  it('two reads on the same day: the second asks from one second after the newest record, and gets only newer ones', async () => {
    api.events = [
      { id: 1, updated_at: at('08:00:00') },
      { id: 2, updated_at: at('09:30:00') },
      { id: 3, updated_at: at('09:59:59') },
    ];
    const first = await read(manifest());
    // No step: the whole range is one request; until is the last second of the range (its end is now, exclusive).
    expect(first.requests).toEqual([{ since: at('00:00:00'), until: at('09:59:59') }]);
    expect(records(first.messages).map((r) => r.id)).toEqual([1, 2, 3]);
    expect(first.state).toEqual({ states: [{ partition: {}, cursor: { updated_at: at('09:59:59') } }], cursor_granularity: 'PT1S' });

    // An hour later on the same day: one new event, and event 2 updated.
    clock.advance(3_600_000);
    api.events.push({ id: 4, updated_at: at('10:20:00') });
    api.events[1].updated_at = at('10:30:00');
    const second = await read(manifest(), first.final);
    expect(second.requests).toEqual([{ since: at('10:00:00'), until: at('10:59:59') }]);
    expect(records(second.messages).map((r) => r.id)).toEqual([4, 2]);
    // The state is the newest record read, not the end of the range (10:59:59).
    expect(second.state.states[0].cursor).toEqual({ updated_at: at('10:30:00') });

    // Nothing new: the state stays where it was.
    const third = await read(manifest(), second.final);
    expect(third.requests).toEqual([{ since: at('10:30:01'), until: at('10:59:59') }]);
    expect(records(third.messages)).toEqual([]);
    expect(third.state.states[0].cursor).toEqual({ updated_at: at('10:30:00') });
  });

  it('records older than the saved state are dropped when the API does not filter them', async () => {
    api.events = [
      { id: 1, updated_at: at('08:00:00') },
      { id: 2, updated_at: at('09:00:00') },
    ];
    const first = await read(manifest());
    api.ignoreSince = true;
    api.events.push({ id: 3, updated_at: at('09:40:00') });
    clock.advance(3_600_000);
    const second = await read(manifest(), first.final);
    expect(records(second.messages).map((r) => r.id)).toEqual([3]);
    expect(second.state.states[0].cursor).toEqual({ updated_at: at('09:40:00') });
  });

  it('with a step, slices follow one another one second apart, and a state of another kind is refused', async () => {
    api.events = [{ id: 1, updated_at: at('01:00:00') }, { id: 2, updated_at: at('07:00:00') }];
    const stepped = await read(manifestWith('/events', { ...cursor, step: 'PT4H' }));
    // Slices are read concurrently: their requests come in any order.
    expect(stepped.requests.sort((a, b) => a.since.localeCompare(b.since))).toEqual([
      { since: at('00:00:00'), until: at('03:59:59') },
      { since: at('04:00:00'), until: at('07:59:59') },
      { since: at('08:00:00'), until: at('09:59:59') },
    ]);
    expect(records(stepped.messages).map((r) => r.id)).toEqual([1, 2]);
    // The last slice had no record: the cursor stays at the newest record.
    expect(stepped.state.states[0].cursor).toEqual({ updated_at: at('07:00:00') });

    const windows = { states: stepped.state.states, granularity: 'P1D' };
    const files = writeFiles({ 'config.json': { base: server.url }, 'catalog.json': catalog(['items'], 'incremental'), 's.json': [{ type: 'STREAM', stream: { stream_descriptor: { name: 'items' }, stream_state: windows } }] });
    const before = server.requests.length;
    const run = await runInProcess(['read', '--manifest', manifest(), '--config', files['config.json'], '--catalog', files['catalog.json'], '--state', files['s.json']], { clock });
    expect(run.code).toBe(1);
    expect(server.requests.length).toBe(before);
    expect(traces(run.messages, 'ERROR')[0].error.message).toContain('was written with daily windows (P1D), but this read\'s are a record cursor of PT1S steps (PT1S');
  });
});

describe('a data feed (is_data_feed), newest first', () => {
  const cursor = {
    type: 'DatetimeBasedCursor',
    cursor_field: 'updated_at',
    datetime_format: '%Y-%m-%dT%H:%M:%SZ',
    cursor_granularity: 'PT1S',
    is_data_feed: true,
    start_datetime: '2026-11-29T03:00:00Z',
    end_datetime: '{{ $now_ms() }}',
  };
  const paginator = { type: 'PageIncrement', page_size: FEED_PAGE, page_token_option: { inject_into: 'request_parameter', field_name: 'page' } };
  const manifest = () => manifestWith('/feed', cursor, paginator);
  /** Ten events, hourly at half past, 00:30 to 09:30. */
  const hourly = () => Array.from({ length: 10 }, (_, i) => ({ id: i + 1, updated_at: at(`0${i}:30:00`) }));

  it('stops paging at the first page reaching past the start (first read) or the state (next read)', async () => {
    api.events = hourly();
    const first = await read(manifest());
    // Pages [09:30 08:30 07:30] [06:30 05:30 04:30] [03:30 02:30 01:30]: the third reaches before 03:00, so no fourth.
    expect(first.requests).toEqual([{ page: '1' }, { page: '2' }, { page: '3' }]);
    expect(records(first.messages).map((r) => r.id)).toEqual([10, 9, 8, 7, 6, 5, 4]);
    expect(first.state.states[0].cursor).toEqual({ updated_at: at('09:30:00') });

    clock.advance(3_600_000);
    api.events.push({ id: 11, updated_at: at('10:15:00') }, { id: 12, updated_at: at('10:45:00') });
    const second = await read(manifest(), first.final);
    expect(second.requests).toEqual([{ page: '1' }]);
    expect(records(second.messages).map((r) => r.id)).toEqual([12, 11]);
    expect(second.state.states[0].cursor).toEqual({ updated_at: at('10:45:00') });

    const third = await read(manifest(), second.final);
    expect(third.requests).toEqual([{ page: '1' }]);
    expect(records(third.messages)).toEqual([]);
    expect(third.state.states[0].cursor).toEqual({ updated_at: at('10:45:00') });
  });

  it('overlapping pages: a record already emitted in this read is not emitted again', async () => {
    api.events = hourly();
    api.overlap = true;
    const first = await read(manifestWith('/feed', { ...cursor, start_datetime: '2026-11-28T00:00:00Z' }, paginator));
    expect(records(first.messages).map((r) => r.id)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // Pages start 2 records apart: 0-2, 2-4, 4-6, 6-8, 8-9 (short, the paginator's end).
    expect(first.requests).toHaveLength(5);
  });

  it('a page that brings nothing new ends the paging', async () => {
    api.events = hourly();
    api.samePage = true;
    const first = await read(manifestWith('/feed', { ...cursor, start_datetime: '2026-11-28T00:00:00Z' }, paginator));
    expect(first.requests).toHaveLength(2);
    expect(records(first.messages).map((r) => r.id)).toEqual([10, 9, 8]);
  });
});

describe('a lookback window re-read only when there is new data (lookback_only_with_new_data)', () => {
  const cursor = {
    type: 'DatetimeBasedCursor',
    cursor_field: 'day',
    cursor_datetime_format: 'date',
    granularity: 'P1D',
    start_datetime: '2026-11-20',
    end_datetime: '{{ $day_start($now_ms()) }}',
    lookback_window: 'P{{ config.lookback_days }}D',
    lookback_only_with_new_data: true,
    start_time_option: SINCE,
    end_time_option: UNTIL,
  };
  const config = { lookback_days: 2 };

  it('the next day re-reads the lookback in the same request; the same day sends nothing; the state never moves back', async () => {
    const manifest = manifestWith('/days', cursor);
    const first = await read(manifest, undefined, config);
    expect(first.requests).toEqual([{ since: '2026-11-20', until: '2026-11-29' }]);
    expect(records(first.messages)).toHaveLength(9);
    expect(first.state).toEqual({ states: [{ partition: {}, cursor: { day: '2026-11-29' } }], granularity: 'P1D' });

    const same = await read(manifest, first.final, config);
    expect(same.requests).toEqual([]);
    expect(records(same.messages)).toEqual([]);
    expect(same.state).toEqual(first.state);

    clock.advance(DAY_MS);
    const next = await read(manifest, same.final, config);
    expect(next.requests).toEqual([{ since: '2026-11-27', until: '2026-11-30' }]);
    expect(records(next.messages).map((r) => r.day)).toEqual(['2026-11-27', '2026-11-28', '2026-11-29']);
    expect(next.state.states[0].cursor).toEqual({ day: '2026-11-30' });

    // With a step shorter than the lookback, the re-read slices end before the cursor: no STATE goes back (10
    // records a slice make a STATE after each).
    clock.advance(DAY_MS);
    api.perDay = 10;
    const stepped = await read(manifestWith('/days', { ...cursor, step: 'P1D' }), next.final, { lookback_days: 3 });
    expect(stepped.requests.map((r) => r.since).sort()).toEqual(['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']);
    const seen = cursorsOf(stepped.messages, 'day').map(([day]) => day as string);
    expect(seen.length).toBeGreaterThan(3);
    for (const day of seen) expect(day >= '2026-11-30').toBe(true);
    expect(stepped.state.states[0].cursor).toEqual({ day: '2026-12-01' });
  });

  it('without the flag, a read with nothing new still re-reads the lookback window', async () => {
    const manifest = manifestWith('/days', { ...cursor, lookback_only_with_new_data: false });
    const first = await read(manifest, undefined, config);
    const same = await read(manifest, first.final, config);
    expect(same.requests).toEqual([{ since: '2026-11-27', until: '2026-11-29' }]);
    expect(same.state).toEqual(first.state);
  });
});

describe('IncrementingCountCursor', () => {
  const cursor = { type: 'IncrementingCountCursor', cursor_field: 'id', start_value: 0, start_value_option: { inject_into: 'request_parameter', field_name: 'after_id' } };
  const manifest = () => manifestWith('/counted', cursor);

  it('injects start_value, then the state; keeps the largest id; drops ids not above the state', async () => {
    const first = await read(manifest());
    expect(first.requests).toEqual([{ after_id: '0' }]);
    expect(records(first.messages).map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(first.state).toEqual({ states: [{ partition: {}, cursor: { id: 5 } }] });

    api.items = 7;
    const second = await read(manifest(), first.final);
    expect(second.requests).toEqual([{ after_id: '5' }]);
    expect(records(second.messages).map((r) => r.id)).toEqual([6, 7]);
    expect(second.state.states[0].cursor).toEqual({ id: 7 });

    api.ignoreSince = true;
    api.items = 8;
    const third = await read(manifest(), second.final);
    expect(records(third.messages).map((r) => r.id)).toEqual([8]);
    expect(third.state.states[0].cursor).toEqual({ id: 8 });
  });
});
