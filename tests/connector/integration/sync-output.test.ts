// The output of `sync`: checked before any request, never someone else's table, never a half-applied change.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PROJECT_ROOT, runInProcess, writeFiles, FakeClock, TEST_NOW } from '../../helpers/index.js';
import { MANIFEST_PATH, accessTokenConfig } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const tablesOf = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((row) => row.name);
  } finally {
    db.close();
  }
};
const columnsOf = (path: string, table: string): string[] => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((column) => column.name);
  } finally {
    db.close();
  }
};

// A whole sync includes the post streams (some 11,000 video rows per organization): more than the default time under load.
jest.setTimeout(120_000);

describe('sync output', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  let files: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: [2414183] });
    files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl) });
  });
  afterAll(() => sim.close());

  const sync = async (output: string, extra: string[] = [], config = files['config.json']) => {
    let stderr = '';
    const before = sim.requests.length;
    const run = await runInProcess(['sync', '--config', config, '--output', output, ...extra], { clock, stderr: { write: (text: string) => (stderr += text) } });
    return { ...run, stderr, requests: sim.requests.length - before };
  };

  describe('a database that already has a table named like a stream, which the connector did not create', () => {
    const userDatabase = () => {
      const path = join(files.dir, `user-${Math.random()}.sqlite`);
      const db = new Database(path);
      db.exec('CREATE TABLE organization_lookup (id INTEGER PRIMARY KEY, note TEXT)');
      db.prepare('INSERT INTO organization_lookup VALUES (?, ?)').run(7, 'mine');
      db.close();
      return path;
    };

    it('is refused before any request, naming the table and what to do; the database is left exactly as it was, on every rerun', async () => {
      const path = userDatabase();
      for (let run = 0; run < 2; run++) {
        const result = await sync(path);
        expect(result.code).toBe(1);
        expect(result.requests).toBe(0);
        expect(result.stderr).toBe(
          `The database ${path} already has a table "organization_lookup" that this connector did not create, so it is left untouched ` +
            '(the connector would use it as the table of stream "organization_lookup"). Sync into another file (--output other.sqlite), ' +
            "or give the connector's tables a prefix (--table-prefix PREFIX).\n",
        );
        expect(tablesOf(path)).toEqual(['organization_lookup']);
        expect(columnsOf(path, 'organization_lookup')).toEqual(['id', 'note']);
      }
    });

    it('with --table-prefix, the connector syncs beside it into its own tables and leaves it untouched', async () => {
      const path = userDatabase();
      const result = await sync(path, ['--table-prefix', 'li_']);
      expect(result.code).toBe(0);
      expect(tablesOf(path)).toEqual(expect.arrayContaining(['organization_lookup', 'li_organization_lookup', 'li__connector_state', 'li__connector_tables']));
      expect(tablesOf(path)).not.toContain('_connector_state');
      const db = new Database(path, { readonly: true });
      expect(db.prepare('SELECT * FROM organization_lookup').all()).toEqual([{ id: 7, note: 'mine' }]);
      expect((db.prepare('SELECT COUNT(*) AS n FROM li_organization_lookup').get() as { n: number }).n).toBe(1);
      db.close();
      expect((await sync(path, ['--table-prefix', 'li_'])).code).toBe(0);
    });
  });

  it('a database written before the connector recorded its tables is recognised as its own, and then recorded', async () => {
    // Such a database holds nested values as JSON text: it is synced on with --nested json.
    const path = join(files.dir, 'earlier.sqlite');
    const streams = ['--streams', 'organization_lookup', '--nested', 'json'];
    expect((await sync(path, streams)).code).toBe(0);
    const db = new Database(path);
    db.exec('DROP TABLE _connector_tables');
    db.close();
    expect((await sync(path, streams)).code).toBe(0);
    const again = new Database(path, { readonly: true });
    expect(again.prepare('SELECT name, stream FROM _connector_tables').all()).toEqual([{ name: 'organization_lookup', stream: 'organization_lookup' }]);
    again.close();
  });

  it('a schema change commits with the rows: a sync that fails before its first rows adds no column', async () => {
    const path = join(files.dir, 'evolving.sqlite');
    expect((await sync(path, ['--streams', 'total_follower_count'])).code).toBe(0);
    // The same connector, whose stream schema gained a field.
    const dir = join(files.dir, 'evolved');
    mkdirSync(dir);
    cpSync(join(PROJECT_ROOT, 'schemas'), join(dir, 'schemas'), { recursive: true });
    writeFileSync(join(dir, 'manifest.yaml'), readFileSync(MANIFEST_PATH, 'utf8'));
    const schemaPath = join(dir, 'schemas', 'total_follower_count.json');
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { properties: Record<string, unknown> };
    schema.properties.newField = { type: ['null', 'string'] };
    writeFileSync(schemaPath, JSON.stringify(schema));
    const refused = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { credentials: { auth_method: 'access_token', access_token: 'revoked' } }) });
    sim.addFault({ kind: 'status', status: 401, times: Infinity });
    const failed = await sync(path, ['--streams', 'total_follower_count', '--manifest', join(dir, 'manifest.yaml')], refused['config.json']);
    sim.clearFaults();
    expect(failed.code).toBe(1);
    expect(columnsOf(path, 'total_follower_count')).not.toContain('newField');
    expect((await sync(path, ['--streams', 'total_follower_count', '--manifest', join(dir, 'manifest.yaml')])).code).toBe(0);
    expect(columnsOf(path, 'total_follower_count')).toContain('newField');
  });

  describe('paths and formats, checked before the first request', () => {
    it('a missing folder names the path and why', async () => {
      const result = await sync(join(files.dir, 'no', 'such', 'pages.sqlite'));
      expect(result.code).toBe(1);
      expect(result.requests).toBe(0);
      expect(result.stderr).toBe(`Cannot use ${join(files.dir, 'no', 'such', 'pages.sqlite')} as the output database: its folder ${join(files.dir, 'no', 'such')} does not exist.\n`);
    });

    it('a file that is not a database is named, and left as it was', async () => {
      const path = join(files.dir, 'notes.db');
      writeFileSync(path, 'my notes\n');
      const result = await sync(path);
      expect(result.stderr).toBe(`Cannot use ${path} as the output database: the file is not a SQLite database.\n`);
      expect(result.requests).toBe(0);
      expect(readFileSync(path, 'utf8')).toBe('my notes\n');
    });

    it('a JSON Lines folder below a file is named with why', async () => {
      const file = join(files.dir, 'plain-file');
      writeFileSync(file, '');
      const result = await sync(join(file, 'out'));
      expect(result.stderr).toBe(`Cannot use ${join(file, 'out')} as the output folder: it, or a folder above it, is a file.\n`);
      expect(result.requests).toBe(0);
    });

    it('a folder the system refuses to make (under /proc) is named at once, not retried forever', async () => {
      const result = await sync('/proc/connector-output/pages');
      expect(result.code).toBe(1);
      expect(result.requests).toBe(0);
      expect(result.stderr).toBe('Cannot use /proc/connector-output/pages as the output folder: a folder cannot be made there.\n');
    });

    it('a config error leaves no database file behind', async () => {
      const bad = writeFiles({ 'config.json': { org_id: 'my page', credentials: { auth_method: 'access_token', access_token: 'x' } } });
      const path = join(files.dir, 'never.sqlite');
      const result = await sync(path, [], bad['config.json']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('org_id');
      expect(existsSync(path)).toBe(false);
    });

    it('a sync that fails before writing anything removes the database file it made', async () => {
      const path = join(files.dir, 'unused.sqlite');
      sim.addFault({ kind: 'status', status: 401, times: Infinity });
      const result = await sync(path);
      sim.clearFaults();
      expect(result.code).toBe(1);
      expect(existsSync(path)).toBe(false);
    });

    it.each(['pages.sqlite3', 'pages.db3', 'pages.DB'])('%s is a SQLite database', async (name) => {
      const path = join(files.dir, name);
      expect((await sync(path, ['--streams', 'organization_lookup'])).code).toBe(0);
      expect(tablesOf(path)).toContain('organization_lookup');
    });

    it('an unknown extension asks for --format instead of guessing; --format decides', async () => {
      const path = join(files.dir, 'pages.csv');
      const asked = await sync(path);
      expect(asked.code).toBe(1);
      expect(asked.requests).toBe(0);
      expect(asked.stderr).toBe(
        `Cannot tell from its extension what ${path} should be: give --format sqlite or --format jsonl (a SQLite database ends .sqlite, .sqlite3, .db, .db3; a folder of JSON Lines files has no extension).\n`,
      );
      expect(existsSync(path)).toBe(false);
      expect((await sync(path, ['--streams', 'organization_lookup', '--format', 'jsonl'])).code).toBe(0);
      expect(readdirSync(path).sort()).toEqual(['organization_lookup.jsonl', 'state.json']);
      const database = join(files.dir, 'pages.data');
      expect((await sync(database, ['--streams', 'organization_lookup', '--format', 'sqlite'])).code).toBe(0);
      expect(tablesOf(database)).toContain('organization_lookup');
    });
  });

  it('JSON Lines: a full-refresh stream is replaced on every sync; an incremental one gains only new records', async () => {
    const dir = join(files.dir, 'lines');
    const lines = (stream: string) => readFileSync(join(dir, `${stream}.jsonl`), 'utf8').trim().split('\n').length;
    const streams = ['--streams', 'organization_lookup,follower_statistics_time_bound'];
    expect((await sync(dir, streams)).code).toBe(0);
    const first = { lookup: lines('organization_lookup'), daily: lines('follower_statistics_time_bound') };
    expect(first.lookup).toBe(1);
    for (let run = 0; run < 2; run++) expect((await sync(dir, streams)).code).toBe(0);
    expect(lines('organization_lookup')).toBe(1);
    expect(lines('follower_statistics_time_bound')).toBe(first.daily);
    expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });
});
