// Daily syncs of the connector against the simulator, as a cron job runs them: a 12-month first sync in one request
// per time-bound stream per organization, daily syncs of one request that also re-read the days LinkedIn restates,
// dated snapshots of the "now only" figures, pages found from the token's roles, and a request budget.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DAY_MS, FakeClock, TEST_NOW, finalState, records, runInProcess, runInProcessText, statusesOf, traces, writeFiles, type Message } from '../../helpers/index.js';
import { accessTokenConfig, catalogFor, timeBoundWindow } from '../linkedin.js';
import {
  DEFAULT_ACCESS_TOKEN,
  OTHER_ACL_ENTRIES,
  dailyFollowerGains,
  expectedAcls,
  organizationUrn,
  startSimulator,
  utcDayStart,
  type AclEntry,
  type Simulator,
} from '../simulator/linkedin-simulator.js';

const ORGS = [2414183, 1035];
const TIME_BOUND = ['follower_statistics_time_bound', 'share_statistics_time_bound', 'page_statistics_time_bound'];
const TIME_BOUND_ENDPOINTS = ['organizationalEntityFollowerStatistics', 'organizationalEntityShareStatistics', 'organizationPageStatistics'];
const SNAPSHOTS = ['follower_statistics', 'share_statistics', 'total_follower_count', 'page_statistics'];
const quiet = { write: () => true };

/** The time-bound requests among `requests`: those carrying timeIntervals, with their range. */
function timeBoundRequests(requests: Simulator['requests']) {
  return requests
    .filter((r) => r.rawQuery.includes('timeIntervals'))
    .map((r) => {
      const range = /timeRange:\(start:(\d+),end:(\d+)\)/.exec(r.rawQuery);
      return { path: r.path, start: Number(range?.[1]), end: Number(range?.[2]), organization: /organization(?:alEntity)?=([^&]+)/.exec(r.rawQuery)?.[1] };
    });
}

describe('daily syncs of the time-bound streams', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  let files: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: ORGS });
    files = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(',') }),
      'catalog.json': catalogFor(TIME_BOUND),
    });
  });
  afterAll(() => sim.close());

  const read = async (state?: unknown[]) => {
    const args = ['read', '--config', files['config.json'], '--catalog', files['catalog.json']];
    if (state !== undefined) {
      const path = join(files.dir, `state-${Math.random()}.json`);
      writeFileSync(path, JSON.stringify(state));
      args.push('--state', path);
    }
    const before = sim.requests.length;
    const result = await runInProcess(args, { clock });
    return { ...result, requests: sim.requests.slice(before) };
  };

  it('12 months in one request per stream per organization; the next day one request re-reading lookback_days restated days; then nothing to send', async () => {
    clock.set(TEST_NOW);
    sim.switches.statisticsRevision = 0;
    const first = await read();
    expect(first.code).toBe(0);
    const { start, end } = timeBoundWindow(TEST_NOW);
    const sent = timeBoundRequests(first.requests);
    expect(sent).toHaveLength(TIME_BOUND.length * ORGS.length);
    for (const path of TIME_BOUND_ENDPOINTS) {
      for (const org of ORGS) {
        expect(sent.filter((r) => r.path === `/rest/${path}` && decodeURIComponent(r.organization ?? '') === organizationUrn(org))).toEqual([
          { path: `/rest/${path}`, start, end, organization: expect.any(String) },
        ]);
      }
    }
    for (const stream of TIME_BOUND) expect(records(first.messages, stream)).toHaveLength(((end - start) / DAY_MS) * ORGS.length);
    const page = records(first.messages, 'page_statistics_time_bound').find((r) => r.organization_id === String(ORGS[0]))!;
    expect(page).toMatchObject({ organizationalEntity: organizationUrn(ORGS[0]), organization_id: String(ORGS[0]), timeRangeStart: start, date: new Date(start).toISOString().slice(0, 10) });
    expect(page.totalPageStatistics.views.allPageViews).toEqual({ pageViews: expect.any(Number), uniquePageViews: expect.any(Number) });

    // LinkedIn restates its last days; the next day's sync re-reads the 7 final days before its cursor.
    sim.reviseStatistics();
    clock.advance(DAY_MS);
    const next = await read(finalState(first.messages));
    expect(next.code).toBe(0);
    const today = utcDayStart(clock.now());
    const rereadFrom = end - 7 * DAY_MS;
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    expect(timeBoundRequests(next.requests).sort(byPath)).toEqual(
      TIME_BOUND_ENDPOINTS.flatMap((path) => ORGS.map(() => ({ path: `/rest/${path}`, start: rereadFrom, end: end + DAY_MS, organization: expect.any(String) }))).sort(byPath),
    );
    const followers = records(next.messages, 'follower_statistics_time_bound').filter((r) => r.organization_id === String(ORGS[0]));
    expect(followers.map((r) => r.timeRangeStart)).toEqual(Array.from({ length: 8 }, (_, i) => rereadFrom + i * DAY_MS));
    const restated = { revision: 1, days: 7, nowMs: clock.now() };
    for (const record of followers) {
      expect(record.followerGains).toEqual(dailyFollowerGains(ORGS[0], record.timeRangeStart, restated));
    }
    // The restated days' figures are the new ones, not those of the first sync: LinkedIn restated its last 7 final
    // days, of which the first sync had read 6 (the 7th is the new day).
    const firstFigures = new Map(records(first.messages, 'follower_statistics_time_bound').filter((r) => r.organization_id === String(ORGS[0])).map((r) => [r.timeRangeStart, r.followerGains.organicFollowerGain]));
    const raised = followers.filter((r) => firstFigures.has(r.timeRangeStart) && r.followerGains.organicFollowerGain === (firstFigures.get(r.timeRangeStart) as number) + 1);
    expect(raised.length).toBe(6);
    expect(today - 2 * DAY_MS).toBe(end + DAY_MS);

    // Right after: no new final day, so no request, no record, and the state does not move.
    const again = await read(finalState(next.messages));
    expect(again.code).toBe(0);
    expect(again.requests).toEqual([]);
    expect(records(again.messages)).toEqual([]);
    const cursors = (messages: Message[]) => finalState(messages).map((state) => JSON.stringify(state.stream));
    expect(cursors(again.messages)).toEqual(cursors(next.messages));
  });

  it('MONTH: one request per stream per organization too', async () => {
    clock.set(TEST_NOW);
    const monthly = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(','), time_granularity_type: 'MONTH' }), 'catalog.json': catalogFor(TIME_BOUND) });
    const before = sim.requests.length;
    const run = await runInProcess(['read', '--config', monthly['config.json'], '--catalog', monthly['catalog.json']], { clock });
    expect(run.code).toBe(0);
    expect(timeBoundRequests(sim.requests.slice(before))).toHaveLength(TIME_BOUND.length * ORGS.length);
    expect(records(run.messages, 'page_statistics_time_bound').length).toBeGreaterThanOrEqual(11 * ORGS.length);
  });
});

