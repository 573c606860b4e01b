// `sync` into SQLite with a generic manifest whose schema nests objects, arrays of objects, arrays of scalars and
// an open object: flattened columns typed from the schema, child tables keyed by the parent row and _index,
// upserts that replace child rows, columns added as fields appear, and --nested json for one JSON column per field.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { oneStreamManifest, runInProcess, startServer, writeFiles, writeManifest, type TestServer } from '../../helpers/index.js';

const SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: ['null', 'string'] },
    score: { type: ['null', 'number'] },
    active: { type: ['null', 'boolean'] },
    stats: {
      type: ['null', 'object'],
      properties: { views: { type: ['null', 'integer'] }, owner: { type: 'object', properties: { login: { type: 'string' } } } },
    },
    tags: { type: ['null', 'array'], items: { type: 'string' } },
    variants: {
      type: 'array',
      items: { type: 'object', properties: { sku: { type: 'string' }, price: { type: 'number' }, sizes: { type: 'array', items: { type: 'integer' } } } },
    },
    labels: { type: ['null', 'object'], additionalProperties: { type: 'string' } },
    either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    a: { type: 'object', properties: { b: { type: 'string' } } },
    a__b: { type: 'string' },
  },
};
const EVENT_SCHEMA = { type: 'object', properties: { kind: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } };

const item = (id: number, tags: string[], variants: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  id,
  name: `item ${id}`,
  score: id + 0.5,
  active: id % 2 === 0,
  stats: { views: id * 10, owner: { login: `user${id}` } },
  tags,
  variants,
  labels: { en: `Item ${id}`, fr: `Objet ${id}` },
  either: id === 1 ? 'one' : 2,
  a: { b: 'nested a.b' },
  a__b: 'top-level a__b',
  ...extra,
});

let server: TestServer;
let items: Record<string, unknown>[] = [];
let events: Record<string, unknown>[] = [];
let manifest: string;
let config: string;

beforeAll(async () => {
  server = await startServer((request) => ({ body: { elements: request.path === '/events' ? events : items } }));
  const base = oneStreamManifest();
  const eventsStream = { ...base.streams[0], name: 'events', primary_key: [], schema_file: 'schemas/events.json' };
  eventsStream.retriever = { ...eventsStream.retriever, requester: { ...eventsStream.retriever.requester, path: '/events' } };
  manifest = writeManifest({ ...base, streams: [base.streams[0], eventsStream] }, { items: SCHEMA, events: EVENT_SCHEMA });
  config = writeFiles({ 'config.json': { base: server.url } })['config.json'];
});
afterAll(() => server.close());

const sync = async (database: string, extra: string[] = []) => {
  let stderr = '';
  const before = server.requests.length;
  const run = await runInProcess(['sync', '--manifest', manifest, '--config', config, '--output', database, ...extra], { stderr: { write: (text: string) => (stderr += text) } });
  return { code: run.code, stderr, requests: server.requests.length - before };
};

