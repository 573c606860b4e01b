import { existsSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConnectorError, configError } from '../core/errors.js';
import type { DeclarativeStream } from '../streams/declarative-stream.js';
import type { Destination } from './destination.js';
import { savedStateProblem } from './saved-state.js';

interface Table {
  name: string;
  columns: string[];
  /** The schema changes this sync makes to the table, run in the transaction of its first rows. */
  pendingDdl: string[];
  /** Whether the table is yet to be recorded as the connector's (new, or made before that record was kept). */
  unrecorded: boolean;
  insert?: Database.Statement;
  upsertSql: string;
  /** Rows received since the stream's last state, written with the next one. */
  pending: unknown[][];
}

const STATE_TABLE = '_connector_state';
/** The tables this connector created, so it never writes to (or alters) a table of anyone else's. */
const OWNED_TABLE = '_connector_tables';
const EXTRACTED_AT = '_extracted_at';
const EXTRA = '_additional_fields';

/**
 * One table per stream, columns from the stream's JSON schema (objects and arrays as JSON text), plus the
 * extraction time. Streams with a primary key are upserted. A stream's rows are held until its next state and
 * written with that state in one transaction, together with any table the connector creates or column it adds,
 * so the saved state, the rows and the tables never disagree, and a sync that fails leaves the database as it was.
 * The connector records the tables it creates and refuses to touch a table of the same name that it did not create.
 */
export class SqliteDestination implements Destination {
  private readonly db: Database.Database;
  private readonly tables = new Map<string, Table>();
  private readonly stateTable: string;
  private readonly ownedTable: string;
  /** Whether this sync made the database file, and so removes it when it wrote nothing into it. */
  private readonly createdFile: boolean;
  private committed = false;

