// Concurrency: the slices of every organization of every stream are read concurrently, up to the manifest's
// concurrency_level, while each stream's guarantees hold when slices complete out of order. A time-bound stream reads
// 12 months in one request per organization, so its slices are its organizations.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGotTransport } from '../../../engine/http/got-transport.js';
import { type HttpRequest, type HttpResponse, type HttpTransport } from '../../../engine/core/http-transport.js';
import { records, runInProcess, writeFiles, type Message, FakeClock, TEST_NOW } from '../../helpers/index.js';
import { accessTokenConfig, catalogFor, defaultConcurrency, manifestWithConcurrency, dayKey, expectedTimeBound } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const ORGS = [2414183, 1035];
const TIME_BOUND = ['follower_statistics_time_bound', 'share_statistics_time_bound', 'page_statistics_time_bound'];
const clock = new FakeClock(TEST_NOW);
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ now: () => clock.now(), organizations: ORGS });
});
afterAll(() => sim.close());

/** Counts the requests the engine has sent and not yet seen answered. */
function inFlightCounter(real: HttpTransport) {
  let now = 0;
  const counter = {
    max: 0,
    async send(request: HttpRequest): Promise<HttpResponse> {
      now += 1;
      counter.max = Math.max(counter.max, now);
      try {
        return await real.send(request);
      } finally {
        now -= 1;
      }
    },
  };
  return counter;
}

/** Holds the requests the engine sends together and answers them last first, one at a time. */
function reversingTransport(real: HttpTransport): HttpTransport {
  let held: { request: HttpRequest; resolve: (response: HttpResponse) => void; reject: (error: unknown) => void }[] = [];
  const release = async () => {
    const burst = held.reverse();
    held = [];
    for (const { request, resolve, reject } of burst) {
      await real.send(request).then(resolve, reject);
      // The engine handles this answer before the next one arrives.
      await new Promise((next) => setImmediate(next));
    }
  };
  return {
    send: (request) =>
      new Promise((resolve, reject) => {
        if (held.length === 0) setImmediate(() => void release());
        held.push({ request, resolve, reject });
      }),
  };
}

async function read(streams: string[], orgs: number[], transport: HttpTransport, manifest?: string) {
  const files = writeFiles({
    'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: orgs.join(',') }),
    'catalog.json': catalogFor(streams),
  });
  const args = ['read', '--config', files['config.json'], '--catalog', files['catalog.json'], ...(manifest ? ['--manifest', manifest] : [])];
  const run = await runInProcess(args, { clock, transport });
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return run.messages;
}

const days = (messages: Message[], stream: string) => records(messages, stream).map(dayKey).sort();
const expectedDays = (stream: string, orgs: number[]) => expectedTimeBound(stream, orgs, TEST_NOW).map(dayKey).sort();

describe('concurrency', () => {
  it('reads the slices of the streams of one organization concurrently: concurrency_level requests in flight, never more', async () => {
    const level = defaultConcurrency();
    expect(level).toBeGreaterThan(1);
    const counter = inFlightCounter(createGotTransport('concurrency-tests'));
    // One request per stream: the three time-bound streams and two lifetime ones, more than the level.
    const streams = [...TIME_BOUND, 'page_statistics', 'share_statistics'];
    const messages = await read(streams, [ORGS[0]], counter);
    expect(counter.max).toBe(level);
    for (const stream of TIME_BOUND) expect(days(messages, stream)).toEqual(expectedDays(stream, [ORGS[0]]));
  });

  it('shares one limit across streams and organizations, and reads one request at a time at concurrency_level 1', async () => {
    const all = inFlightCounter(createGotTransport('concurrency-tests'));
    const concurrent = await read(TIME_BOUND, ORGS, all);
    expect(all.max).toBe(defaultConcurrency());

    const one = inFlightCounter(createGotTransport('concurrency-tests'));
    const sequential = await read(TIME_BOUND, ORGS, one, manifestWithConcurrency(writeFiles({}).dir, 1));
    expect(one.max).toBe(1);
    for (const stream of TIME_BOUND) {
      expect(days(concurrent, stream)).toEqual(expectedDays(stream, ORGS));
      expect(days(sequential, stream)).toEqual(expectedDays(stream, ORGS));
    }
  });

  it('slices answered out of order still reach the output in order, each STATE covering exactly the records before it', async () => {
    const before = sim.requests.length;
    const messages = await read(TIME_BOUND, ORGS, reversingTransport(createGotTransport('concurrency-tests')));
    // The simulator really answered later slices before earlier ones: the organizations of a stream in reverse.
    const answered = sim.requests
      .slice(before)
      .filter((request) => request.path.endsWith('FollowerStatistics'))
      .map((request) => decodeURIComponent(request.query['organizationalEntity']));
    expect(answered).toHaveLength(ORGS.length);
    expect(answered).toEqual(ORGS.map((org) => `urn:li:organization:${org}`).reverse());

    for (const stream of TIME_BOUND) {
      expect(days(messages, stream)).toEqual(expectedDays(stream, ORGS));
      const expected = expectedTimeBound(stream, ORGS, TEST_NOW);
      const emitted = new Map<string, number[]>();
      const cursors = new Map<string, number>();
      let states = 0;
      for (const message of messages) {
        if (message.type === 'RECORD' && message.record.stream === stream) {
          const { organizationalEntity: org, timeRangeEnd } = message.record.data;
          const ends = emitted.get(org) ?? [];
          // Each organization's days arrive in order.
          expect(timeRangeEnd).toBeGreaterThan(ends.at(-1) ?? 0);
          emitted.set(org, [...ends, timeRangeEnd]);
        }
        if (message.type !== 'STATE' || message.state.stream.stream_descriptor.name !== stream) continue;
        states += 1;
        for (const entry of message.state.stream.stream_state.states) {
          const org = `urn:li:organization:${entry.partition.organization_id}`;
          const cursor = entry.cursor.timeRangeEnd as number;
          // Never backwards, and covering exactly the days of this organization emitted so far.
          expect(cursor).toBeGreaterThanOrEqual(cursors.get(org) ?? 0);
          cursors.set(org, cursor);
          const covered = expected.filter((r) => r.organizationalEntity === org && (r.timeRangeEnd as number) <= cursor).map((r) => r.timeRangeEnd);
          expect(emitted.get(org)).toEqual(covered);
        }
      }
      expect(states).toBeGreaterThanOrEqual(ORGS.length);
    }
  });
});
