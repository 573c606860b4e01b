import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLimiter } from '../../../../engine/core/concurrency.js';
import { UNEMITTED_SLICES_PER_SLOT } from '../../../../engine/streams/slice-reader.js';
import { compile, oneStreamManifest, startServer, type TestServer } from '../../../helpers/index.js';

const SLOTS = 2;
const BOUND = UNEMITTED_SLICES_PER_SLOT * SLOTS;
const DAYS = 20;
const RECORDS_PER_SLICE = 5;
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10);
const dayAfter = (date: string) => new Date(Date.parse(date) + 86_400_000).toISOString().slice(0, 10);

/** Daily slices over DAYS days, of two partitions, a and b. */
const MANIFEST = oneStreamManifest({
  stream: {
    incremental_sync: {
      type: 'DatetimeBasedCursor',
      cursor_field: 'day',
      cursor_datetime_format: 'date',
      start_datetime: day(0),
      end_datetime: day(DAYS),
      step: 'P1D',
    },
  },
  retriever: { partition_router: { type: 'ListPartitionRouter', partition_field: 'org', values: ['a', 'b'] } },
  requester: { path: '/orgs/{{ stream_partition.org }}', request_parameters: { from: '{{ stream_slice.start_time }}' } },
});

/** The server answers every request at once, except the first slice of a: that one waits for `headHeld`. */
let headHeld = Promise.resolve();
let onRequest: (org: string) => void = () => undefined;
let server: TestServer;
beforeAll(async () => {
  server = await startServer(async (request) => {
    const org = request.path.split('/')[2];
    const from = request.query.get('from');
    onRequest(org);
    if (org === 'a' && from === day(0)) await headHeld;
    return { body: { elements: Array.from({ length: RECORDS_PER_SLICE }, (_, i) => ({ id: `${org}:${from}:${i}`, org, day: from })) } };
  });
});
afterAll(() => server.close());

describe('SliceReader', () => {
  it(`a slow slice holds back the start of its partition's next slices: never more than ${BOUND} started and not yet emitted`, async () => {
    let releaseHead: () => void = () => undefined;
    headHeld = new Promise((resolve) => (releaseHead = resolve));
    const emitted: Record<string, string[]> = { a: [], b: [] };
    const events: ({ org: string; day: string } | { checkpoint: Record<string, unknown> })[] = [];
    let startedOfA = 0;
    let mostUnemittedOfA = 0;
    onRequest = (org) => {
      if (org !== 'a') return;
      startedOfA += 1;
      mostUnemittedOfA = Math.max(mostUnemittedOfA, startedOfA - emitted.a.length / RECORDS_PER_SLICE);
    };
    let bDone: () => void = () => undefined;
    const bRead = new Promise<void>((resolve) => (bDone = resolve));

    const stream = compile(MANIFEST).streams[0];
    const reading = stream.read({
      config: { base: server.url },
      incremental: true,
      limiter: createLimiter(SLOTS),
      sink: {
        record: (record) => {
          const { org, day } = record as { org: string; day: string };
          emitted[org].push(day);
          events.push({ org, day });
          if (emitted.b.length === DAYS * RECORDS_PER_SLICE) bDone();
        },
        checkpoint: async (checkpoint) => void events.push({ checkpoint }),
      },
    });

    // While a's first slice is held, b is read to its end on the other slot, but a started only BOUND slices: the
    // held one and BOUND - 1 after it, completed and waiting. Without the bound, a would have started all of them.
    try {
      await bRead;
      expect(startedOfA).toBe(BOUND);
      expect(mostUnemittedOfA).toBe(BOUND);
      expect(emitted.a).toEqual([]);
    } finally {
      releaseHead();
      await reading;
    }
    expect(mostUnemittedOfA).toBe(BOUND);
    const everyDay = Array.from({ length: DAYS }, (_, n) => Array<string>(RECORDS_PER_SLICE).fill(day(n))).flat();
    expect(emitted).toEqual({ a: everyDay, b: everyDay });

    // Each state covers exactly the records before it: per partition, up to the end of its last emitted slice.
    const covered = new Map<string, string>();
    let states = 0;
    for (const event of events) {
      if ('org' in event) {
        covered.set(event.org, dayAfter(event.day));
        continue;
      }
      states += 1;
      expect(event.checkpoint).toEqual({ states: [...covered].map(([org, end]) => ({ partition: { org }, cursor: { day: end } })), granularity: 'P1D' });
    }
    expect(states).toBeGreaterThan(2);
    expect(events.at(-1)).toEqual({ checkpoint: { states: ['b', 'a'].map((org) => ({ partition: { org }, cursor: { day: day(DAYS) } })), granularity: 'P1D' } });
  });
});
