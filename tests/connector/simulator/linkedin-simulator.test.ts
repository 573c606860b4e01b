import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  DAY_MS,
  expectedDailyFollowerGains,
  expectedDailyShareStatistics,
  expectedLifetimeFollowerStatistics,
  expectedLifetimeShareStatistics,
  expectedMonthlyFollowerGains,
  expectedNetworkSize,
  expectedOrganization,
  expectedPosts,
  followerGainsBetween,
  parseRestli2,
  startSimulator,
} from './linkedin-simulator.js';
import type { Simulator, SimulatorOptions } from './linkedin-simulator.js';

const NOW = Date.UTC(2026, 10, 29, 10, 0); // 2026-11-29T10:00Z
const TODAY = Date.UTC(2026, 10, 29);
const ORG = 2414183;
const OTHER_ORG = 1337;
const URN = `urn:li:organization:${ORG}`;
const ENC_URN = encodeURIComponent(URN);
const TOKEN = 'sim-access-token';
const VERSION = '202606';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function call(base: string, path: string, init: { headers?: Record<string, string>; method?: string; body?: string } = {}): Promise<Reply> {
  const res = await fetch(base + path, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function api(sim: Simulator, path: string, extra: Record<string, string> = {}, omit: string[] = []): Promise<Reply> {
  const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}`, 'Linkedin-Version': VERSION, ...extra };
  for (const h of omit) Reflect.deleteProperty(headers, h);
  return call(sim.url, path, { headers });
}

const restli2 = { 'X-Restli-Protocol-Version': '2.0.0' };
const interval2 = (start: number, end: number, g = 'DAY'): string =>
  `timeIntervals=(timeRange:(start:${start},end:${end}),timeGranularityType:${g})`;
const followerStats = (query: string): string =>
  `/rest/organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity=${ENC_URN}&${query}`;
const shareStats = (query: string): string =>
  `/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${ENC_URN}&${query}`;

async function withSim<T>(options: SimulatorOptions, fn: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ now: () => NOW, ...options });
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

describe('LinkedIn simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      now: () => NOW,
      organizations: [ORG, OTHER_ORG, 42],
      accessTokens: [TOKEN, 'limited-token'],
      tokenOrganizations: { [TOKEN]: [ORG, OTHER_ORG, 42], 'limited-token': [OTHER_ORG] },
      posts: 23,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  describe('transport rules', () => {
    it('exposes its urls', () => {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sim.apiBaseUrl).toBe(`${sim.url}/rest`);
      expect(sim.tokenUrl).toBe(`${sim.url}/oauth/v2/accessToken`);
    });

    it('requires a bearer token', async () => {
      const r = await api(sim, `/rest/organizations/${ORG}`, {}, ['Authorization']);
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ message: 'Empty oauth2_access_token', serviceErrorCode: 401, status: 401 });
      const bad = await api(sim, `/rest/organizations/${ORG}`, { Authorization: 'Bearer nope' });
      expect(bad.status).toBe(401);
      expect(bad.json).toMatchObject({ serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN' });
    });

    it('requires a Linkedin-Version header', async () => {
      const r = await api(sim, `/rest/organizations/${ORG}`, {}, ['Linkedin-Version']);
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/version/i);
      const malformed = await api(sim, `/rest/organizations/${ORG}`, { 'Linkedin-Version': '2026-06' });
      expect(malformed.status).toBe(400);
    });

    it('accepts YYYYMM, YYYYMMDD and YYYYMM.RR versions of the last 12 months', async () => {
      for (const v of ['202611', '20261101', '202512', '202512.01', '202606.03']) {
        const r = await api(sim, `/rest/organizations/${ORG}`, { 'Linkedin-Version': v });
        expect([v, r.status]).toEqual([v, 200]);
      }
    });

    it('answers 426 NONEXISTENT_VERSION for sunset and future versions', async () => {
      const old = await api(sim, `/rest/organizations/${ORG}`, { 'Linkedin-Version': '202511' });
      expect(old.status).toBe(426);
      expect(old.json).toEqual({ status: 426, code: 'NONEXISTENT_VERSION', message: 'Requested version 20251101 is not active' });
      const older = await api(sim, `/rest/organizations/${ORG}`, { 'Linkedin-Version': '20250401' });
      expect(older.json.message).toBe('Requested version 20250401 is not active');
      const future = await api(sim, `/rest/organizations/${ORG}`, { 'Linkedin-Version': '202612' });
      expect(future.status).toBe(426);
    });

    it('answers 403 ACCESS_DENIED for pages the member does not administer, 404 for unknown orgs', async () => {
      const r = await api(sim, `/rest/organizations/${ORG}`, { Authorization: 'Bearer limited-token' });
      expect(r.status).toBe(403);
      expect(r.json).toEqual({
        status: 403,
        serviceErrorCode: 100,
        code: 'ACCESS_DENIED',
        message: 'Not enough permissions to access: organizations.GET.20260601',
      });
      const stats = await api(sim, followerStats(''), { Authorization: 'Bearer limited-token' });
      expect(stats.status).toBe(403);
      const mine = await api(sim, `/rest/organizations/${OTHER_ORG}`, { Authorization: 'Bearer limited-token' });
      expect(mine.status).toBe(200);
      const missing = await api(sim, '/rest/organizations/999');
      expect(missing.status).toBe(404);
      expect(missing.json).toMatchObject({ status: 404, serviceErrorCode: 0, code: 'NOT_FOUND' });
    });

    it('answers 404 for unknown paths and 400 for unknown finders or missing parameters', async () => {
      expect((await api(sim, '/rest/nothingHere')).status).toBe(404);
      expect((await call(sim.url, '/elsewhere')).status).toBe(404);
      const unknownQ = await api(sim, `/rest/organizationalEntityFollowerStatistics?q=bogus&organizationalEntity=${ENC_URN}`);
      expect(unknownQ.status).toBe(400);
      expect(unknownQ.json.errorDetails.inputErrors.length).toBeGreaterThan(0);
      expect((await api(sim, '/rest/organizationalEntityFollowerStatistics?organizationalEntity=' + ENC_URN)).status).toBe(400);
      expect((await api(sim, '/rest/organizationalEntityShareStatistics?q=organizationalEntity')).status).toBe(400);
      expect((await api(sim, '/rest/organizations/urn:li:organization:2414183')).status).toBe(400);
    });
  });

  describe('resources', () => {
    it('looks up an organization', async () => {
      const r = await api(sim, `/rest/organizations/${ORG}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
      expect(r.json).toEqual(expectedOrganization(ORG));
      expect(r.json.id).toBe(ORG);
      expect(r.json.logoV2.cropInfo).toEqual(expect.objectContaining({ x: 0, y: 0 }));
    });

    it('varies optional organization fields by id', () => {
      const keyCounts = new Set<number>();
      for (let id = 1; id < 40; id++) keyCounts.add(Object.keys(expectedOrganization(id)).length);
      expect(keyCounts.size).toBeGreaterThan(3);
      expect(expectedOrganization(7)).toEqual(expectedOrganization(7));
    });

    it('returns the network size for raw and percent-encoded URNs', async () => {
      const raw = await api(sim, `/rest/networkSizes/${URN}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`);
      const enc = await api(sim, `/rest/networkSizes/${ENC_URN}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`);
      expect(raw.status).toBe(200);
      expect(raw.json).toEqual({ firstDegreeSize: expectedNetworkSize(ORG) });
      expect(enc.json).toEqual(raw.json);
      expect((await api(sim, `/rest/networkSizes/${URN}`)).status).toBe(400);
      expect((await api(sim, `/rest/networkSizes/${URN}?edgeType=CompanyFollowedByMember`)).status).toBe(400);
    });

    it('returns lifetime follower statistics for both URN forms', async () => {
      const enc = await api(sim, followerStats(''));
      const raw = await api(sim, `/rest/organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity=${URN}`);
      expect(enc.status).toBe(200);
      expect(raw.json).toEqual(enc.json);
      expect(enc.json.paging).toEqual({ start: 0, count: 10, links: [] });
      expect(enc.json.elements).toEqual([expectedLifetimeFollowerStatistics(ORG, 5)]);
      const el = enc.json.elements[0];
      expect(el.followerCountsByAssociationType).toHaveLength(1);
      expect(el.followerCountsBySeniority).toHaveLength(5);
      expect(el.followerCountsByGeo[0]).toEqual({
        geo: expect.stringMatching(/^urn:li:geo:\d+$/),
        followerCounts: { organicFollowerCount: expect.any(Number), paidFollowerCount: expect.any(Number) },
      });
    });

    it('returns lifetime share statistics', async () => {
      const r = await api(sim, shareStats(''));
      expect(r.status).toBe(200);
      expect(r.json.elements).toEqual([expectedLifetimeShareStatistics(ORG, NOW)]);
      expect(Object.keys(r.json.elements[0].totalShareStatistics).sort()).toEqual(
        [
          'clickCount',
          'commentCount',
          'commentMentionsCount',
          'engagement',
          'impressionCount',
          'likeCount',
          'shareCount',
          'shareMentionsCount',
          'uniqueImpressionsCount',
        ].sort(),
      );
    });
  });

  describe('time-bound statistics', () => {
    const start = Date.UTC(2026, 9, 1);
    const end = start + 30 * DAY_MS;

    it('accepts a literal Rest.li 2.0 object and returns one element per day (30 days -> 30 elements)', async () => {
      const r = await api(sim, followerStats(interval2(start, end)), restli2);
      expect(r.status).toBe(200);
      expect(r.json.elements).toHaveLength(30);
      expect(r.json.elements).toEqual(expectedDailyFollowerGains(ORG, start, end, NOW));
      expect(r.json.elements[0]).toEqual({
        organizationalEntity: URN,
        timeRange: { start, end: start + DAY_MS },
        followerGains: { organicFollowerGain: expect.any(Number), paidFollowerGain: expect.any(Number) },
      });
      const shares = await api(sim, shareStats(interval2(start, end)), restli2);
      expect(shares.json.elements).toEqual(expectedDailyShareStatistics(ORG, start, end, NOW));
      expect(shares.json.elements[0].totalShareStatistics.shareMentionsCount).toBeUndefined();
    });

    it('accepts keys in any order and a raw URN', async () => {
      const q = `q=organizationalEntity&organizationalEntity=${URN}&timeIntervals=(timeGranularityType:DAY,timeRange:(end:${end},start:${start}))`;
      const r = await api(sim, `/rest/organizationalEntityFollowerStatistics?${q}`, restli2);
      expect(r.status).toBe(200);
      expect(r.json.elements).toHaveLength(30);
    });

    it('rejects percent-encoded structural characters with PARAM_INVALID', async () => {
      const encoded = new URLSearchParams({
        timeIntervals: `(timeRange:(start:${start},end:${end}),timeGranularityType:DAY)`,
      }).toString();
      expect(encoded).toContain('%28');
      const r = await api(sim, followerStats(encoded), restli2);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({
        status: 400,
        code: 'PARAM_INVALID',
        message: 'Invalid param. Please see errorDetails for more information.',
      });
      expect(r.json.errorDetails.inputErrors.length).toBeGreaterThan(0);
      const partly = await api(sim, followerStats(`timeIntervals=(timeRange:(start:${start}%2Cend:${end}),timeGranularityType:DAY)`), restli2);
      expect(partly.status).toBe(400);
      expect(partly.json.code).toBe('PARAM_INVALID');
    });

    it('accepts Rest.li 1.0 dotted parameters without the 2.0 header', async () => {
      const q = `timeIntervals.timeRange.start=${start}&timeIntervals.timeRange.end=${end}&timeIntervals.timeGranularityType=DAY`;
      const r = await api(sim, followerStats(q));
      expect(r.status).toBe(200);
      expect(r.json.elements).toEqual(expectedDailyFollowerGains(ORG, start, end, NOW));
      // dotted parameters are not Rest.li 2.0, and the 2.0 object is not Rest.li 1.0
      expect((await api(sim, followerStats(q), restli2)).status).toBe(400);
      expect((await api(sim, followerStats(interval2(start, end)))).status).toBe(400);
    });

    it('rejects misaligned or too short DAY windows', async () => {
      for (const [s, e] of [
        [start + 3_600_000, end],
        [start, end + 1],
        [start, start + DAY_MS - 1],
        [start + 7 * 3_600_000, start + 31 * 3_600_000],
      ] as const) {
        const r = await api(sim, followerStats(interval2(s, e)), restli2);
        expect(r.status).toBe(400);
        expect(r.json.message).toMatch(/^Invalid timeIntervals parameter/);
      }
      const backwards = await api(sim, followerStats(interval2(end, start)), restli2);
      expect(backwards.status).toBe(400);
      expect(backwards.json.message).toMatch(/^Invalid timeIntervals parameter/);
    });

    it('rejects windows of 14 months or more, accepts just under', async () => {
      const s = Date.UTC(2025, 8, 1);
      const tooLong = await api(sim, followerStats(interval2(s, Date.UTC(2026, 10, 1))), restli2);
      expect(tooLong.status).toBe(400);
      expect(tooLong.json.message).toMatch(/^Invalid timeIntervals parameter/);
      const ok = await api(sim, followerStats(interval2(s, Date.UTC(2026, 9, 31))), restli2);
      expect(ok.status).toBe(200);
      // only days inside the last 12 months (2025-11-29 .. 2026-11-28) exist
      expect(ok.json.elements[0].timeRange.start).toBe(Date.UTC(2025, 10, 29));
      expect(ok.json.elements.at(-1).timeRange.end).toBe(Date.UTC(2026, 9, 31));
    });

    it('requires a granularity', async () => {
      const r = await api(sim, followerStats(`timeIntervals=(timeRange:(start:${start},end:${end}))`), restli2);
      expect(r.status).toBe(400);
      const dotted = await api(sim, followerStats(`timeIntervals.timeRange.start=${start}&timeIntervals.timeRange.end=${end}`));
      expect(dotted.status).toBe(400);
    });

    it('omits buckets outside the data range (nothing for today or the future)', async () => {
      const r = await api(sim, followerStats(interval2(TODAY - 3 * DAY_MS, TODAY + 5 * DAY_MS)), restli2);
      expect(r.status).toBe(200);
      expect(r.json.elements.map((e: { timeRange: { start: number } }) => e.timeRange.start)).toEqual([
        TODAY - 3 * DAY_MS,
        TODAY - 2 * DAY_MS,
        TODAY - DAY_MS,
      ]);
      const old = await api(sim, followerStats(interval2(Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 1))), restli2);
      expect(old.json.elements).toEqual([]);
    });

    it('returns MONTH buckets lying fully inside the data range, summing the days', async () => {
      const s = Date.UTC(2025, 10, 1);
      const e = Date.UTC(2026, 11, 1);
      const r = await api(sim, followerStats(interval2(s, e, 'MONTH')), restli2);
      expect(r.status).toBe(200);
      expect(r.json.elements).toHaveLength(11); // Dec 2025 .. Oct 2026
      expect(r.json.elements[0].timeRange).toEqual({ start: Date.UTC(2025, 11, 1), end: Date.UTC(2026, 0, 1) });
      expect(r.json.elements).toEqual(expectedMonthlyFollowerGains(ORG, s, e, NOW));
      expect(r.json.elements[1].followerGains).toEqual(followerGainsBetween(ORG, Date.UTC(2026, 0, 1), Date.UTC(2026, 1, 1)));
      const misaligned = await api(sim, followerStats(interval2(Date.UTC(2026, 0, 2), Date.UTC(2026, 3, 1), 'MONTH')), restli2);
      expect(misaligned.status).toBe(400);
      const short = await api(sim, followerStats(interval2(Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 20 * DAY_MS, 'MONTH')), restli2);
      expect(short.status).toBe(400);
    });

    it('pages statistics when statisticsPageSize is set', async () => {
      await withSim({ statisticsPageSize: 7 }, async (paged) => {
        let path: string | undefined = followerStats(interval2(start, end));
        const seen: unknown[] = [];
        let pages = 0;
        while (path) {
          const r = await api(paged, path, restli2);
          expect(r.status).toBe(200);
          pages++;
          expect(r.json.paging.total).toBe(30);
          seen.push(...r.json.elements);
          const next = r.json.paging.links.find((l: { rel: string }) => l.rel === 'next');
          path = next?.href;
          if (path) expect(path).toContain('timeIntervals=(timeRange:(');
        }
        expect(pages).toBe(5);
        expect(seen).toEqual(expectedDailyFollowerGains(ORG, start, end, NOW));
      });
    });
  });

  describe('posts', () => {
    it('pages posts with total and a next link only while more exist', async () => {
      const first = await api(sim, `/rest/posts?q=author&author=${ENC_URN}`);
      expect(first.status).toBe(200);
      expect(first.json.paging).toMatchObject({ start: 0, count: 10, total: 23 });
      expect(first.json.paging.links).toEqual([
        { rel: 'next', href: `/rest/posts?q=author&author=${ENC_URN}&start=10&count=10`, type: 'application/json' },
      ]);
      const all = expectedPosts(ORG, 23, NOW);
      expect(first.json.elements).toEqual(all.slice(0, 10));
      const second = await api(sim, first.json.paging.links[0].href);
      expect(second.json.elements).toEqual(all.slice(10, 20));
      const last = await api(sim, second.json.paging.links[0].href);
      expect(last.json.elements).toEqual(all.slice(20));
      expect(last.json.paging.links).toEqual([]);
      const raw = await api(sim, `/rest/posts?q=author&author=${URN}&start=20&count=5`);
      expect(raw.json.elements).toHaveLength(3);
      expect(raw.json.elements[0]).toMatchObject({ author: URN, lifecycleState: 'PUBLISHED', visibility: 'PUBLIC' });
      const clamped = await api(sim, `/rest/posts?q=author&author=${ENC_URN}&count=101`);
      expect([clamped.status, clamped.json.paging.count, clamped.json.elements.length]).toEqual([200, 100, 23]);
      expect((await api(sim, `/rest/posts?q=author`)).status).toBe(400);
    });
  });

  it('records every request with its raw path and query', async () => {
    const before = sim.requests.length;
    await api(sim, `/rest/networkSizes/${ENC_URN}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`);
    const rec = sim.requests[before];
    expect(rec).toMatchObject({
      method: 'GET',
      path: `/rest/networkSizes/${ENC_URN}`,
      rawQuery: 'edgeType=COMPANY_FOLLOWED_BY_MEMBER',
      query: { edgeType: 'COMPANY_FOLLOWED_BY_MEMBER' },
      status: 200,
      body: '',
    });
    expect(rec.headers['linkedin-version']).toBe(VERSION);
  });
});

