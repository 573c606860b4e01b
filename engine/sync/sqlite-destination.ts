import { existsSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConnectorError, configError } from '../core/errors.js';
import type { DeclarativeStream } from '../streams/declarative-stream.js';
import type { Destination } from './destination.js';
import { isPlainObject, pathName, shapeOf, toSql, typeOfValue, type NestedMode, type Shape, type SqlType } from './nested-shape.js';
import { savedStateProblem } from './saved-state.js';
import { SqlTable, quote, type FixedColumn, type SqlTableOptions } from './sqlite-table.js';

/** One row to write: a stream's, or an array element's in a child table, which copies its parent row's keys. */
interface PendingRow {
  table: SqlTable;
  values: Map<string, unknown>;
  parent?: PendingRow;
}

interface StreamTables {
  root: SqlTable;
  /** The shapes of the record's top-level fields. */
  fields: Map<string, Shape>;
  /** Records received since the stream's last state (each a stream row and its child rows), written with the next one. */
  pending: PendingRow[][];
}

/** What `_connector_tables` says of a table the connector created. */
interface OwnedTable {
  /** Absent for a table of a database written before the record was kept. */
  stream?: string;
  nested: NestedMode;
}

interface Ownership {
  owned: Map<string, OwnedTable>;
  /** The tables `_connector_tables` lists already. */
  recorded: Set<string>;
}

type TableLayout = Omit<SqlTableOptions, 'name' | 'stream' | 'nested' | 'existing' | 'recorded'>;

const STATE_TABLE = '_connector_state';
/** The tables this connector created, so it never writes to (or alters) a table of anyone else's. */
const OWNED_TABLE = '_connector_tables';
/** Which path of a record each column of a flattened table holds, so a later sync writes it to the same column. */
const COLUMNS_TABLE = '_connector_columns';
const EXTRACTED_AT = '_extracted_at';
const EXTRA = '_additional_fields';
/** A stream without a primary key: its table's row id, which child rows carry as `_parent_row_id`. */
const ROW_ID = '_row_id';
const PARENT_ROW_ID = '_parent_row_id';
/** A child row's position in its array. */
const INDEX = '_index';

const NESTED_HOW: Record<NestedMode, string> = {
  flatten: 'nested objects as parent__child columns, arrays as child tables',
  json: 'nested objects and arrays as JSON text',
};

/**
 * One table per stream, plus extraction time. Flattened (the default), a nested object's fields are columns named
 * `parent__child` and an array's elements are the rows of a child table `<table>__<field>`, carrying the parent
 * row's key and the element's `_index`; with `nested` json, every object and array is one JSON text column, as
 * before flattening existed. Streams with a primary key are upserted, their child rows replaced with them. A
 * stream's rows are held until its next state and written with that state in one transaction, together with any
 * table the connector creates or column it adds, so the saved state, the rows and the tables never disagree, and a
 * sync that fails leaves the database as it was. The connector records the tables it creates (and how it lays them
 * out) and refuses to touch a table of the same name that it did not create, or laid out the other way.
 */
export class SqliteDestination implements Destination {
  private readonly db: Database.Database;
  private readonly streams = new Map<string, StreamTables>();
  private readonly stateTable: string;
  private readonly ownedTable: string;
  private readonly columnsTable: string;
  /** Whether this sync made the database file, and so removes it when it wrote nothing into it. */
  private readonly createdFile: boolean;
  private committed = false;
  /** The record of owned tables, from before it said how each is laid out, gains that column with the first rows. */
  private ownedLacksNested = false;
  /** The names of the tables this sync writes, so that no two get the same. */
  private readonly planned = new Set<string>();