describe('daily syncs into SQLite', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  let files: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: ORGS });
    files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(',') }) });
  });
  afterAll(() => sim.close());

  it('a restated day is one row with the new figures; the "now only" tables keep one row per organization per day', async () => {
    const database = join(files.dir, 'pages.sqlite');
    const sync = () => runInProcess(['sync', '--config', files['config.json'], '--output', database], { clock, stderr: quiet });
    clock.set(TEST_NOW);
    expect((await sync()).code).toBe(0);
    sim.reviseStatistics();
    clock.advance(DAY_MS);
    expect((await sync()).code).toBe(0);

    const db = new Database(database, { readonly: true });
    try {
      const restatedDay = utcDayStart(TEST_NOW) - 3 * DAY_MS;
      const rows = db
        .prepare('SELECT followerGains__organicFollowerGain AS organic, date FROM follower_statistics_time_bound WHERE organization_id = ? AND timeRangeStart = ?')
        .all(String(ORGS[0]), restatedDay) as { organic: number; date: string }[];
      const restated = { revision: 1, days: 7, nowMs: clock.now() };
      expect(rows).toEqual([{ organic: dailyFollowerGains(ORGS[0], restatedDay, restated).organicFollowerGain, date: new Date(restatedDay).toISOString().slice(0, 10) }]);
      expect(rows[0].organic).toBe(dailyFollowerGains(ORGS[0], restatedDay).organicFollowerGain + 1);
      const days = [new Date(TEST_NOW).toISOString().slice(0, 10), new Date(TEST_NOW + DAY_MS).toISOString().slice(0, 10)];
      for (const table of SNAPSHOTS) {
        const snapshots = db.prepare(`SELECT organization_id, snapshot_date FROM "${table}" ORDER BY organization_id, snapshot_date`).all();
        expect({ table, snapshots }).toEqual({
          table,
          snapshots: ORGS.map(String)
            .sort()
            .flatMap((organization_id) => days.map((snapshot_date) => ({ organization_id, snapshot_date }))),
        });
      }
    } finally {
      db.close();
    }
  });
});