describe('Rest.li 2.0 parser', () => {
  it('parses nested objects, lists and encoded leaves', () => {
    expect(parseRestli2('(a:(b:1,c:List(x,y%2Cz,())),d:urn%3Ali%3Aorganization%3A1)')).toEqual({
      a: { b: '1', c: ['x', 'y,z', {}] },
      d: 'urn:li:organization:1',
    });
    expect(parseRestli2('List()')).toEqual([]);
    expect(() => parseRestli2('(a:1')).toThrow();
    expect(() => parseRestli2('(a:1))')).toThrow();
    expect(() => parseRestli2('(a)')).toThrow();
  });
});

describe('faults', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ now: () => NOW });
  });
  afterAll(async () => {
    await sim.close();
  });
  const lookup = `/rest/organizations/${ORG}`;

  it('status: 429 with LinkedIn body and Retry-After, counting down times', async () => {
    sim.addFault({ kind: 'status', status: 429, times: 2, headers: { 'Retry-After': '2' }, match: '/organizations/' });
    const a = await api(sim, lookup);
    const b = await api(sim, lookup);
    const c = await api(sim, lookup);
    expect([a.status, b.status, c.status]).toEqual([429, 429, 200]);
    expect(a.headers.get('retry-after')).toBe('2');
    expect(a.json).toEqual({
      status: 429,
      serviceErrorCode: 101,
      code: 'TOO_MANY_REQUESTS',
      message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
    });
    expect(sim.requests.slice(-3).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('status: 5xx with an HTML page; faults apply in the order added and only to matches', async () => {
    sim.addFault({ kind: 'status', status: 503, match: 'networkSizes' });
    sim.addFault({ kind: 'status', status: 502 });
    sim.addFault({ kind: 'status', status: 500, body: '{"oops":true}' });
    const first = await api(sim, lookup);
    expect(first.status).toBe(502);
    expect(first.headers.get('content-type')).toMatch(/text\/html/);
    expect(first.text).toMatch(/<html/i);
    const second = await api(sim, lookup);
    expect(second.status).toBe(500);
    expect(second.json).toEqual({ oops: true });
    const third = await api(sim, `/rest/networkSizes/${URN}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`);
    expect(third.status).toBe(503);
    expect((await api(sim, lookup)).status).toBe(200);
  });

  it('predicate matches and clearFaults', async () => {
    sim.addFault({ kind: 'status', status: 504, times: Infinity, match: (r) => r.query['edgeType'] !== undefined });
    expect((await api(sim, `/rest/networkSizes/${URN}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`)).status).toBe(504);
    expect((await api(sim, `/rest/networkSizes/${URN}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`)).status).toBe(504);
    expect((await api(sim, lookup)).status).toBe(200);
    sim.clearFaults();
    expect((await api(sim, `/rest/networkSizes/${URN}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`)).status).toBe(200);
  });

  it('reset destroys the connection without a response (still recorded)', async () => {
    sim.addFault({ kind: 'reset' });
    const before = sim.requests.length;
    await expect(api(sim, lookup)).rejects.toThrow();
    expect(sim.requests.length).toBe(before + 1);
    expect(sim.requests[before].status).toBe(0);
    expect((await api(sim, lookup)).status).toBe(200);
  });

  it('truncated sends 200 JSON cut in half', async () => {
    sim.addFault({ kind: 'truncated' });
    const r = await api(sim, lookup);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.json).toBeUndefined();
    expect(JSON.stringify(expectedOrganization(ORG)).startsWith(r.text)).toBe(true);
    expect(r.text.length).toBeGreaterThan(10);
  });

  it('reshape sends the normal answer as the fault remakes it, with the normal status', async () => {
    sim.addFault({ kind: 'reshape', reshape: (body: Record<string, unknown>) => ({ ...body, name: null, extra: [1] }) });
    const r = await api(sim, lookup);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ...expectedOrganization(ORG), name: null, extra: [1] });
    expect((await api(sim, lookup)).json).toEqual(expectedOrganization(ORG));
    expect(() => sim.addFault({ kind: 'reshape' })).toThrow(/needs a reshape function/);
  });

  it('expired_token answers 401 65602', async () => {
    sim.addFault({ kind: 'expired_token' });
    const r = await api(sim, lookup);
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ status: 401, serviceErrorCode: 65602, code: 'EXPIRED_ACCESS_TOKEN' });
  });

  it('slow delays one response without blocking others', async () => {
    sim.addFault({ kind: 'slow', delayMs: 600, match: 'networkSizes' });
    const t0 = Date.now();
    const slow = api(sim, `/rest/networkSizes/${URN}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`).then((r) => ({ r, at: Date.now() - t0 }));
    const fast = await api(sim, lookup);
    const fastAt = Date.now() - t0;
    expect(fast.status).toBe(200);
    const { r, at } = await slow;
    expect(r.status).toBe(200);
    expect(at).toBeGreaterThanOrEqual(550);
    expect(fastAt).toBeLessThan(at);
  });

  it('close() cancels slow responses and closes keep-alive connections promptly', async () => {
    const other = await startSimulator({ now: () => NOW, latencyMs: 5 });
    await api(other, lookup); // leaves a keep-alive connection open
    other.addFault({ kind: 'slow', delayMs: 60_000 });
    const pending = api(other, lookup).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await other.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await pending).toBe('failed');
  });

  it('faults also hit the token endpoint', async () => {
    sim.addFault({ kind: 'status', status: 503, match: '/oauth' });
    const r = await call(sim.url, '/oauth/v2/accessToken', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token',
    });
    expect(r.status).toBe(503);
  });
});