function query<T = Record<string, unknown>>(database: string, sql: string): T[] {
  const db = new Database(database, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
const columns = (database: string, table: string) =>
  Object.fromEntries(query<{ name: string; type: string }>(database, `PRAGMA table_info("${table}")`).map((column) => [column.name, column.type]));
const tables = (database: string) => query<{ name: string }>(database, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((row) => row.name);
const newDatabase = () => join(writeFiles({}).dir, 'out.sqlite');

const FIRST = () => [
  item(1, ['red', 'blue'], [{ sku: 'A', price: 1.5, sizes: [36, 38] }, { sku: 'B', price: 2 }]),
  item(2, ['green'], [{ sku: 'C', price: 3, sizes: [40] }]),
];

describe('sync into SQLite, nested values flattened (the default)', () => {
  it('objects become parent__child columns typed from the schema; open objects and unions are JSON text; a name taken twice gets __2', async () => {
    const database = newDatabase();
    items = FIRST();
    events = [];
    expect(await sync(database)).toMatchObject({ code: 0, stderr: expect.not.stringContaining('rror') });
    expect(columns(database, 'items')).toEqual({
      id: 'INTEGER',
      name: 'TEXT',
      score: 'REAL',
      active: 'INTEGER',
      stats__views: 'INTEGER',
      stats__owner__login: 'TEXT',
      labels: 'TEXT',
      either: 'TEXT',
      a__b: 'TEXT',
      a__b__2: 'TEXT',
      _extracted_at: 'INTEGER',
    });
    expect(query(database, 'SELECT * FROM items ORDER BY id').map(({ _extracted_at, ...row }) => row)).toEqual([
      { id: 1, name: 'item 1', score: 1.5, active: 0, stats__views: 10, stats__owner__login: 'user1', labels: '{"en":"Item 1","fr":"Objet 1"}', either: 'one', a__b: 'nested a.b', a__b__2: 'top-level a__b' },
      { id: 2, name: 'item 2', score: 2.5, active: 1, stats__views: 20, stats__owner__login: 'user2', labels: '{"en":"Item 2","fr":"Objet 2"}', either: '2', a__b: 'nested a.b', a__b__2: 'top-level a__b' },
    ]);
    expect(query(database, `SELECT column_name, path FROM _connector_columns WHERE table_name = 'items' AND column_name LIKE 'a\\_\\_b%' ESCAPE '\\' ORDER BY 1`)).toEqual([
      { column_name: 'a__b', path: '["a","b"]' },
      { column_name: 'a__b__2', path: '["a__b"]' },
    ]);
  });

  it('arrays become child tables carrying the parent key and _index: of objects (flattened), of scalars (value), nested', async () => {
    const database = newDatabase();
    items = FIRST();
    expect((await sync(database)).code).toBe(0);
    expect(tables(database)).toEqual(['_connector_columns', '_connector_state', '_connector_tables', 'events', 'events__tags', 'items', 'items__tags', 'items__variants', 'items__variants__sizes']);
    expect(columns(database, 'items__tags')).toEqual({ id: 'INTEGER', _index: 'INTEGER', value: 'TEXT' });
    expect(query(database, 'SELECT * FROM items__tags ORDER BY id, _index')).toEqual([
      { id: 1, _index: 0, value: 'red' },
      { id: 1, _index: 1, value: 'blue' },
      { id: 2, _index: 0, value: 'green' },
    ]);
    expect(columns(database, 'items__variants')).toEqual({ id: 'INTEGER', _index: 'INTEGER', sku: 'TEXT', price: 'REAL' });
    expect(query(database, 'SELECT * FROM items__variants ORDER BY id, _index')).toEqual([
      { id: 1, _index: 0, sku: 'A', price: 1.5 },
      { id: 1, _index: 1, sku: 'B', price: 2 },
      { id: 2, _index: 0, sku: 'C', price: 3 },
    ]);
    expect(query(database, 'SELECT * FROM items__variants__sizes ORDER BY id, _parent_index, _index')).toEqual([
      { id: 1, _parent_index: 0, _index: 0, value: 36 },
      { id: 1, _parent_index: 0, _index: 1, value: 38 },
      { id: 2, _parent_index: 0, _index: 0, value: 40 },
    ]);
    expect(query(database, 'SELECT name, stream, nested FROM _connector_tables ORDER BY name')).toEqual(
      ['events', 'events__tags', 'items', 'items__tags', 'items__variants', 'items__variants__sizes'].map((name) => ({ name, stream: name.split('__')[0], nested: 'flatten' })),
    );
  });

  it('a stream without a primary key: child rows carry the row id of their parent row (_row_id) as _parent_row_id', async () => {
    const database = newDatabase();
    items = [];
    events = [
      { kind: 'open', tags: ['x', 'y'] },
      { kind: 'close', tags: ['z'] },
    ];
    expect((await sync(database)).code).toBe(0);
    expect((await sync(database)).code).toBe(0);
    const joined = query(database, 'SELECT e._row_id AS row, e.kind, t._index, t.value FROM events e JOIN events__tags t ON t._parent_row_id = e._row_id ORDER BY e._row_id, t._index');
    expect(joined.map(({ kind, _index, value }) => `${String(kind)}:${String(_index)}:${String(value)}`)).toEqual(['open:0:x', 'open:1:y', 'close:0:z', 'open:0:x', 'open:1:y', 'close:0:z']);
    expect(new Set(joined.map((row) => row.row)).size).toBe(4);
  });

  it('an upsert replaces the child rows of its row: a second sync with changed arrays leaves no stale child row', async () => {
    const database = newDatabase();
    items = FIRST();
    expect((await sync(database)).code).toBe(0);
    items = [item(1, ['blue'], [{ sku: 'B2', price: 9, sizes: [] }]), item(2, [], [])];
    expect((await sync(database)).code).toBe(0);
    expect(query(database, 'SELECT id FROM items ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(query(database, 'SELECT * FROM items__tags')).toEqual([{ id: 1, _index: 0, value: 'blue' }]);
    expect(query(database, 'SELECT * FROM items__variants')).toEqual([{ id: 1, _index: 0, sku: 'B2', price: 9 }]);
    expect(query(database, 'SELECT * FROM items__variants__sizes')).toEqual([]);
  });

  it('a field that appears in a later sync adds a column, typed from its value; existing rows are kept; a field that goes keeps its column', async () => {
    const database = newDatabase();
    items = FIRST();
    expect((await sync(database)).code).toBe(0);
    const { tags: _tags, ...withoutTags } = item(3, [], [{ sku: 'D', price: 4, colour: 'teal' }], { rank: 7, meta: { source: 'feed' }, name: null });
    items = [withoutTags, { ...item(1, ['red'], []), score: 'high' }];
    expect((await sync(database)).code).toBe(0);
    expect(columns(database, 'items')).toMatchObject({ rank: 'INTEGER', meta: 'TEXT', score: 'REAL' });
    expect(query(database, 'SELECT id, name, rank, meta, score FROM items ORDER BY id')).toEqual([
      { id: 1, name: 'item 1', rank: null, meta: null, score: 'high' },
      { id: 2, name: 'item 2', rank: null, meta: null, score: 2.5 },
      { id: 3, name: null, rank: 7, meta: '{"source":"feed"}', score: 3.5 },
    ]);
    expect(columns(database, 'items__variants')).toMatchObject({ colour: 'TEXT' });
    expect(query(database, 'SELECT id, sku, colour FROM items__variants ORDER BY id, _index')).toEqual([
      { id: 2, sku: 'C', colour: null },
      { id: 3, sku: 'D', colour: 'teal' },
    ]);
    expect(query(database, 'SELECT id, value FROM items__tags ORDER BY id')).toEqual([
      { id: 1, value: 'red' },
      { id: 2, value: 'green' },
    ]);
  });

  it('rows, child rows and state commit in one transaction: a child row that fails to insert leaves the database as the last sync left it', async () => {
    const database = newDatabase();
    items = FIRST();
    expect((await sync(database)).code).toBe(0);
    const before = { items: query(database, 'SELECT * FROM items'), tags: query(database, 'SELECT * FROM items__tags'), state: query(database, "SELECT * FROM _connector_state WHERE stream = 'items'") };
    const db = new Database(database);
    db.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON items__tags WHEN NEW.value = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END`);
    db.close();
    items = [item(1, ['fine', 'boom'], []), item(4, ['new'], [])];
    const failed = await sync(database);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('boom refused');
    expect({ items: query(database, 'SELECT * FROM items'), tags: query(database, 'SELECT * FROM items__tags'), state: query(database, "SELECT * FROM _connector_state WHERE stream = 'items'") }).toEqual(before);
  });

  it('a table named like a child table that the connector did not create is refused, naming it, before any request', async () => {
    const database = newDatabase();
    const db = new Database(database);
    db.exec('CREATE TABLE items__variants (mine TEXT)');
    db.close();
    const result = await sync(database);
    expect(result).toMatchObject({ code: 1, requests: 0 });
    expect(result.stderr).toContain('already has a table "items__variants" that this connector did not create');
    expect(result.stderr).toContain('the child table of field "variants" of table "items"');
    expect(tables(database)).toEqual(['items__variants']);
  });
});

describe('--nested json', () => {
  it('keeps one column per top-level field, objects and arrays as JSON text, unknown fields in _additional_fields; no child table', async () => {
    const database = newDatabase();
    items = [item(1, ['red'], [{ sku: 'A', price: 1 }], { rank: 7 })];
    events = [];
    expect((await sync(database, ['--nested', 'json'])).code).toBe(0);
    expect(tables(database)).toEqual(['_connector_state', '_connector_tables', 'events', 'items']);
    expect(columns(database, 'items')).toEqual({
      id: 'INTEGER',
      name: 'TEXT',
      score: 'REAL',
      active: 'INTEGER',
      stats: 'TEXT',
      tags: 'TEXT',
      variants: 'TEXT',
      labels: 'TEXT',
      either: 'TEXT',
      a: 'TEXT',
      a__b: 'TEXT',
      _extracted_at: 'INTEGER',
      _additional_fields: 'TEXT',
    });
    const [row] = query(database, 'SELECT * FROM items');
    expect(row).toMatchObject({ stats: '{"views":10,"owner":{"login":"user1"}}', tags: '["red"]', variants: '[{"sku":"A","price":1}]', _additional_fields: '{"rank":7}' });
  });

  it('switching the layout of an existing database is refused, naming the table, and leaves it untouched', async () => {
    const database = newDatabase();
    items = FIRST();
    expect((await sync(database, ['--nested', 'json'])).code).toBe(0);
    const refused = await sync(database);
    expect(refused).toMatchObject({ code: 1, requests: 0 });
    expect(refused.stderr).toBe(
      `The table "items" in ${database} was written with --nested json (nested objects and arrays as JSON text); this sync asks for --nested flatten ` +
        '(nested objects as parent__child columns, arrays as child tables), and the two do not mix in one table, so the database is left untouched. ' +
        "Sync with --nested json to go on with it, or sync into another file (--output other.sqlite), or give the connector's tables a prefix (--table-prefix PREFIX).\n",
    );
    expect(tables(database)).toEqual(['_connector_state', '_connector_tables', 'events', 'items']);
    expect((await sync(database, ['--nested', 'json'])).code).toBe(0);
    const flat = newDatabase();
    expect((await sync(flat)).code).toBe(0);
    expect((await sync(flat, ['--nested', 'json'])).stderr).toContain('was written with --nested flatten');
  });

  it('a database whose table record predates --nested holds JSON text: synced on with --nested json, which records that; refused flattened', async () => {
    const database = newDatabase();
    items = FIRST();
    expect((await sync(database, ['--nested', 'json'])).code).toBe(0);
    const db = new Database(database);
    db.exec('ALTER TABLE _connector_tables DROP COLUMN nested');
    db.close();
    expect((await sync(database)).stderr).toContain('The table "items" in');
    expect((await sync(database, ['--nested', 'json'])).code).toBe(0);
    expect(query(database, 'SELECT name, nested FROM _connector_tables ORDER BY name')).toEqual([
      { name: 'events', nested: null },
      { name: 'items', nested: null },
    ]);
    expect(query(database, 'SELECT count(*) AS n FROM items')).toEqual([{ n: 2 }]);
  });

  it('a value other than flatten or json is a usage error; --nested with a JSON Lines folder is refused', async () => {
    expect(await sync(newDatabase(), ['--nested', 'deep'])).toMatchObject({ code: 2, requests: 0, stderr: expect.stringContaining('--nested is "deep"; expected flatten or json.') });
    const folder = join(writeFiles({}).dir, 'lines');
    expect(await sync(folder, ['--nested', 'json'])).toMatchObject({ code: 1, requests: 0, stderr: expect.stringContaining('--nested applies to a SQLite database') });
  });
});
