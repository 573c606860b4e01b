// The simulator's endpoints beyond the six streams, over HTTP: posts, per-post share statistics, social metadata,
// video analytics, page statistics, organization ACLs, restated days and request counts.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  addUtcMonths,
  DAY_MS,
  defaultAclEntries,
  expectedAcls,
  expectedDailyFollowerGains,
  expectedDailyShareStatistics,
  expectedLifetimePageStatistics,
  expectedPageStatistics,
  expectedPosts,
  expectedSocialMetadata,
  expectedVideoAnalytics,
  hasNoActivity,
  isVideoPost,
  OTHER_ACL_ENTRIES,
  PAGE_VIEW_KEYS,
  postShareStatisticsElement,
  roleAssigneeOf,
  startSimulator,
  UNIQUE_PAGE_VIEW_KEYS,
  utcDayStart,
} from './linkedin-simulator.js';
import type { Post, Simulator, SimulatorOptions } from './linkedin-simulator.js';

const NOW = Date.UTC(2026, 10, 29, 10, 0); // 2026-11-29T10:00Z
const TODAY = Date.UTC(2026, 10, 29);
const ORG = 2414183;
const OTHER_ORG = 1035;
const URN = `urn:li:organization:${ORG}`;
const ENC_URN = encodeURIComponent(URN);
const TOKEN = 'sim-access-token';
const LIMITED = 'limited-token';

interface Reply {
  status: number;
  json: any;
}