describe('OAuth token endpoint', () => {
  const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
  const good = { grant_type: 'refresh_token', refresh_token: 'refresh-1', client_id: 'cid', client_secret: 'secret' };
  const post = (sim: Simulator, body: string, contentType = 'application/x-www-form-urlencoded'): Promise<Reply> =>
    call(sim.url, '/oauth/v2/accessToken', { method: 'POST', headers: { 'Content-Type': contentType }, body });

  it('issues access tokens that work on the API, keeping the refresh token', async () => {
    await withSim({ oauth: { clientId: 'cid', clientSecret: 'secret', refreshTokens: ['refresh-1'] } }, async (sim) => {
      const r = await post(sim, form(good));
      expect(r.status).toBe(200);
      expect(r.json).toEqual({
        access_token: expect.any(String),
        expires_in: 5183999,
        refresh_token: 'refresh-1',
        refresh_token_expires_in: 31535999,
        scope: 'r_organization_social,rw_organization_admin',
      });
      const again = await post(sim, form(good));
      expect(again.json.access_token).not.toBe(r.json.access_token);
      const use = await api(sim, `/rest/organizations/${ORG}`, { Authorization: `Bearer ${r.json.access_token}` });
      expect(use.status).toBe(200);
      expect(sim.requests[0].path).toBe('/oauth/v2/accessToken');
      expect(sim.requests[0].body).toContain('grant_type=refresh_token');
    });
  });

  it('answers invalid_request, invalid_client and invalid_grant', async () => {
    await withSim({ oauth: { clientId: 'cid', clientSecret: 'secret', refreshTokens: ['refresh-1'] } }, async (sim) => {
      const wrongType = await post(sim, JSON.stringify(good), 'application/json');
      expect(wrongType.status).toBe(400);
      expect(wrongType.json.error).toBe('invalid_request');
      const wrongGrant = await post(sim, form({ ...good, grant_type: 'password' }));
      expect([wrongGrant.status, wrongGrant.json.error]).toEqual([400, 'invalid_request']);
      const missing = await post(sim, form({ grant_type: 'refresh_token', client_id: 'cid', client_secret: 'secret' }));
      expect([missing.status, missing.json.error]).toEqual([400, 'invalid_request']);
      const badClient = await post(sim, form({ ...good, client_secret: 'wrong' }));
      expect([badClient.status, badClient.json.error]).toEqual([401, 'invalid_client']);
      expect(typeof badClient.json.error_description).toBe('string');
      const badGrant = await post(sim, form({ ...good, refresh_token: 'revoked' }));
      expect([badGrant.status, badGrant.json.error]).toEqual([400, 'invalid_grant']);
    });
  });

  it('rotates refresh tokens when asked; the old one stops working', async () => {
    await withSim({ oauth: { clientId: 'cid', clientSecret: 'secret', refreshTokens: ['refresh-1'], rotate: true } }, async (sim) => {
      const r = await post(sim, form(good));
      expect(r.status).toBe(200);
      expect(r.json.refresh_token).not.toBe('refresh-1');
      const old = await post(sim, form(good));
      expect([old.status, old.json.error]).toEqual([400, 'invalid_grant']);
      const next = await post(sim, form({ ...good, refresh_token: r.json.refresh_token }));
      expect(next.status).toBe(200);
    });
  });

  it('expires issued tokens after tokenCallLimit calls and after expires_in', async () => {
    let now = NOW;
    await withSim(
      { now: () => now, oauth: { clientId: 'cid', clientSecret: 'secret', refreshTokens: ['refresh-1'], tokenCallLimit: 2, expiresIn: 3600 } },
      async (sim) => {
        const t = (await post(sim, form(good))).json;
        expect(t.expires_in).toBe(3600);
        const auth = { Authorization: `Bearer ${t.access_token}` };
        expect((await api(sim, `/rest/organizations/${ORG}`, auth)).status).toBe(200);
        expect((await api(sim, `/rest/organizations/${ORG}`, auth)).status).toBe(200);
        const third = await api(sim, `/rest/organizations/${ORG}`, auth);
        expect(third.status).toBe(401);
        expect(third.json).toMatchObject({ serviceErrorCode: 65602, code: 'EXPIRED_ACCESS_TOKEN' });

        const t2 = (await post(sim, form(good))).json;
        now += 3600 * 1000;
        const late = await api(sim, `/rest/organizations/${ORG}`, { Authorization: `Bearer ${t2.access_token}` });
        expect(late.json.serviceErrorCode).toBe(65602);
      },
    );
  });
});