  constructor(
    private readonly path: string,
    private readonly prefix = '',
    private readonly nested: NestedMode = 'flatten',
  ) {
    this.stateTable = `${prefix}${STATE_TABLE}`;
    this.ownedTable = `${prefix}${OWNED_TABLE}`;
    this.columnsTable = `${prefix}${COLUMNS_TABLE}`;
    this.createdFile = !existsSync(path);
    if (!existsSync(dirname(resolve(path)))) throw configError('OUTPUT_INVALID', `Cannot use ${path} as the output database: its folder ${dirname(resolve(path))} does not exist.`);
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
    } catch (error) {
      this.removeIfUnused();
      throw outputError(path, error);
    }
  }

  open(streams: DeclarativeStream[]): unknown[] {
    try {
      const owned = this.ownedTables();
      for (const stream of streams) this.planned.add(`${this.prefix}${stream.name}`);
      for (const stream of streams) this.streams.set(stream.name, this.planStream(stream, owned));
      if (!this.exists(this.stateTable)) return [];
      const rows = this.db.prepare(`SELECT stream, state FROM ${quote(this.stateTable)}`).all() as { stream: string; state: string }[];
      return rows.map((row) => parseSavedState(row, this.stateTable, this.path));
    } catch (error) {
      this.close();
      throw outputError(this.path, error);
    }
  }

  record(stream: string, data: Record<string, unknown>, emittedAt: number): void {
    const tables = this.tablesOf(stream);
    const root: PendingRow = { table: tables.root, values: new Map() };
    const rows = [root];
    const extra: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(data)) {
      const shape = tables.fields.get(field);
      if (this.nested === 'json' && shape === undefined) extra[field] = value;
      else this.put(root, [field], shape, value, rows);
    }
    root.values.set(EXTRACTED_AT, emittedAt);
    if (this.nested === 'json') root.values.set(EXTRA, Object.keys(extra).length > 0 ? JSON.stringify(extra) : null);
    tables.pending.push(rows);
  }

  checkpoint(stream: string, state: Record<string, unknown>): void {
    const tables = this.tablesOf(stream);
    const all = tables.root.withDescendants();
    this.db.transaction(() => {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${quote(this.stateTable)} (stream TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL)`);
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${quote(this.ownedTable)} (name TEXT PRIMARY KEY, stream TEXT NOT NULL, created_at INTEGER NOT NULL, nested TEXT)`);
      if (this.ownedLacksNested) this.db.exec(`ALTER TABLE ${quote(this.ownedTable)} ADD COLUMN nested TEXT`);
      if (this.nested === 'flatten') {
        this.db.exec(
          `CREATE TABLE IF NOT EXISTS ${quote(this.columnsTable)} (table_name TEXT NOT NULL, column_name TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (table_name, column_name))`,
        );
      }
      for (const table of all) {
        for (const statement of table.schemaChanges()) this.db.exec(statement);
        const { paths, unrecorded } = table.bookkeeping();
        if (unrecorded) {
          this.db.prepare(`INSERT INTO ${quote(this.ownedTable)} (name, stream, created_at, nested) VALUES (?, ?, ?, ?)`).run(table.name, stream, Date.now(), this.nested);
        }
        if (paths.length === 0) continue;
        const recordPath = this.db.prepare(`INSERT INTO ${quote(this.columnsTable)} (table_name, column_name, path) VALUES (?, ?, ?)`);
        for (const [column, path] of paths) recordPath.run(table.name, column, path);
      }
      for (const rows of tables.pending) this.writeRecord(rows, all.slice(1));
      this.db
        .prepare(
          `INSERT INTO ${quote(this.stateTable)} (stream, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
        )
        .run(stream, JSON.stringify(state), Date.now());
    })();
    for (const table of all) table.committed();
    this.ownedLacksNested = false;
    tables.pending = [];
    this.committed = true;
  }

  complete(): void {
    // Rows are upserted by primary key as they come (their child rows with them): nothing to replace.
  }

  close(): void {
    // Rows after a stream's last state are covered by no state: the next run reads them again.
    if (this.db.open) this.db.close();
    this.removeIfUnused();
  }

  /** Puts `value`, found at `path` of the row's record or element, into the row's columns or into child rows. */
  private put(row: PendingRow, path: string[], shape: Shape | undefined, value: unknown, rows: PendingRow[]): void {
    if (value === undefined || value === null) return;
    if (shape?.kind === 'object' && isPlainObject(value)) {
      for (const [key, inner] of Object.entries(value)) this.put(row, [...path, key], shape.fields.get(key), inner, rows);
      return;
    }
    if (shape?.kind === 'array' && Array.isArray(value)) {
      const child = row.table.children.get(JSON.stringify(path));
      if (child === undefined) throw new Error(`no child table was prepared for ${JSON.stringify(path)} of table "${row.table.name}"`);
      for (const [index, element] of value.entries()) {
        const childRow: PendingRow = { table: child, values: new Map([[INDEX, index]]), parent: row };
        rows.push(childRow);
        if (shape.items.kind === 'object' && isPlainObject(element)) this.put(childRow, [], shape.items, element, rows);
        else this.put(childRow, ['value'], shape.items, element, rows);
      }
      return;
    }
    const type = shape?.kind === 'value' ? shape.type : typeOfValue(value);
    row.values.set(row.table.column(path, type), toSql(value));
  }

  /** A record's rows: its old child rows deleted and written anew with its row, or linked to the row id it was given. */
  private writeRecord([root, ...children]: PendingRow[], childTables: SqlTable[]): void {
    const table = root.table;
    if (table.upserts) {
      const key = table.primaryKey.map((column) => root.values.get(column) ?? null);
      for (const childTable of childTables) childTable.deleteWhere(this.db, table.primaryKey, key);
    }
    const rowid = table.write(this.db, root.values);
    if (!table.upserts) root.values.set(ROW_ID, rowid);
    for (const row of children) {
      for (const [from, to] of row.table.inherits) row.values.set(to, row.parent?.values.get(from) ?? null);
      row.table.write(this.db, row.values);
    }
  }

  private removeIfUnused(): void {
    if (!this.createdFile || this.committed) return;
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${this.path}${suffix}`, { force: true });
  }

  private tablesOf(stream: string): StreamTables {
    const tables = this.streams.get(stream);
    if (!tables) throw new Error(`no table was prepared for stream "${stream}"`);
    return tables;
  }

  private exists(name: string): boolean {
    return this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
  }

  private columnsOf(name: string): string[] {
    return (this.db.prepare(`PRAGMA table_info(${quote(name)})`).all() as { name: string }[]).map((column) => column.name);
  }

  /**
   * The tables this connector created, and how each is laid out. A database written before the connector kept
   * that record has its state table and, for each stream, a table with the connector's own `_extracted_at` and
   * `_additional_fields` columns: those are the connector's too, with nested values as JSON text (as are the tables
   * recorded before the record said how a table is laid out).
   */
  private ownedTables(): Ownership {
    if (this.exists(this.ownedTable)) {
      this.ownedLacksNested = !this.columnsOf(this.ownedTable).includes('nested');
      const rows = this.db.prepare(`SELECT name, stream${this.ownedLacksNested ? '' : ', nested'} FROM ${quote(this.ownedTable)}`).all() as {
        name: string;
        stream: string;
        nested?: string | null;
      }[];
      const owned = new Map(rows.map((row): [string, OwnedTable] => [row.name, { stream: row.stream, nested: row.nested === 'flatten' ? 'flatten' : 'json' }]));
      return { owned, recorded: new Set(owned.keys()) };
    }
    if (this.exists(this.stateTable) && !sameColumns(this.columnsOf(this.stateTable), ['stream', 'state', 'updated_at'])) {
      throw refusal(this.path, this.stateTable, 'its state table');
    }
    const owned = new Map<string, OwnedTable>();
    if (this.exists(this.stateTable)) {
      for (const row of this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]) {
        const columns = this.columnsOf(row.name);
        if (columns.includes(EXTRACTED_AT) && columns.includes(EXTRA)) owned.set(row.name, { nested: 'json' });
      }
    }
    return { owned, recorded: new Set() };
  }

  /** The tables of a stream, each refused when someone else's or laid out the other way; their columns declared. */
  private planStream(stream: DeclarativeStream, ownership: Ownership): StreamTables {
    const properties = isPlainObject(stream.schema.properties) ? Object.entries(stream.schema.properties) : [];
    const fields = new Map(properties.map(([name, schema]) => [name, shapeOf(schema, this.nested)]));
    const keyed = stream.primaryKey.length > 0;
    const root = this.planTable(ownership, `${this.prefix}${stream.name}`, `the table of stream "${stream.name}"`, stream.name, {
      leading: !keyed && this.nested === 'flatten' ? [[ROW_ID, 'INTEGER PRIMARY KEY']] : [],
      trailing: [[EXTRACTED_AT, 'INTEGER NOT NULL'], ...(this.nested === 'json' ? [[EXTRA, 'TEXT'] as FixedColumn] : [])],
      primaryKey: stream.primaryKey,
      upserts: keyed,
    });
    const keyTypes = new Map<string, SqlType>();
    for (const key of stream.primaryKey) {
      const shape = fields.get(key);
      keyTypes.set(key, shape?.kind === 'value' ? shape.type : 'TEXT');
    }
    for (const [name, shape] of fields) this.declare(ownership, root, [name], shape, keyTypes);
    // A primary key field the schema does not declare still needs its column for the table's key.
    for (const key of stream.primaryKey) root.column([key], keyTypes.get(key) ?? 'TEXT');
    return { root, fields, pending: [] };
  }

  /** Declares the columns (and child tables) of `shape` at `path` of the table's rows. */
  private declare(ownership: Ownership, table: SqlTable, path: string[], shape: Shape, keyTypes: Map<string, SqlType>): void {
    if (shape.kind === 'value') table.column(path, shape.type);
    else if (shape.kind === 'object') for (const [key, inner] of shape.fields) this.declare(ownership, table, [...path, key], inner, keyTypes);
    else table.children.set(JSON.stringify(path), this.planChild(ownership, table, path, shape.items, keyTypes));
  }

  /**
   * The child table of the array at `path` of `parent`'s rows, `<parent>__<path>` (`__2`, ... when another table
   * has that name): its rows carry the parent row's key, named as in the parent (but the stream's `_row_id` as
   * `_parent_row_id` and the parent's `_index` as `_parent_index`, and so on up), and their own `_index`.
   */
  private planChild(ownership: Ownership, parent: SqlTable, path: string[], items: Shape, keyTypes: Map<string, SqlType>): SqlTable {
    const base = `${parent.name}__${pathName(path)}`;
    let name = base;
    for (let n = 2; this.planned.has(name); n++) name = `${base}__${n}`;
    this.planned.add(name);
    const parentKey = parent.primaryKey.length > 0 ? parent.primaryKey : [ROW_ID];
    const inherits = parentKey.map((column): [string, string] => [column, column === ROW_ID ? PARENT_ROW_ID : isPosition(column) ? `_parent${column}` : column]);
    const key = [...inherits.map(([, column]) => column), INDEX];
    const child = this.planTable(ownership, name, `the child table of field "${pathName(path)}" of table "${parent.name}"`, parent.stream, {
      leading: key.map((column): FixedColumn => [column, column === PARENT_ROW_ID || isPosition(column) ? 'INTEGER' : (keyTypes.get(column) ?? '')]),
      trailing: [],
      primaryKey: key,
      upserts: false,
      inherits,
      items,
    });
    this.declare(ownership, child, items.kind === 'object' ? [] : ['value'], items, keyTypes);
    return child;
  }

  private planTable({ owned, recorded }: Ownership, name: string, role: string, stream: string, layout: TableLayout): SqlTable {
    let existing: SqlTableOptions['existing'];
    if (this.exists(name)) {
      const record = owned.get(name);
      if (record === undefined || (record.stream !== undefined && record.stream !== stream)) throw refusal(this.path, name, role);
      if (record.nested !== this.nested) throw mixedLayout(this.path, name, record.nested, this.nested);
      const paths =
        this.nested === 'flatten' && this.exists(this.columnsTable)
          ? (this.db.prepare(`SELECT column_name, path FROM ${quote(this.columnsTable)} WHERE table_name = ?`).all(name) as { column_name: string; path: string }[])
          : [];
      existing = { columns: this.columnsOf(name), paths: paths.map((row): [string, string] => [row.column_name, row.path]) };
    }
    return new SqlTable({ name, stream, nested: this.nested, existing, recorded: recorded.has(name), ...layout });
  }
}

