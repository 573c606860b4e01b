// Post analytics (posts, post_statistics, post_social_metadata, video_analytics) synced into SQLite against the
// simulator's organization 2414183 (300 posts over 12 months, 20 videos): requests per endpoint on the first sync
// and on seven daily syncs after it, posts never emitted twice, edits and deletions, a stopped sync resumed, posts
// without activity kept with zero counts, and a token without the socialMetadata scope.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DAY_MS, FakeClock, records, runInProcess, TEST_NOW, traces, writeFiles } from '../../helpers/index.js';
import { accessTokenConfig, connectorManifest, POST_STREAMS, writeConnectorManifest } from '../linkedin.js';
import { hasNoActivity, postShareStatisticsElement, startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const ENDPOINTS = ['posts', 'organizationalEntityShareStatistics', 'socialMetadata', 'videoAnalytics'];
const YEAR_MS = 365 * DAY_MS;

function rows(path: string, table: string): Record<string, unknown>[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]).map(({ _extracted_at, ...row }) => row);
  } finally {
    db.close();
  }
}

/** Every post table's rows as sorted JSON lines, for comparing two databases. */
function snapshot(path: string): Record<string, string[]> {
  return Object.fromEntries(POST_STREAMS.map((table) => [table, rows(path, table).map((row) => JSON.stringify(row)).sort()]));
}

// Each test runs several syncs of 300 posts and their 10,000 video rows into SQLite.
jest.setTimeout(240_000);

