// The SQL of README.md's "Query it" section, read from the README and run unchanged against the database the demo
// syncs (the simulator's two pages, on the real clock as `npm run demo` does), checking what each says it answers.
// Also: every demographics row is named, and a second sync asks LinkedIn for no label.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PROJECT_ROOT, runInProcess, writeFiles } from '../../helpers/index.js';
import { accessTokenConfig } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const ORGS = ['2414183', '1035'];
const LOOKUP_ENDPOINTS = ['geo', 'industries', 'functions', 'seniorities'];

/** The ```sql blocks of the README's "Query it" section, in order. */
function readmeQueries(): string[] {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Query it\n');
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1]);
}

type Row = Record<string, any>;

let sim: Simulator;
let database: string;
let sync: () => ReturnType<typeof runInProcess>;
beforeAll(async () => {
  sim = await startSimulator({ organizations: ORGS.map(Number) });
  const files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(', ') }) });
  database = join(files.dir, 'linkedin-pages.sqlite');
  sync = () => runInProcess(['sync', '--config', files['config.json'], '--output', database], { stderr: { write: () => true } });
  expect((await sync()).code).toBe(0);
});
afterAll(() => sim.close());

/** The query's rows. */
function run(sql: string): Row[] {
  const db = new Database(database, { readonly: true });
  try {
    return db.prepare(sql).all() as Row[];
  } finally {
    db.close();
  }
}

function one(sql: string): unknown {
  const db = new Database(database, { readonly: true });
  try {
    return Object.values(db.prepare(sql).get() as Row)[0];
  } finally {
    db.close();
  }
}

describe('README "Query it"', () => {
  const queries = readmeQueries();

  it('has the three queries, none with a URN join, json_extract or epoch arithmetic on the daily table', () => {
    expect(queries).toHaveLength(3);
    for (const sql of queries) expect(sql).not.toMatch(/json_extract|urn:li:/);
    expect(queries[0]).not.toMatch(/unixepoch|strftime|\/ 1000/);
  });

  it('(a) daily follower gains per page for the last 30 days', () => {
    const rows = run(queries[0]);
    expect(Object.keys(rows[0])).toEqual(['organization_id', 'date', 'organic_gain', 'paid_gain']);
    expect(new Set(rows.map((row) => row.organization_id))).toEqual(new Set(ORGS));
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    for (const row of rows) {
      expect(row.date >= from && row.date < today).toBe(true);
      expect(typeof row.organic_gain).toBe('number');
    }
    expect(rows.length).toBeGreaterThanOrEqual(2 * 27);
  });

  it('(b) the top 10 posts of last month by engagement, with their text', () => {
    const rows = run(queries[1]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(10);
    const engagements = rows.map((row) => row.engagement as number);
    expect([...engagements].sort((a, b) => b - a)).toEqual(engagements);
    for (const row of rows) expect(ORGS).toContain(row.organization_id);
  });

  it('(c) followers by country, named: each country of each page with its name and its followers', () => {
    const rows = run(queries[2]);
    expect(rows).toBeDefined();
    expect(rows.length).toBe(5 * ORGS.length);
    for (const row of rows) {
      expect(ORGS).toContain(row.organization_id);
      expect(row.country).toMatch(/^[A-Z][A-Za-z .]+$/);
      const raw = one(
        `SELECT c.followerCounts__organicFollowerCount + c.followerCounts__paidFollowerCount FROM follower_statistics__followerCountsByGeoCountry c
           JOIN follower_demographics d ON d.value = c.geo AND d.facet = 'geo_country' AND d.organizationalEntity = c.organizationalEntity
          WHERE d.organization_id = '${row.organization_id}' AND d.label = '${String(row.country).replace(/'/g, "''")}'`,
      );
      expect(row.followers).toBe(raw);
    }
  });

  it('every demographics row is named, and a second sync asks for no label again', async () => {
    expect(one('SELECT COUNT(*) FROM follower_demographics WHERE label IS NULL')).toBe(0);
    expect(one('SELECT COUNT(*) FROM page_demographics WHERE label IS NULL')).toBe(0);
    expect(one('SELECT COUNT(*) FROM follower_demographics')).toBe(62);
    const lookups = () => LOOKUP_ENDPOINTS.reduce((sum, endpoint) => sum + (sim.requestCounts()[endpoint] ?? 0), 0);
    const before = lookups();
    expect(before).toBeGreaterThan(0);
    expect((await sync()).code).toBe(0);
    expect(lookups()).toBe(before);
    expect(one('SELECT COUNT(*) FROM follower_demographics WHERE label IS NULL')).toBe(0);
  });
});