  constructor(
    private readonly path: string,
    private readonly prefix = '',
  ) {
    this.stateTable = `${prefix}${STATE_TABLE}`;
    this.ownedTable = `${prefix}${OWNED_TABLE}`;
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
      for (const stream of streams) this.tables.set(stream.name, this.planTable(stream, owned));
      if (!this.exists(this.stateTable)) return [];
      const rows = this.db.prepare(`SELECT stream, state FROM ${quote(this.stateTable)}`).all() as { stream: string; state: string }[];
      return rows.map((row) => parseSavedState(row, this.stateTable, this.path));
    } catch (error) {
      this.close();
      throw outputError(this.path, error);
    }
  }

  record(stream: string, data: Record<string, unknown>, emittedAt: number): void {
    const table = this.table(stream);
    const extra = Object.fromEntries(Object.entries(data).filter(([key]) => !table.columns.includes(key)));
    table.pending.push([...table.columns.map((column) => toSql(data[column])), emittedAt, Object.keys(extra).length > 0 ? JSON.stringify(extra) : null]);
  }

  checkpoint(stream: string, state: Record<string, unknown>): void {
    const table = this.table(stream);
    this.db.transaction(() => {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${quote(this.stateTable)} (stream TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL)`);
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${quote(this.ownedTable)} (name TEXT PRIMARY KEY, stream TEXT NOT NULL, created_at INTEGER NOT NULL)`);
      for (const statement of table.pendingDdl) this.db.exec(statement);
      if (table.unrecorded) {
        this.db.prepare(`INSERT INTO ${quote(this.ownedTable)} (name, stream, created_at) VALUES (?, ?, ?)`).run(table.name, stream, Date.now());
      }
      table.insert ??= this.db.prepare(table.upsertSql);
      for (const row of table.pending) table.insert.run(row);
      this.db
        .prepare(
          `INSERT INTO ${quote(this.stateTable)} (stream, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
        )
        .run(stream, JSON.stringify(state), Date.now());
    })();
    table.pendingDdl = [];
    table.unrecorded = false;
    table.pending = [];
    this.committed = true;
  }

  complete(): void {
    // Rows are upserted by primary key as they come: nothing to replace.
  }

  close(): void {
    // Rows after a stream's last state are covered by no state: the next run reads them again.
    if (this.db.open) this.db.close();
    this.removeIfUnused();
  }

  private removeIfUnused(): void {
    if (!this.createdFile || this.committed) return;
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${this.path}${suffix}`, { force: true });
  }

  private table(stream: string): Table {
    const table = this.tables.get(stream);
    if (!table) throw new Error(`no table was prepared for stream "${stream}"`);
    return table;
  }

  private exists(name: string): boolean {
    return this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
  }

  private columnsOf(name: string): string[] {
    return (this.db.prepare(`PRAGMA table_info(${quote(name)})`).all() as { name: string }[]).map((column) => column.name);
  }

  /**
   * The tables this connector created. A database written before the connector kept that record has its state
   * table and, for each stream, a table with the connector's own `_extracted_at` and `_additional_fields` columns:
   * those are the connector's too.
   */
  private ownedTables(): { owned: Set<string>; recorded: Set<string> } {
    if (this.exists(this.ownedTable)) {
      const recorded = new Set((this.db.prepare(`SELECT name FROM ${quote(this.ownedTable)}`).all() as { name: string }[]).map((row) => row.name));
      return { owned: recorded, recorded };
    }
    if (this.exists(this.stateTable) && !sameColumns(this.columnsOf(this.stateTable), ['stream', 'state', 'updated_at'])) {
      throw refusal(this.path, this.stateTable, 'its state table');
    }
    const owned = new Set<string>();
    if (this.exists(this.stateTable)) {
      for (const row of this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]) {
        const columns = this.columnsOf(row.name);
        if (columns.includes(EXTRACTED_AT) && columns.includes(EXTRA)) owned.add(row.name);
      }
    }
    return { owned, recorded: new Set() };
  }

  /** The table of a stream: refused when someone else's; otherwise the statements that create or extend it. */
  private planTable(stream: DeclarativeStream, { owned, recorded }: { owned: Set<string>; recorded: Set<string> }): Table {
    const name = `${this.prefix}${stream.name}`;
    const properties = (stream.schema.properties ?? {}) as Record<string, { type?: string | string[] }>;
    const columns = Object.keys(properties);
    const definitions = columns.map((column) => `${quote(column)} ${sqlType(properties[column].type)}`);
    const pendingDdl: string[] = [];
    if (!this.exists(name)) {
      const key = stream.primaryKey.length > 0 ? `, PRIMARY KEY (${stream.primaryKey.map(quote).join(', ')})` : '';
      pendingDdl.push(`CREATE TABLE ${quote(name)} (${[...definitions, `${quote(EXTRACTED_AT)} INTEGER NOT NULL`, `${quote(EXTRA)} TEXT`].join(', ')}${key})`);
    } else {
      if (!owned.has(name)) throw refusal(this.path, name, `the table of stream "${stream.name}"`);
      // A schema that gained fields since the table was made gets the new columns; none is dropped or retyped.
      const existing = new Set(this.columnsOf(name));
      for (const [index, column] of columns.entries()) {
        if (!existing.has(column)) pendingDdl.push(`ALTER TABLE ${quote(name)} ADD COLUMN ${definitions[index]}`);
      }
    }
    const all = [...columns, EXTRACTED_AT, EXTRA];
    const placeholders = all.map(() => '?').join(', ');
    const upsert =
      stream.primaryKey.length > 0
        ? ` ON CONFLICT (${stream.primaryKey.map(quote).join(', ')}) DO UPDATE SET ${all.filter((c) => !stream.primaryKey.includes(c)).map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`
        : '';
    return { name, columns, pendingDdl, unrecorded: !recorded.has(name), pending: [], upsertSql: `INSERT INTO ${quote(name)} (${all.map(quote).join(', ')}) VALUES (${placeholders})${upsert}` };
  }
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

function sqlType(type: string | string[] | undefined): string {
  const types = (Array.isArray(type) ? type : [type]).filter((t) => t !== 'null');
  if (types.length !== 1) return 'TEXT';
  switch (types[0]) {
    case 'integer':
    case 'boolean':
      return 'INTEGER';
    case 'number':
      return 'REAL';
    default:
      return 'TEXT';
  }
}

function toSql(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