async function get(sim: Simulator, path: string, extra: Record<string, string> = {}, restli2 = true): Promise<Reply> {
  const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}`, 'Linkedin-Version': '202610', ...extra };
  if (restli2) headers['X-Restli-Protocol-Version'] = '2.0.0';
  const res = await fetch(sim.url + path, { headers });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) };
}

const list = (urns: string[]): string => `List(${urns.map(encodeURIComponent).join(',')})`;

async function withSim<T>(options: SimulatorOptions, fn: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ now: () => NOW, organizations: [ORG, OTHER_ORG], ...options });
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

/** Every post of an org by following next links from a first page of `count`. */
async function readAllPosts(sim: Simulator, query: string, count = 100): Promise<{ pages: Post[][]; hrefs: string[] }> {
  let path: string | undefined = `/rest/posts?q=author&author=${ENC_URN}&count=${count}${query}`;
  const pages: Post[][] = [];
  const hrefs: string[] = [];
  while (path !== undefined) {
    const r = await get(sim, path);
    expect(r.status).toBe(200);
    pages.push(r.json.elements);
    path = r.json.paging.links.find((l: { rel: string }) => l.rel === 'next')?.href;
    if (path !== undefined) hrefs.push(path);
    expect(pages.length).toBeLessThan(100);
  }
  return { pages, hrefs };
}

describe('LinkedIn simulator: content and page endpoints', () => {
  let sim: Simulator;
  const all = expectedPosts(ORG, {}, NOW);
  const videos = all.filter(isVideoPost);
  const shares = all.filter((p) => p.id.startsWith('urn:li:share:'));
  const ugcPosts = all.filter((p) => p.id.startsWith('urn:li:ugcPost:'));
  const nonVideoUgc = ugcPosts.find((p) => !isVideoPost(p))!;

  beforeAll(async () => {
    sim = await startSimulator({
      now: () => NOW,
      organizations: [ORG, OTHER_ORG],
      accessTokens: [TOKEN, LIMITED],
      tokenOrganizations: { [TOKEN]: [ORG, OTHER_ORG], [LIMITED]: [OTHER_ORG] },
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  describe('posts', () => {
    it('generates 300 posts over 12 months with 20 videos for the first org, 40 for others, of both URN types', () => {
      expect(all).toHaveLength(300);
      expect(videos).toHaveLength(20);
      expect(expectedPosts(OTHER_ORG, {}, NOW)).toHaveLength(40);
      expect(shares.length).toBeGreaterThan(50);
      expect(ugcPosts.length).toBeGreaterThan(50);
      for (const p of all) {
        expect(p.id).toMatch(/^urn:li:(share|ugcPost):\d{19}$/);
        expect(p.createdAt).toBeGreaterThanOrEqual(addUtcMonths(TODAY, -12));
        expect(p.lastModifiedAt).toBeLessThan(TODAY);
        expect(p.publishedAt).toBeGreaterThanOrEqual(p.createdAt);
        expect(p.lastModifiedAt).toBeGreaterThanOrEqual(p.publishedAt);
      }
      for (const v of videos) expect(v).toMatchObject({ id: expect.stringMatching(/^urn:li:ugcPost:/), content: { media: { id: expect.stringMatching(/^urn:li:video:/) } } });
      const variants = new Set(all.map((p) => (p.content === undefined ? 'none' : Object.keys(p.content)[0] ?? 'empty')));
      expect([...variants].sort()).toEqual(['article', 'carousel', 'empty', 'media', 'multiImage', 'none', 'poll']);
      const media = new Set(all.flatMap((p) => (p.content && 'media' in p.content ? [p.content.media.id.split(':')[2]] : [])));
      expect([...media].sort()).toEqual(['document', 'image', 'video']);
      for (const field of ['adContext', 'reshareContext', 'container', 'contentCallToActionLabel', 'contentLandingPage'] as const) {
        expect([field, all.some((p) => p[field] !== undefined)]).toEqual([field, true]);
      }
      expect(all.some((p) => p.commentary.includes('@[Contoso Robotics](urn:li:organization:1035)'))).toBe(true);
      expect(all.some((p) => p.commentary.includes('{hashtag|\\#|linkedin}'))).toBe(true);
      expect(all.some((p) => p.lifecycleStateInfo.isEditedByAuthor)).toBe(true);
      expect(all.some((p) => p.distribution.targetEntities !== undefined)).toBe(true);
    });

    it('pages newest first by lastModifiedAt (default) or createdAt, following next links to the end', async () => {
      const { pages, hrefs } = await readAllPosts(sim, '');
      expect(pages.map((p) => p.length)).toEqual([100, 100, 100]);
      expect(pages.flat()).toEqual(all);
      expect(hrefs[0]).toBe(`/rest/posts?q=author&author=${ENC_URN}&start=100&count=100`);
      const times = all.map((p) => p.lastModifiedAt);
      expect(times).toEqual([...times].sort((a, b) => b - a));

      const created = await readAllPosts(sim, '&sortBy=CREATED');
      const byCreation = expectedPosts(ORG, {}, NOW, { sortBy: 'CREATED' });
      expect(created.pages.flat()).toEqual(byCreation);
      expect(byCreation.map((p) => p.id)).not.toEqual(all.map((p) => p.id));
      expect(created.hrefs[0]).toContain('sortBy=CREATED');
      const first = await get(sim, `/rest/posts?q=author&author=${ENC_URN}`);
      expect(first.json.paging).toEqual({ start: 0, count: 10, total: 300, links: [expect.objectContaining({ rel: 'next' })] });
    });

    it('clamps count to 100 and is strict about its parameters', async () => {
      const big = await get(sim, `/rest/posts?q=author&author=${ENC_URN}&count=500`);
      expect([big.status, big.json.paging.count, big.json.elements.length]).toEqual([200, 100, 100]);
      expect((await get(sim, `/rest/posts?q=author&author=${ENC_URN}&isDsc=false`)).status).toBe(400);
      expect((await get(sim, `/rest/posts?q=author&author=${ENC_URN}&sortBy=NEWEST`)).status).toBe(400);
      expect((await get(sim, `/rest/posts?q=author&author=${ENC_URN}`, { 'X-RestLi-Method': 'BATCH_GET' })).status).toBe(400);
      expect((await get(sim, `/rest/posts?q=author&author=${ENC_URN}`, { 'X-RestLi-Method': 'FINDER' })).status).toBe(200);
      expect((await get(sim, `/rest/posts?q=author&author=${ENC_URN}`, { Authorization: `Bearer ${LIMITED}` })).status).toBe(403);
      expect((await get(sim, '/rest/posts?q=author')).status).toBe(400);
    });

    it('takes the number of posts, months and videos per organization', async () => {
      await withSim({ postsByOrganization: { [OTHER_ORG]: { count: 5, months: 2, videos: 1 } } }, async (s) => {
        const r = await get(s, `/rest/posts?q=author&author=${encodeURIComponent(`urn:li:organization:${OTHER_ORG}`)}&count=100`);
        expect(r.json.paging.total).toBe(5);
        expect(r.json.elements).toEqual(expectedPosts(OTHER_ORG, { count: 5, months: 2, videos: 1 }, NOW));
        expect(r.json.elements.filter(isVideoPost)).toHaveLength(1);
        for (const p of r.json.elements) expect(p.createdAt).toBeGreaterThanOrEqual(addUtcMonths(TODAY, -2));
      });
      await expect(startSimulator({ postsByOrganization: { [ORG]: { count: 2, videos: 3 } } })).rejects.toThrow(/invalid posts configuration/);
    });

    it('short pages: fewer than count while more remain; only the next links reach every post', async () => {
      await withSim({ switches: { shortPostPages: true } }, async (s) => {
        const first = await get(s, `/rest/posts?q=author&author=${ENC_URN}&count=30`);
        expect(first.json.elements).toHaveLength(20);
        expect(first.json.paging).toMatchObject({ start: 0, count: 30, total: 300 });
        expect(first.json.paging.links[0].href).toContain('start=20&count=30');
        const { pages } = await readAllPosts(s, '', 30);
        expect(pages.flat()).toEqual(all);
        expect(pages.at(-1)!.length).toBeLessThanOrEqual(30);
      });
    });

    it('overlapping pages: each page repeats the tail of the previous one', async () => {
      await withSim({ switches: { overlappingPostPages: 4 } }, async (s) => {
        const { pages } = await readAllPosts(s, '', 50);
        expect(pages[1].slice(0, 4)).toEqual(pages[0].slice(-4));
        const ids = pages.flat().map((p) => p.id);
        expect(ids.length).toBeGreaterThan(300);
        expect([...new Set(ids)]).toEqual(all.map((p) => p.id));
      });
    });

    it('an edited post moves to the front with lastModifiedAt now; a deleted post vanishes everywhere', async () => {
      let now = NOW;
      await withSim({ now: () => now }, async (s) => {
        const old = all[200];
        const gone = all[5];
        now = NOW + DAY_MS;
        s.editPost(old.id);
        s.deletePost(gone.id);
        expect(() => s.editPost('urn:li:share:7000000000000000000')).toThrow(/no post/);
        const r = await get(s, `/rest/posts?q=author&author=${ENC_URN}&count=100`);
        expect(r.json.paging.total).toBe(299);
        expect(r.json.elements[0]).toEqual({ ...old, lastModifiedAt: now, lifecycleStateInfo: { ...old.lifecycleStateInfo, isEditedByAuthor: true } });
        expect(r.json.elements.map((p: Post) => p.id)).not.toContain(gone.id);
        expect(s.postsOf(ORG)).toEqual(expectedPosts(ORG, {}, NOW, { edited: { [old.id]: now }, deleted: [gone.id] }));
        const meta = await get(s, `/rest/socialMetadata?ids=${list([gone.id])}`);
        expect(meta.json.statuses).toEqual({ [gone.id]: 404 });
        const type = gone.id.startsWith('urn:li:share:') ? 'shares' : 'ugcPosts';
        const stats = await get(s, `/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${ENC_URN}&${type}=${list([gone.id])}`);
        expect(stats.json.elements).toEqual([]);
      });
    });
  });

  describe('per-post share statistics', () => {
    const stats = (query: string): string => `/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${ENC_URN}&${query}`;

    it('answers lifetime figures per post, keyed share or ugcPost, leaving out posts without activity', async () => {
      const someShares = shares.slice(0, 12);
      const someUgc = ugcPosts.slice(0, 8);
      const r = await get(sim, stats(`shares=${list(someShares.map((p) => p.id))}&ugcPosts=${list(someUgc.map((p) => p.id))}`));
      expect(r.status).toBe(200);
      const expected = [...someShares, ...someUgc].map((p) => postShareStatisticsElement(p, NOW)).filter((e) => e !== undefined);
      expect(r.json.elements).toEqual(expected);
      expect(r.json.elements.length).toBeLessThan(20);
      expect([...someShares, ...someUgc].some(hasNoActivity)).toBe(true);
      const first = r.json.elements[0];
      expect(first).toEqual({ organizationalEntity: URN, share: someShares.find((p) => !hasNoActivity(p))!.id, totalShareStatistics: expect.any(Object) });
      const keys = new Set(r.json.elements.map((e: any) => Object.keys(e.totalShareStatistics).sort().join(',')));
      expect([...keys].sort()).toEqual([
        'clickCount,commentCount,engagement,impressionCount,likeCount,shareCount',
        'clickCount,commentCount,engagement,impressionCount,likeCount,shareCount,uniqueImpressionsCount',
      ]);
      expect(r.json.elements.filter((e: any) => 'ugcPost' in e).length).toBeGreaterThan(0);
    });

    it('answers nothing, silently, for a URN under the other parameter, of another org or unknown', async () => {
      const otherOrgPost = expectedPosts(OTHER_ORG, {}, NOW).find((p) => p.id.startsWith('urn:li:share:') && !hasNoActivity(p))!;
      const active = (ps: Post[]): Post => ps.find((p) => !hasNoActivity(p))!;
      const r = await get(sim, stats(`shares=${list([active(ugcPosts).id, otherOrgPost.id, 'urn:li:share:7999999999999999999'])}&ugcPosts=${list([active(shares).id])}`));
      expect(r.status).toBe(200);
      expect(r.json.elements).toEqual([]);
    });

    it('answers nothing for posts older than 12 months', async () => {
      await withSim({ postsByOrganization: { [ORG]: { count: 20, months: 24, videos: 0 } } }, async (s) => {
        const posts = expectedPosts(ORG, { count: 20, months: 24, videos: 0 }, NOW).filter((p) => p.id.startsWith('urn:li:share:'));
        const r = await get(s, stats(`shares=${list(posts.map((p) => p.id))}`));
        const answered = r.json.elements.map((e: any) => e.share);
        const old = posts.filter((p) => p.publishedAt < addUtcMonths(TODAY, -12));
        expect(old.length).toBeGreaterThan(0);
        for (const p of old) expect(answered).not.toContain(p.id);
        expect(answered.length).toBeGreaterThan(0);
      });
    });

    it('rejects more than 20 URNs in total (a simulator option)', async () => {
      const urns = (n: number): string[] => all.slice(0, n).map((p) => p.id);
      const split = (n: number): string => {
        const u = urns(n);
        return `shares=${list(u.filter((x) => x.includes(':share:')))}&ugcPosts=${list(u.filter((x) => x.includes(':ugcPost:')))}`;
      };
      expect((await get(sim, stats(split(20)))).status).toBe(200);
      const tooMany = await get(sim, stats(split(21)));
      expect(tooMany.status).toBe(400);
      expect(tooMany.json.errorDetails.inputErrors[0].description).toContain('At most 20');
      await withSim({ shareStatisticsBatchLimit: 30 }, async (s) => {
        expect((await get(s, stats(split(30)))).status).toBe(200);
        expect((await get(s, stats(split(31)))).status).toBe(400);
      });
    });

    it('rejects List%28 with 400 PARAM_INVALID and the Rest.li 1.0 indexed form with 403', async () => {
      const id = shares[0].id;
      const encoded = await get(sim, stats(`shares=List%28${encodeURIComponent(id)}%29`));
      expect(encoded.status).toBe(400);
      expect(encoded.json.code).toBe('PARAM_INVALID');
      expect(encoded.json.errorDetails.inputErrors[0].description).toContain('must not be percent-encoded');
      const indexed = await get(sim, stats(`shares[0]=${encodeURIComponent(id)}`));
      expect(indexed.status).toBe(403);
      expect(indexed.json.message).toMatch(/^Unpermitted fields present in PARAMETER/);
      const indexedEncoded = await get(sim, stats(`shares%5B0%5D=${encodeURIComponent(id)}`), {}, false);
      expect(indexedEncoded.status).toBe(403);
      expect((await get(sim, stats(`shares=${list([id])}`), {}, false)).status).toBe(400);
      expect((await get(sim, stats(`shares=${list(['not-a-urn'])}`))).status).toBe(400);
    });

    it('keeps the organization-level answer when no post is asked for', async () => {
      const r = await get(sim, stats(''));
      expect(r.json.elements).toHaveLength(1);
      expect(r.json.elements[0].totalShareStatistics.shareMentionsCount).toEqual(expect.any(Number));
    });
  });

  describe('socialMetadata', () => {
    it('answers results, statuses and errors keyed by the raw URN', async () => {
      const ids = [shares[0].id, ugcPosts[0].id, 'urn:li:share:7999999999999999999'];
      const r = await get(sim, `/rest/socialMetadata?ids=${list(ids)}`, { 'X-RestLi-Method': 'BATCH_GET' });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({
        results: { [ids[0]]: expectedSocialMetadata(shares[0]), [ids[1]]: expectedSocialMetadata(ugcPosts[0]) },
        statuses: { [ids[0]]: 200, [ids[1]]: 200, [ids[2]]: 404 },
        errors: { [ids[2]]: { status: 404, message: expect.any(String) } },
      });
      const sample = all.slice(0, 50).map(expectedSocialMetadata);
      const types = new Set(sample.flatMap((m) => Object.keys(m.reactionSummaries)));
      for (const t of types) expect(['LIKE', 'PRAISE', 'EMPATHY', 'INTEREST', 'APPRECIATION', 'ENTERTAINMENT', 'MAYBE']).toContain(t);
      expect(sample.some((m) => Object.keys(m.reactionSummaries).length < 6)).toBe(true);
      for (const m of sample) {
        expect(m.commentSummary.topLevelCount).toBeLessThanOrEqual(m.commentSummary.count);
        for (const [t, v] of Object.entries(m.reactionSummaries)) expect(v).toEqual({ reactionType: t, count: expect.any(Number) });
      }
    });

    it('rejects more than 50 ids (a simulator option), a wrong method and encoded lists', async () => {
      const ids = (n: number): string => list(all.slice(0, n).map((p) => p.id));
      expect((await get(sim, `/rest/socialMetadata?ids=${ids(50)}`)).status).toBe(200);
      expect((await get(sim, `/rest/socialMetadata?ids=${ids(51)}`)).status).toBe(400);
      await withSim({ socialMetadataBatchLimit: 60 }, async (s) => expect((await get(s, `/rest/socialMetadata?ids=${ids(60)}`)).status).toBe(200));
      expect((await get(sim, `/rest/socialMetadata?ids=${ids(2)}`, { 'X-RestLi-Method': 'FINDER' })).status).toBe(400);
      expect((await get(sim, `/rest/socialMetadata?ids=List%28${encodeURIComponent(all[0].id)}%29`)).status).toBe(400);
      expect((await get(sim, '/rest/socialMetadata')).status).toBe(400);
    });

    it('answers 403 when the token lacks r_organization_social_feed (a switch)', async () => {
      await withSim({}, async (s) => {
        s.switches.socialMetadataForbidden = true;
        const r = await get(s, `/rest/socialMetadata?ids=${list([all[0].id])}`);
        expect(r.status).toBe(403);
        expect(r.json).toEqual({ status: 403, serviceErrorCode: 100, code: 'ACCESS_DENIED', message: 'Not enough permissions to access: socialMetadata.BATCH_GET.20261001' });
        s.switches.socialMetadataForbidden = false;
        expect((await get(s, `/rest/socialMetadata?ids=${list([all[0].id])}`)).status).toBe(200);
      });
    });
  });

  describe('videoAnalytics', () => {
    const video = (p: Post, query: string): string => `/rest/videoAnalytics?q=entity&entity=${encodeURIComponent(p.id)}&${query}`;
    const range = (start: number, end: number): string => `timeRange=(start:${start},end:${end})`;
    const recent = videos[0];
    const oldest = videos.at(-1)!;

    it('requires type, one of the four metrics, and a ugcPost with a video', async () => {
      const missing = await get(sim, video(recent, 'aggregation=DAY'));
      expect(missing.status).toBe(400);
      expect(missing.json.message).toBe("Parameter 'type' is required");
      expect((await get(sim, video(recent, 'type=LIKES&aggregation=DAY'))).status).toBe(400);
      expect((await get(sim, video(recent, 'type=VIEWER&aggregation=MONTH'))).status).toBe(400);
      const share = await get(sim, video(shares[0], 'type=VIDEO_VIEW&aggregation=DAY'));
      expect(share.status).toBe(400);
      expect(share.json.errorDetails.inputErrors[0].description).toMatch(/^Shares are not supported/);
      expect((await get(sim, video(nonVideoUgc, 'type=VIDEO_VIEW&aggregation=DAY'))).status).toBe(400);
      expect((await get(sim, '/rest/videoAnalytics?q=entity&entity=urn%3Ali%3AugcPost%3A7999999999999999999&type=VIEWER')).status).toBe(404);
      expect((await get(sim, video(recent, 'type=VIEWER'), { Authorization: `Bearer ${LIMITED}` })).status).toBe(403);
    });

    it('answers one element per DAY bucket, start inclusive and end exclusive, whole days only', async () => {
      const start = TODAY - 20 * DAY_MS;
      const end = TODAY - 15 * DAY_MS;
      for (const type of ['VIDEO_VIEW', 'VIEWER', 'TIME_WATCHED', 'TIME_WATCHED_FOR_VIDEO_VIEWS'] as const) {
        const r = await get(sim, video(oldest, `type=${type}&aggregation=DAY&${range(start, end)}`));
        expect(r.status).toBe(200);
        expect(r.json.elements).toHaveLength(5);
        expect(r.json.elements).toEqual(expectedVideoAnalytics(oldest, type, 'DAY', NOW, { start, end }));
        expect(r.json.elements[0]).toEqual({ entity: oldest.id, type, value: expect.any(Number), timeRange: { start, end: start + DAY_MS } });
      }
      expect((await get(sim, video(oldest, `type=VIEWER&aggregation=DAY&${range(start + 1, end)}`))).status).toBe(400);
      expect((await get(sim, video(oldest, `type=VIEWER&aggregation=DAY&${range(end, start)}`))).status).toBe(400);
      expect((await get(sim, video(oldest, `type=VIEWER&aggregation=DAY&timeRange=%28start%3A${start}%2Cend%3A${end}%29`))).status).toBe(400);
      const week = await get(sim, video(oldest, `type=VIEWER&aggregation=WEEK&${range(TODAY - 28 * DAY_MS, TODAY)}`));
      expect(week.json.elements).toHaveLength(4);
      const total = await get(sim, video(oldest, `type=VIEWER&aggregation=ALL&${range(TODAY - 28 * DAY_MS, TODAY)}`));
      expect(total.json.elements).toEqual([
        { entity: oldest.id, type: 'VIEWER', value: week.json.elements.reduce((n: number, e: { value: number }) => n + e.value, 0), timeRange: { start: TODAY - 28 * DAY_MS, end: TODAY } },
      ]);
    });

    it('without timeRange, DAY answers the latest 10 buckets', async () => {
      const r = await get(sim, video(oldest, 'type=VIDEO_VIEW&aggregation=DAY'));
      expect(r.json.elements).toHaveLength(10);
      expect(r.json.elements.at(-1).timeRange.end).toBe(TODAY);
      expect(r.json.elements).toEqual(expectedVideoAnalytics(oldest, 'VIDEO_VIEW', 'DAY', NOW));
    });

    it('has views and viewers for 6 months only, and nothing before the day of publication', async () => {
      const yearAgo = TODAY - 360 * DAY_MS;
      expect(oldest.publishedAt).toBeLessThan(addUtcMonths(TODAY, -6));
      const views = await get(sim, video(oldest, `type=VIDEO_VIEW&aggregation=DAY&${range(yearAgo, TODAY)}`));
      expect(views.json.elements[0].timeRange.start).toBe(addUtcMonths(TODAY, -6));
      const watched = await get(sim, video(oldest, `type=TIME_WATCHED&aggregation=DAY&${range(yearAgo, TODAY)}`));
      expect(watched.json.elements[0].timeRange.start).toBe(utcDayStart(oldest.publishedAt));
      const fresh = await get(sim, video(recent, `type=VIEWER&aggregation=DAY&${range(TODAY - 60 * DAY_MS, TODAY)}`));
      expect(fresh.json.elements[0].timeRange.start).toBe(utcDayStart(recent.publishedAt));
    });
  });

  describe('organizationPageStatistics', () => {
    const pages = (query: string, q = 'organization'): string => `/rest/organizationPageStatistics?q=${q}&organization=${ENC_URN}${query}`;
    const interval = (start: number, end: number, g = 'DAY'): string => `&timeIntervals=(timeRange:(start:${start},end:${end}),timeGranularityType:${g})`;

    it('answers the lifetime element with every view key and the facets', async () => {
      const r = await get(sim, pages(''));
      expect(r.status).toBe(200);
      expect(r.json.elements).toEqual([expectedLifetimePageStatistics(ORG, NOW, 5)]);
      const el = r.json.elements[0];
      expect(PAGE_VIEW_KEYS).toHaveLength(27);
      expect(Object.keys(el.totalPageStatistics.views).sort()).toEqual([...PAGE_VIEW_KEYS].sort());
      expect(el.totalPageStatistics.views.allPageViews).toEqual({ pageViews: expect.any(Number) });
      expect(el.totalPageStatistics.views.desktopLifeAtPageViews).toEqual({ pageViews: expect.any(Number) });
      for (const [array, key] of [
        ['pageStatisticsBySeniority', 'seniority'],
        ['pageStatisticsByFunction', 'function'],
        ['pageStatisticsByStaffCountRange', 'staffCountRange'],
      ]) {
        expect(el[array]).toHaveLength(5);
        expect(Object.keys(el[array][0])).toEqual([key, 'pageStatistics']);
        expect(Object.keys(el[array][0].pageStatistics.views)).toHaveLength(27);
      }
      for (const [array, key] of [
        ['pageStatisticsByIndustryV2', 'industryV2'],
        ['pageStatisticsByGeo', 'geo'],
        ['pageStatisticsByGeoCountry', 'geo'],
      ]) {
        expect(el[array][0]).toEqual({ [key]: expect.stringMatching(/^urn:li:/), pageStatistics: { views: { allPageViews: { pageViews: expect.any(Number) } } } });
      }
      expect(el.pageStatisticsByTargetedContent).toEqual([]);
    });

    it('rejects q=organizationalEntity and a missing organization', async () => {
      const r = await get(sim, pages('', 'organizationalEntity'));
      expect(r.status).toBe(400);
      expect(r.json.code).toBe('PARAM_INVALID');
      expect(r.json.errorDetails.inputErrors[0].description).toContain('the finder is q=organization');
      expect((await get(sim, '/rest/organizationPageStatistics?q=organization')).status).toBe(400);
    });

    it('answers one element per bucket under the statistics time rules', async () => {
      const start = Date.UTC(2026, 9, 1);
      const end = start + 30 * DAY_MS;
      const r = await get(sim, pages(interval(start, end)));
      expect(r.status).toBe(200);
      expect(r.json.elements).toHaveLength(30);
      expect(r.json.elements).toEqual(expectedPageStatistics(ORG, start, end, 'DAY', NOW));
      const views = r.json.elements[0].totalPageStatistics.views;
      for (const key of PAGE_VIEW_KEYS) {
        expect([key, 'uniquePageViews' in views[key]]).toEqual([key, UNIQUE_PAGE_VIEW_KEYS.includes(key)]);
      }
      expect(r.json.elements[0].totalPageStatistics.clicks.desktopCustomButtonClickCounts[0]).toEqual({ customButtonType: 'VISIT_WEBSITE', clicks: expect.any(Number) });
      const months = await get(sim, pages(interval(Date.UTC(2025, 11, 1), Date.UTC(2026, 10, 1), 'MONTH')));
      expect(months.json.elements).toHaveLength(11);
      for (const [s, e] of [
        [start + 3_600_000, end],
        [Date.UTC(2025, 8, 1), Date.UTC(2026, 10, 1)],
      ]) {
        const bad = await get(sim, pages(interval(s, e)));
        expect(bad.status).toBe(400);
        expect(bad.json.message).toMatch(/^Invalid timeIntervals parameter/);
      }
      expect((await get(sim, pages(`&timeIntervals=%28timeRange%3A%28start%3A${start}%2Cend%3A${end}%29%2CtimeGranularityType%3ADAY%29`))).json.code).toBe('PARAM_INVALID');
    });
  });

  describe('organizationAcls', () => {
    const acls = (query: string): string => `/rest/organizationAcls?q=roleAssignee${query}`;

    it('filters by role and state and pages with start/count', async () => {
      const admin = await get(sim, acls('&role=ADMINISTRATOR&state=APPROVED'));
      expect(admin.status).toBe(200);
      expect(admin.json.elements).toEqual([
        { organization: URN, roleAssignee: roleAssigneeOf(TOKEN), role: 'ADMINISTRATOR', state: 'APPROVED' },
        { organization: `urn:li:organization:${OTHER_ORG}`, roleAssignee: roleAssigneeOf(TOKEN), role: 'ADMINISTRATOR', state: 'APPROVED' },
      ]);
      const everything = expectedAcls(TOKEN, defaultAclEntries([ORG, OTHER_ORG]));
      expect(new Set(everything.map((e) => e.state))).toEqual(new Set(['APPROVED', 'REQUESTED', 'REVOKED']));
      const seen: unknown[] = [];
      let path: string | undefined = acls('&start=0&count=3');
      while (path !== undefined) {
        const r = await get(sim, path);
        expect(r.json.paging.total).toBe(everything.length);
        seen.push(...r.json.elements);
        path = r.json.paging.links[0]?.href;
      }
      expect(seen).toEqual(everything);
      const limited = await get(sim, acls('&role=ADMINISTRATOR&state=APPROVED'), { Authorization: `Bearer ${LIMITED}` });
      expect(limited.json.elements.map((e: any) => e.organization)).toEqual([`urn:li:organization:${OTHER_ORG}`]);
      expect((await get(sim, acls('&role=OWNER'))).status).toBe(400);
      expect((await get(sim, acls('&state=PENDING'))).status).toBe(400);
      expect((await get(sim, '/rest/organizationAcls?role=ADMINISTRATOR')).status).toBe(400);
      expect((await get(sim, '/rest/organizationAcls?q=organization')).status).toBe(400);
    });

    it('answers no page for a token that administers none', async () => {
      await withSim({ acls: { [TOKEN]: [...OTHER_ACL_ENTRIES] } }, async (s) => {
        const r = await get(s, acls('&role=ADMINISTRATOR&state=APPROVED'));
        expect(r.json).toEqual({ paging: { start: 0, count: 10, total: 0, links: [] }, elements: [] });
      });
      await withSim({ acls: { [TOKEN]: [] } }, async (s) => expect((await get(s, acls(''))).json.elements).toEqual([]));
    });
  });

  it('networkSizes rejects the camel-case edgeType CompanyFollowedByMember', async () => {
    const r = await get(sim, `/rest/networkSizes/${ENC_URN}?edgeType=CompanyFollowedByMember`);
    expect(r.status).toBe(400);
    expect(r.json.errorDetails.inputErrors[0].description).toContain('COMPANY_FOLLOWED_BY_MEMBER');
  });

  it('restated days: after a revision the last final days change, older days do not', async () => {
    await withSim({}, async (s) => {
      const start = TODAY - 20 * DAY_MS;
      const follower = `/rest/organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity=${ENC_URN}&timeIntervals=(timeRange:(start:${start},end:${TODAY}),timeGranularityType:DAY)`;
      const share = follower.replace('Follower', 'Share');
      const page = `/rest/organizationPageStatistics?q=organization&organization=${ENC_URN}&timeIntervals=(timeRange:(start:${start},end:${TODAY}),timeGranularityType:DAY)`;
      const before = await Promise.all([follower, share, page].map((p) => get(s, p)));
      expect(before[0].json.elements).toEqual(expectedDailyFollowerGains(ORG, start, TODAY, NOW));
      expect(s.reviseStatistics()).toBe(1);
      const after = await Promise.all([follower, share, page].map((p) => get(s, p)));
      const restated = { revision: 1, days: 7, nowMs: NOW };
      expect(after[0].json.elements).toEqual(expectedDailyFollowerGains(ORG, start, TODAY, NOW, restated));
      expect(after[1].json.elements).toEqual(expectedDailyShareStatistics(ORG, start, TODAY, NOW, restated));
      expect(after[2].json.elements).toEqual(expectedPageStatistics(ORG, start, TODAY, 'DAY', NOW, restated));
      for (let k = 0; k < 3; k++) {
        const changed = after[k].json.elements.map((e: unknown, i: number) => JSON.stringify(e) !== JSON.stringify(before[k].json.elements[i]));
        // 20 days: the first 11 unchanged, the last 9 (7 final days and the 2 not final yet) restated
        expect(changed).toEqual([...Array(11).fill(false), ...Array(9).fill(true)]);
      }
      s.switches.restatedDays = 1;
      s.reviseStatistics();
      const third = await get(s, follower);
      expect(third.json.elements).toEqual(expectedDailyFollowerGains(ORG, start, TODAY, NOW, { revision: 2, days: 1, nowMs: NOW }));
    });
  });

  it('counts requests per endpoint', async () => {
    await withSim({}, async (s) => {
      await get(s, `/rest/posts?q=author&author=${ENC_URN}`);
      await get(s, `/rest/posts?q=author&author=${ENC_URN}&start=10`);
      await get(s, `/rest/socialMetadata?ids=${list([all[0].id])}`);
      await get(s, `/rest/organizationPageStatistics?q=organization&organization=${ENC_URN}`);
      await get(s, `/rest/organizationAcls?q=roleAssignee`);
      await get(s, `/rest/videoAnalytics?q=entity&entity=${encodeURIComponent(videos[0].id)}&type=VIEWER`);
      await get(s, `/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${ENC_URN}&shares=${list([shares[0].id])}`);
      await get(s, '/rest/nowhere');
      expect(s.requestCounts()).toEqual({
        posts: 2,
        socialMetadata: 1,
        organizationPageStatistics: 1,
        organizationAcls: 1,
        videoAnalytics: 1,
        organizationalEntityShareStatistics: 1,
        other: 1,
      });
      expect(s.requests[0].endpoint).toBe('posts');
    });
  });
});
