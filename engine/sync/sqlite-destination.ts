import Database from 'better-sqlite3';
import type { DeclarativeStream } from '../streams/declarative-stream.js';
import type { Destination } from './destination.js';

interface Table {
  columns: string[];
  insert: Database.Statement;
  /** Rows received since the stream's last state, written with the next one. */
  pending: unknown[][];
}

const STATE_TABLE = '_connector_state';
const EXTRACTED_AT = '_extracted_at';
const EXTRA = '_additional_fields';

/**
 * One table per stream, columns from the stream's JSON schema (objects and arrays as JSON text), plus the
 * extraction time. Streams with a primary key are upserted. A stream's rows are held until its next state and
 * written with that state in one transaction, so the saved state and the rows never disagree, even after a crash.
 */
export class SqliteDestination implements Destination {
  private readonly db: Database.Database;
  private readonly tables = new Map<string, Table>();
  private saveState?: Database.Statement;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
  }

  open(streams: DeclarativeStream[]): unknown[] {
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (stream TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL)`);
    this.saveState = this.db.prepare(
      `INSERT INTO ${STATE_TABLE} (stream, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
    for (const stream of streams) this.tables.set(stream.name, this.prepareTable(stream));
    const rows = this.db.prepare(`SELECT state FROM ${STATE_TABLE}`).all() as { state: string }[];
    return rows.map((row) => JSON.parse(row.state) as unknown);
  }

  record(stream: string, data: Record<string, unknown>, emittedAt: number): void {
    const table = this.tables.get(stream)!;
    const extra = Object.fromEntries(Object.entries(data).filter(([key]) => !table.columns.includes(key)));
    table.pending.push([...table.columns.map((column) => toSql(data[column])), emittedAt, Object.keys(extra).length > 0 ? JSON.stringify(extra) : null]);
  }

  checkpoint(stream: string, state: Record<string, unknown>): void {
    const table = this.tables.get(stream)!;
    this.db.transaction(() => {
      for (const row of table.pending) table.insert.run(row);
      this.saveState!.run(stream, JSON.stringify(state), Date.now());
    })();
    table.pending = [];
  }

  close(): void {
    // Rows after a stream's last state are covered by no state: the next run reads them again.
    this.db.close();
  }

  private prepareTable(stream: DeclarativeStream): Table {
    const properties = (stream.schema.properties ?? {}) as Record<string, { type?: string | string[] }>;
    const columns = Object.keys(properties);
    const definitions = columns.map((column) => `${quote(column)} ${sqlType(properties[column].type)}`);
    const key = stream.primaryKey.length > 0 ? `, PRIMARY KEY (${stream.primaryKey.map(quote).join(', ')})` : '';
    const name = quote(stream.name);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${name} (${[...definitions, `${quote(EXTRACTED_AT)} INTEGER NOT NULL`, `${quote(EXTRA)} TEXT`].join(', ')}${key})`);
    // A schema that gained fields since the table was made gets the new columns.
    const existing = new Set((this.db.prepare(`PRAGMA table_info(${name})`).all() as { name: string }[]).map((c) => c.name));
    for (const [index, column] of columns.entries()) {
      if (!existing.has(column)) this.db.exec(`ALTER TABLE ${name} ADD COLUMN ${definitions[index]}`);
    }
    const all = [...columns, EXTRACTED_AT, EXTRA];
    const placeholders = all.map(() => '?').join(', ');
    const upsert =
      stream.primaryKey.length > 0
        ? ` ON CONFLICT (${stream.primaryKey.map(quote).join(', ')}) DO UPDATE SET ${all.filter((c) => !stream.primaryKey.includes(c)).map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`
        : '';
    return { columns, pending: [], insert: this.db.prepare(`INSERT INTO ${name} (${all.map(quote).join(', ')}) VALUES (${placeholders})${upsert}`) };
  }
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