/** `_index`, `_parent_index`, `_parent_parent_index`, ...: a position in an array. */
function isPosition(column: string): boolean {
  return /^(_parent)*_index$/.test(column);
}

function mixedLayout(path: string, table: string, was: NestedMode, now: NestedMode): Error {
  return configError(
    'OUTPUT_INVALID',
    `The table "${table}" in ${path} was written with --nested ${was} (${NESTED_HOW[was]}); this sync asks for --nested ${now} (${NESTED_HOW[now]}), ` +
      `and the two do not mix in one table, so the database is left untouched. Sync with --nested ${was} to go on with it, ` +
      "or sync into another file (--output other.sqlite), or give the connector's tables a prefix (--table-prefix PREFIX).",
  );
}

function refusal(path: string, table: string, as: string): Error {
  return configError(
    'OUTPUT_INVALID',
    `The database ${path} already has a table "${table}" that this connector did not create, so it is left untouched (the connector would use it as ${as}). ` +
      'Sync into another file (--output other.sqlite), or give the connector\'s tables a prefix (--table-prefix PREFIX).',
  );
}

function parseSavedState(row: { stream: string; state: string }, table: string, path: string): unknown {
  const where = `The saved state of stream "${row.stream}" in table ${table} of ${path}`;
  const reset = `Delete that row (DELETE FROM ${table} WHERE stream = '${row.stream.replace(/'/g, "''")}') to sync that stream from its start date.`;
  let state: unknown;
  try {
    state = JSON.parse(row.state) as unknown;
  } catch {
    throw configError('STATE_INVALID', `${where} is not valid JSON. ${reset}`);
  }
  const problem = savedStateProblem(state, row.stream);
  if (problem !== undefined) throw configError('STATE_INVALID', `${where} is not a STATE message of that stream (${problem}). ${reset}`);
  return state;
}

/** An output that cannot be used, said with its path and the reason; errors of the connector's own pass through. */
function outputError(path: string, error: unknown): Error {
  if (error instanceof ConnectorError) return error;
  const code = (error as { code?: string }).code;
  const why =
    code === 'SQLITE_NOTADB'
      ? 'the file is not a SQLite database'
      : code === 'SQLITE_CANTOPEN'
        ? 'it cannot be opened (does its folder exist, and may it be written?)'
        : code === 'SQLITE_READONLY'
          ? 'it is read-only'
          : (error as Error).message;
  return configError('OUTPUT_INVALID', `Cannot use ${path} as the output database: ${why}.`);
}

function sameColumns(actual: string[], expected: string[]): boolean {
  return actual.length === expected.length && expected.every((column) => actual.includes(column));
}
