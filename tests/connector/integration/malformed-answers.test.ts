// LinkedIn answering 200 with a body that is not what the manifest declares (elements null or an object, elements
// without timeRange or organizationalEntity) for the one request of an organization's 12 months: it is retried, and if
// it stays wrong the sync fails naming it, writes nothing of it and keeps that organization's state before it, so the
// next sync fills it. Synced into SQLite, every day ends up there exactly once: no gap, no row with a NULL key.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DAY_MS, FakeClock, TEST_NOW, runInProcess, writeFiles } from '../../helpers/index.js';
import { accessTokenConfig, dayKey, expectedTimeBound, timeBoundWindow } from '../linkedin.js';
import { startSimulator, type RecordedRequest, type Simulator } from '../simulator/linkedin-simulator.js';

const ORGS = [2414183, 1035];
const STREAM = 'follower_statistics_time_bound';
/** The range of the first organization: 12 months in one request. */
const { start: WINDOW_START, end: WINDOW_END } = timeBoundWindow(TEST_NOW);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const inWindow = (request: RecordedRequest) =>
  request.path.endsWith('/organizationalEntityFollowerStatistics') &&
  (request.query.organizationalEntity ?? '').endsWith(':2414183') &&
  (request.query.timeIntervals ?? '').includes(`start:${WINDOW_START}`);

type Body = { elements: Record<string, unknown>[] };
const without = (field: string) => (body: Body) => ({ ...body, elements: body.elements.map((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== field))) });

const MALFORMED: [string, (body: Body) => unknown, string][] = [
  ['elements: null', (body) => ({ ...body, elements: null }), 'without a list at "elements"'],
  ['elements: {}', (body) => ({ ...body, elements: {} }), 'without a list at "elements"'],
  ['elements without timeRange', without('timeRange'), 'lacking "timeRangeEnd" (the cursor field)'],
  ['elements without organizationalEntity', without('organizationalEntity'), 'lacking "organizationalEntity" (a primary key field)'],
];

describe('malformed answers of a time-bound window, synced into SQLite', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  let files: Record<string, string>;
  const expected = expectedTimeBound(STREAM, ORGS, TEST_NOW).map(dayKey).sort();

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: ORGS });
    files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(',') }) });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.clearFaults();
    clock.set(TEST_NOW);
  });

  const sync = async (database: string) => {
    const before = sim.requests.length;
    const run = await runInProcess(['sync', '--config', files['config.json'], '--output', database, '--streams', STREAM], { clock });
    return { code: run.code, stderr: run.stderr, requests: sim.requests.slice(before) };
  };

  /** The table's keys, and its rows whose key has a NULL part. */
  const rows = (database: string) => {
    const db = new Database(database, { readonly: true });
    try {
      const all = db.prepare(`SELECT organizationalEntity, timeRangeStart, timeRangeEnd FROM "${STREAM}"`).all() as Record<string, unknown>[];
      return { keys: all.map(dayKey).sort(), nullKeys: all.filter((r) => r.organizationalEntity === null || r.timeRangeStart === null || r.timeRangeEnd === null) };
    } finally {
      db.close();
    }
  };

  it.each(MALFORMED)('%s once: retried, and the sync completes with every day once', async (_name, reshape) => {
    sim.addFault({ kind: 'reshape', reshape, match: inWindow });
    const database = join(files.dir, `once-${Math.random()}.sqlite`);
    const run = await sync(database);
    expect(run.code).toBe(0);
    expect(run.requests.filter(inWindow)).toHaveLength(2);
    const table = rows(database);
    expect(table.nullKeys).toEqual([]);
    expect(table.keys).toEqual(expected);
  });

  it.each(MALFORMED)('%s on every attempt: the sync fails naming the window; the next sync fills it, every day once', async (_name, reshape, missing) => {
    sim.addFault({ kind: 'reshape', reshape, match: inWindow, times: Infinity });
    const database = join(files.dir, `failed-${Math.random()}.sqlite`);
    const failed = await sync(database);
    expect(failed.code).toBe(1);
    expect(failed.requests.filter(inWindow)).toHaveLength(5);
    expect(failed.stderr).toContain(`The slice from ${day(WINDOW_START)} to ${day(WINDOW_END - DAY_MS)} (organization_id 2414183) was not read`);
    expect(failed.stderr).toContain(missing);
    const partial = rows(database);
    expect(partial.nullKeys).toEqual([]);
    // Nothing of the malformed answer was saved; the other organization's days were.
    const firstOrg = partial.keys.filter((key) => key.startsWith('urn:li:organization:2414183|'));
    expect(firstOrg).toHaveLength(0);
    expect(partial.keys.filter((key) => key.startsWith('urn:li:organization:1035|'))).toHaveLength(362);

    sim.clearFaults();
    const next = await sync(database);
    expect(next.code).toBe(0);
    expect(next.requests.filter(inWindow)).toHaveLength(1);
    const table = rows(database);
    expect(table.nullKeys).toEqual([]);
    expect(table.keys).toEqual(expected);
  });
});