describe('post analytics', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  let files: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now() });
    const budget = connectorManifest();
    budget.request_budget = { max_requests: 60 };
    files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl) });
    files['budget.yaml'] = writeConnectorManifest(join(files.dir, 'budget.yaml'), budget);
  });
  afterAll(() => sim.close());

  const counted = () => {
    const counts = sim.requestCounts();
    return Object.fromEntries(ENDPOINTS.map((endpoint) => [endpoint, counts[endpoint] ?? 0]));
  };
  const minus = (after: Record<string, number>, before: Record<string, number>) => Object.fromEntries(ENDPOINTS.map((e) => [e, after[e] - before[e]]));
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

  async function sync(database: string, extra: string[] = []) {
    const before = counted();
    const run = await runInProcess(['sync', '--config', files['config.json'], '--output', database, '--streams', POST_STREAMS.join(','), ...extra], {
      clock,
      stderr: { write: () => true },
    });
    return { ...run, requests: minus(counted(), before) };
  }

  it('first sync at most 110 requests, seven daily syncs at most 40 a day on average, per endpoint', async () => {
    clock.set(TEST_NOW);
    const database = join(files.dir, 'daily.sqlite');
    const first = await sync(database);
    expect(first.code).toBe(0);
    // Three pages for the stream, three for its children (read once for all three).
    expect(first.requests.posts).toBeLessThanOrEqual(6);
    expect(first.requests.organizationalEntityShareStatistics).toBeLessThanOrEqual(16);
    expect(first.requests.socialMetadata).toBeLessThanOrEqual(7);
    expect(first.requests.videoAnalytics).toBe(20 * 4);
    expect(total(first.requests)).toBeLessThanOrEqual(110);
    expect(rows(database, 'posts')).toHaveLength(300);
    expect(rows(database, 'post_social_metadata')).toHaveLength(300);

    const week: Record<string, number> = Object.fromEntries(ENDPOINTS.map((e) => [e, 0]));
    for (let day = 1; day <= 7; day++) {
      clock.set(TEST_NOW + day * DAY_MS);
      const daily = await sync(database);
      expect(daily.code).toBe(0);
      for (const e of ENDPOINTS) week[e] += daily.requests[e];
    }
    expect(total(week) / 7).toBeLessThanOrEqual(40);
    // Every post's figures were taken again within the week: young ones daily, older ones once.
    // (Posts that turned 12 months old during the week are no longer asked for.)
    const firstDay = new Date(TEST_NOW).toISOString().slice(0, 10);
    const later = new Set(rows(database, 'post_statistics').filter((row) => row.snapshot_date !== firstDay).map((row) => row.post));
    const yearBefore = new Date(TEST_NOW + 7 * DAY_MS);
    yearBefore.setUTCMonth(yearBefore.getUTCMonth() - 12);
    expect(later.size).toBe(sim.postsOf(2414183).filter((post) => post.publishedAt > yearBefore.getTime()).length);
  });

  it('posts without activity get zero-count rows; posts over 12 months old are not asked for', async () => {
    clock.set(TEST_NOW);
    const database = join(files.dir, 'zero.sqlite');
    expect((await sync(database, ['--nested', 'json'])).code).toBe(0);
    const posts = sim.postsOf(2414183);
    const recent = posts.filter((post) => post.publishedAt > TEST_NOW - YEAR_MS);
    const statistics = rows(database, 'post_statistics');
    expect(statistics.map((row) => row.post).sort()).toEqual(recent.map((post) => post.id).sort());
    const silent = recent.filter((post) => postShareStatisticsElement(post, TEST_NOW) === undefined);
    expect(silent.length).toBeGreaterThan(0);
    for (const post of silent) {
      const row = statistics.find((r) => r.post === post.id);
      expect(JSON.parse(String(row?.totalShareStatistics))).toMatchObject({ impressionCount: 0, clickCount: 0, likeCount: 0 });
    }
    expect(recent.some(hasNoActivity) || silent.length > 0).toBe(true);
  });

  it('short and overlapping pages: every post once; a rerun emits none again; an edited post comes again; a deleted one is no error', async () => {
    clock.set(TEST_NOW);
    sim.switches.shortPostPages = true;
    sim.switches.overlappingPostPages = 7;
    try {
      const state = join(files.dir, 'feed.sqlite');
      const read = async () => {
        const run = await sync(state);
        expect(run.code).toBe(0);
        return run;
      };
      await read();
      const ids = rows(state, 'posts').map((row) => row.id);
      expect(new Set(ids).size).toBe(300);

      const files2 = writeFiles({ 'catalog.json': { streams: [{ stream: { name: 'posts', json_schema: {}, supported_sync_modes: ['incremental'] }, sync_mode: 'incremental', destination_sync_mode: 'append' }] } });
      const once = await runInProcess(['read', '--config', files['config.json'], '--catalog', files2['catalog.json']], { clock });
      const emitted = records(once.messages, 'posts').map((r) => r.id as string);
      expect(emitted).toHaveLength(300);
      expect(new Set(emitted).size).toBe(300);

      const again = await read();
      expect(again.stdout).toBe('');
      clock.advance(60_000);
      const [edited, deleted] = [sim.postsOf(2414183)[40].id, sim.postsOf(2414183)[41].id];
      sim.editPost(edited);
      sim.deletePost(deleted);
      const before = sim.requests.length;
      const after = await read();
      expect(after.code).toBe(0);
      const postRequests = sim.requests.slice(before).filter((r) => r.endpoint === 'posts');
      expect(postRequests.length).toBeGreaterThanOrEqual(1);
      const row = rows(state, 'posts').find((r) => r.id === edited);
      expect(Number(row?.lastModifiedAt)).toBeGreaterThan(TEST_NOW);
    } finally {
      sim.switches.shortPostPages = false;
      sim.switches.overlappingPostPages = 0;
    }
  });

  it('a sync stopped by its request budget and run again loses nothing and repeats nothing', async () => {
    clock.set(TEST_NOW);
    const whole = join(files.dir, 'whole.sqlite');
    expect((await sync(whole)).code).toBe(0);
    const stopped = join(files.dir, 'stopped.sqlite');
    const cut = await sync(stopped, ['--manifest', files['budget.yaml']]);
    expect(cut.code).toBe(1);
    expect(total(cut.requests)).toBeLessThanOrEqual(60);
    let runs = 0;
    for (;;) {
      const next = await sync(stopped, ['--manifest', files['budget.yaml']]);
      runs += 1;
      if (next.code === 0) break;
      expect(runs).toBeLessThan(10);
    }
    expect(snapshot(stopped)).toEqual(snapshot(whole));
  });

  it('without the scope r_organization_social_feed: post_social_metadata fails with a config error, the other streams complete', async () => {
    clock.set(TEST_NOW);
    sim.switches.socialMetadataForbidden = true;
    try {
      const catalogFile = writeFiles({
        'catalog.json': {
          streams: POST_STREAMS.map((name) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })),
        },
      });
      const run = await runInProcess(['read', '--config', files['config.json'], '--catalog', catalogFile['catalog.json']], { clock });
      expect(run.code).toBe(1);
      const errors = traces(run.messages, 'ERROR');
      expect(errors).toHaveLength(1);
      expect(errors[0].error).toMatchObject({ failure_type: 'config_error', stream_descriptor: { name: 'post_social_metadata' } });
      expect(errors[0].error.message).toContain('r_organization_social_feed');
      const statuses = run.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS').map((m) => `${m.trace.stream_status.stream_descriptor.name} ${m.trace.stream_status.status}`);
      for (const name of ['posts', 'post_statistics', 'video_analytics']) expect(statuses).toContain(`${name} COMPLETE`);
      expect(statuses).toContain('post_social_metadata INCOMPLETE');

      const database = join(files.dir, 'forbidden.sqlite');
      const synced = await sync(database);
      expect(synced.code).toBe(1);
      expect(rows(database, 'posts')).toHaveLength(sim.postsOf(2414183).length);
      expect(rows(database, 'video_analytics').length).toBeGreaterThan(0);
    } finally {
      sim.switches.socialMetadataForbidden = false;
    }
  });
});