describe('pages found from the token without org_id', () => {
  const clock = new FakeClock(TEST_NOW);
  const ADMINISTERED = [2414183, 1035, 77];
  const ROLES: AclEntry[] = [
    ...ADMINISTERED.map((organization) => ({ organization, role: 'ADMINISTRATOR' as const, state: 'APPROVED' as const })),
    { organization: 555, role: 'ANALYST', state: 'APPROVED' },
    ...OTHER_ACL_ENTRIES,
  ];
  let sim: Simulator;

  beforeAll(async () => {
    // The token holds approved ADMINISTRATOR roles on three pages, and other roles (other role or state) on more.
    sim = await startSimulator({
      now: () => clock.now(),
      organizations: [...ADMINISTERED, 555, ...OTHER_ACL_ENTRIES.map((e) => e.organization)],
      acls: { [DEFAULT_ACCESS_TOKEN]: ROLES, 'no-pages-token': [...OTHER_ACL_ENTRIES] },
      accessTokens: [DEFAULT_ACCESS_TOKEN, 'no-pages-token'],
    });
  });
  afterAll(() => sim.close());

  const configWithout = (token = DEFAULT_ACCESS_TOKEN) => {
    const { org_id: _omitted, ...config } = accessTokenConfig(sim.apiBaseUrl, { credentials: { auth_method: 'access_token', access_token: token } });
    return config;
  };

  it('check names every approved administrator page', async () => {
    const files = writeFiles({ 'config.json': configWithout() });
    const run = await runInProcess(['check', '--config', files['config.json']], { clock });
    const status = run.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
    expect(status.status).toBe('SUCCEEDED');
    expect(status.message).toContain(ADMINISTERED.join(', '));
    for (const other of [555, ...OTHER_ACL_ENTRIES.map((e) => e.organization)]) expect(status.message).not.toContain(String(other));
  });

  it('a read syncs those pages and no other; the ACLs are asked for approved administrator roles', async () => {
    const files = writeFiles({ 'config.json': configWithout(), 'catalog.json': catalogFor(['organization_lookup', 'total_follower_count']) });
    const before = sim.requests.length;
    const run = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
    expect(run.code).toBe(0);
    expect(records(run.messages, 'organization_lookup').map((r) => r.organization_id).sort()).toEqual(ADMINISTERED.map(String).sort());
    expect(records(run.messages, 'total_follower_count').map((r) => r.organization_id).sort()).toEqual(ADMINISTERED.map(String).sort());
    const acls = sim.requests.slice(before).filter((r) => r.path === '/rest/organizationAcls');
    expect(acls.length).toBeGreaterThanOrEqual(1);
    for (const request of acls) expect(request.rawQuery).toMatch(/q=roleAssignee.*role=ADMINISTRATOR.*state=APPROVED/);
  });

  it('ACL pages are followed, and only approved administrator roles count even when LinkedIn sends others', async () => {
    // The answer made to hold every role of the token (administered and others), two a page: the filter keeps
    // fewer records than a page held, and the paging must not skip any role for it.
    const files = writeFiles({ 'config.json': configWithout(), 'catalog.json': catalogFor(['organization_lookup']) });
    const every = expectedAcls(DEFAULT_ACCESS_TOKEN, ROLES);
    let start = 0;
    sim.addFault({
      kind: 'reshape',
      times: Infinity,
      match: (request) => request.path === '/rest/organizationAcls' && ((start = Number(request.query['start'] ?? 0)), true),
      reshape: () => ({
        paging: { start, count: 2, total: every.length, links: start + 2 < every.length ? [{ rel: 'next', type: 'application/json', href: `/rest/organizationAcls?q=roleAssignee&start=${start + 2}&count=2` }] : [] },
        elements: every.slice(start, start + 2),
      }),
    });
    const before = sim.requests.length;
    try {
      const run = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
      expect(run.code).toBe(0);
      expect(records(run.messages, 'organization_lookup').map((r) => r.organization_id).sort()).toEqual(ADMINISTERED.map(String).sort());
      const starts = sim.requests.slice(before).filter((r) => r.path === '/rest/organizationAcls').map((r) => Number(r.query['start'] ?? 0));
      expect(starts).toEqual(Array.from({ length: Math.ceil(every.length / 2) }, (_, i) => 2 * i));
    } finally {
      sim.clearFaults();
    }
  });

  it('no administered page: check and read fail clearly, naming where pages were looked for', async () => {
    const files = writeFiles({ 'config.json': configWithout('no-pages-token'), 'catalog.json': catalogFor(['organization_lookup']) });
    const check = await runInProcess(['check', '--config', files['config.json']], { clock });
    const status = check.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/administered_pages/);
    const read = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
    expect(read.code).not.toBe(0);
    expect(traces(read.messages, 'ERROR').map((t) => t.error.failure_type)).toContain('config_error');
  });

  it('with org_id, only those pages are read and no ACL is asked for', async () => {
    const files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: '77' }), 'catalog.json': catalogFor(['organization_lookup']) });
    const before = sim.requests.length;
    const run = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
    expect(run.code).toBe(0);
    expect(records(run.messages, 'organization_lookup').map((r) => r.organization_id)).toEqual(['77']);
    expect(sim.requests.slice(before).map((r) => r.path)).toEqual(['/rest/organizations/77']);
  });
});

