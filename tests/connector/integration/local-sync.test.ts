import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLI_PATH, runInProcess, writeFiles, DAY_MS, FakeClock, TEST_NOW } from '../../helpers/index.js';
import { accessTokenConfig, activeApiVersion } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const ORGS = [2414183, 1035];
const TABLES = [
  'organization_lookup',
  'follower_statistics',
  'share_statistics',
  'total_follower_count',
  'follower_statistics_time_bound',
  'share_statistics_time_bound',
  'page_statistics',
  'page_statistics_time_bound',
];

/**
 * Every table's rows (the streams' tables and their child tables), without the extraction time: what a user would
 * query. A table is made with its first rows.
 */
function snapshot(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const present = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_connector\\_%' ESCAPE '\\'`).all() as { name: string }[]).map((t) => t.name);
    return Object.fromEntries(
      [...new Set([...TABLES, ...present])].sort().map((table) => [
        table,
        present.includes(table)
          ? (db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]).map(({ _extracted_at, ...row }) => JSON.stringify(row)).sort()
          : [],
      ]),
    );
  } finally {
    db.close();
  }
}

describe('sync into a local SQLite database', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  let files: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: ORGS });
    files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(',') }) });
  });
  afterAll(() => sim.close());

  const sync = (output: string, extra: string[] = []) =>
    runInProcess(['sync', '--config', files['config.json'], '--output', output, ...extra], { clock, stderr: { write: () => true } });

  it('two syncs in a row: the second adds only the new days; tables answer the sqlite3 shell', async () => {
    clock.set(TEST_NOW);
    const database = join(files.dir, 'pages.sqlite');
    const first = await sync(database);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    const afterFirst = snapshot(database);
    expect(afterFirst.follower_statistics_time_bound).toHaveLength(362 * ORGS.length);
    expect(afterFirst.organization_lookup).toHaveLength(ORGS.length);

    clock.advance(2 * DAY_MS);
    const before = sim.requests.length;
    expect((await sync(database)).code).toBe(0);
    const timeBound = sim.requests.slice(before).filter((r) => r.rawQuery.includes('timeIntervals'));
    // One request per time-bound stream per organization, re-reading 7 days before the 2 new ones.
    expect(timeBound).toHaveLength(3 * ORGS.length);
    const afterSecond = snapshot(database);
    expect(afterSecond.follower_statistics_time_bound).toHaveLength(364 * ORGS.length);
    // "Now only" streams keep one dated snapshot per organization per sync day: two days, two rows each.
    expect(afterSecond.total_follower_count).toHaveLength(2 * ORGS.length);
    expect(afterSecond.organization_lookup).toHaveLength(ORGS.length);

    const shell = execFileSync('sqlite3', [database, 'SELECT count(*), count(DISTINCT timeRangeStart) FROM share_statistics_time_bound;'], { encoding: 'utf8' });
    expect(shell.trim()).toBe(`${364 * ORGS.length}|364`);
    const nested = execFileSync('sqlite3', [database, "SELECT followerGains__organicFollowerGain IS NOT NULL FROM follower_statistics_time_bound LIMIT 1;"], {
      encoding: 'utf8',
    });
    expect(nested.trim()).toBe('1');
  });

  it('a sync killed mid-way and run again leaves the tables equal to an uninterrupted sync', async () => {
    const uninterrupted = join(files.dir, 'whole.sqlite');
    clock.set(TEST_NOW);
    expect((await sync(uninterrupted)).code).toBe(0);

    // The real CLI in a child process, killed (SIGKILL: no chance to clean up) after some windows were saved.
    const config = writeFiles({ 'c.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(','), api_version: activeApiVersion() }) })['c.json'];
    const killed = join(files.dir, 'killed.sqlite');
    clock.set(Date.now());
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [CLI_PATH, 'sync', '--config', config, '--output', killed], { stdio: ['ignore', 'ignore', 'pipe'] });
      let seen = 0;
      // Killed when the fourth of the six time-bound requests (one per stream per organization) arrives.
      sim.addFault({ kind: 'slow', delayMs: 10, times: Infinity, match: (request) => (request.rawQuery.includes('timeIntervals') && ++seen === 4 && child.kill('SIGKILL'), false) });
      child.on('close', () => resolve());
    });
    sim.clearFaults();
    const partial = snapshot(killed);
    const partialRows = Object.values(partial).reduce((n, rows) => n + rows.length, 0);
    expect(partialRows).toBeGreaterThan(0);
    expect(partial.follower_statistics_time_bound.length + partial.share_statistics_time_bound.length + partial.page_statistics_time_bound.length).toBeLessThan(
      3 * 362 * ORGS.length,
    );

    // Run again to completion, at the same moment the killed one ran.
    const resumed = await runInProcess(['sync', '--config', config, '--output', killed], { clock, stderr: { write: () => true } });
    expect(resumed.code).toBe(0);
    const fresh = join(files.dir, 'fresh.sqlite');
    expect((await runInProcess(['sync', '--config', config, '--output', fresh], { clock, stderr: { write: () => true } })).code).toBe(0);
    expect(snapshot(killed)).toEqual(snapshot(fresh));
    expect(snapshot(fresh).follower_statistics_time_bound.length).toBeGreaterThan(0);
  }, 180_000);

  it('writes JSON Lines files and a state file to a folder, and resumes from that state', async () => {
    clock.set(TEST_NOW);
    const folder = join(files.dir, 'jsonl');
    expect((await sync(folder, ['--streams', 'follower_statistics_time_bound,organization_lookup'])).code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['follower_statistics_time_bound.jsonl', 'organization_lookup.jsonl', 'state.json']);
    const lines = readFileSync(join(folder, 'follower_statistics_time_bound.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(362 * ORGS.length);
    expect(JSON.parse(lines[0])).toHaveProperty('_extracted_at');
    clock.advance(DAY_MS);
    expect((await sync(folder, ['--streams', 'follower_statistics_time_bound'])).code).toBe(0);
    // JSON Lines files are appended to: the new day, and the 7 final days before it re-read (lookback_days).
    expect(readFileSync(join(folder, 'follower_statistics_time_bound.jsonl'), 'utf8').trim().split('\n')).toHaveLength((362 + 8) * ORGS.length);
    const text = readFileSync(join(folder, 'state.json'), 'utf8') + lines.join('');
    expect(text).not.toContain('sim-access-token');
  });

  it('never writes a secret to the database', async () => {
    clock.set(TEST_NOW);
    const database = join(files.dir, 'secret.sqlite');
    await sync(database);
    expect(readFileSync(database).includes(Buffer.from('sim-access-token'))).toBe(false);
    expect(existsSync(`${database}-wal`) ? readFileSync(`${database}-wal`).includes(Buffer.from('sim-access-token')) : false).toBe(false);
  });

  it('ends with a summary counting every request sent and every retry', async () => {
    clock.set(TEST_NOW);
    const before = sim.requests.length;
    sim.addFault({ kind: 'status', status: 503, times: 2 });
    const run = await runInProcess(['sync', '--config', files['config.json'], '--output', join(files.dir, 'counted.sqlite')], { clock });
    sim.clearFaults();
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`Sync finished in [\\d.]+ s: ${sim.requests.length - before} requests, 2 retries\\.`));
  });

  it('reports a bad --streams name and a broken config clearly, on stderr, with exit 1', async () => {
    let stderr = '';
    const run = await runInProcess(['sync', '--config', files['config.json'], '--output', join(files.dir, 'x.sqlite'), '--streams', 'nope'], {
      clock,
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(run.code).toBe(1);
    expect(stderr).toContain('Unknown stream(s): nope');
  });
});