describe('max_requests', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: ORGS });
  });
  afterAll(() => sim.close());

  it('stops a sync after 5 requests, nothing lost: the next syncs finish the job', async () => {
    // The time-bound streams: 3 streams x 2 organizations, one request each, so 6 requests in all.
    const files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(','), max_requests: 5 }) });
    const database = join(files.dir, 'budget.sqlite');
    const streams = ['--streams', TIME_BOUND.join(',')];
    const sync = async () => {
      const before = sim.requests.length;
      const run = await runInProcess(['sync', '--config', files['config.json'], '--output', database, ...streams], { clock });
      return { ...run, sent: sim.requests.length - before };
    };
    clock.set(TEST_NOW);
    const first = await sync();
    expect(first.sent).toBe(5);
    expect(first.code).not.toBe(0);
    expect(first.stderr).toMatch(/budget/i);

    let runs = 1;
    let last = first;
    while (last.code !== 0 && runs < 20) {
      last = await sync();
      expect(last.sent).toBeLessThanOrEqual(5);
      runs += 1;
    }
    expect(last.code).toBe(0);
    // The second sync sends the one request left; the finished organizations have no new final day to read.
    expect(runs).toBe(2);
    expect(last.sent).toBe(1);

    // Equal to one sync without a budget.
    const whole = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(',') }) });
    const reference = join(whole.dir, 'whole.sqlite');
    expect((await runInProcess(['sync', '--config', whole['config.json'], '--output', reference, ...streams], { clock, stderr: quiet })).code).toBe(0);
    const counts = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return Object.fromEntries(
          TIME_BOUND.map((table) => [table, (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n]),
        );
      } finally {
        db.close();
      }
    };
    expect(counts(database)).toEqual(counts(reference));
  });

  it('a read that reaches it: unfinished streams INCOMPLETE with a message saying the next sync continues, exit non-zero', async () => {
    const files = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(','), max_requests: 5 }),
      'catalog.json': catalogFor(['organization_lookup', ...TIME_BOUND]),
    });
    clock.set(TEST_NOW);
    const before = sim.requests.length;
    const run = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
    expect(sim.requests.length - before).toBe(5);
    expect(run.code).not.toBe(0);
    const incomplete = ['organization_lookup', ...TIME_BOUND].filter((stream) => statusesOf(run.messages, stream).includes('INCOMPLETE'));
    expect(incomplete.length).toBeGreaterThan(0);
    const messages = traces(run.messages, 'ERROR').map((t) => String(t.error.message));
    expect(messages.some((m) => /budget/i.test(m) && /next sync/i.test(m))).toBe(true);
    // What was finished was checkpointed.
    expect(finalState(run.messages).length).toBeGreaterThan(0);
  });

  it('validate says how many requests a sync would make per stream, before sending any', async () => {
    const files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(','), max_requests: 5 }) });
    const before = sim.requests.length;
    const run = await runInProcessText(['validate', '--config', files['config.json']], { clock });
    expect(run.code).toBe(0);
    expect(sim.requests.length).toBe(before);
    // One request per time-bound stream per organization: 2 each; every stream at least once per organization, the
    // post streams' children more (their partitions are found by reading posts, so the total is a lower bound).
    for (const stream of TIME_BOUND) expect(run.stdout).toMatch(new RegExp(`^${stream}: at least 2 requests \\(2 partitions x 1 slice`, 'm'));
    const total = /sends at least (\d+) requests/.exec(run.stdout);
    expect(Number(total?.[1])).toBeGreaterThanOrEqual(2 * 14);
    expect(run.stdout).toContain('more than the request budget of 5 requests');
  });
});
