import type Database from 'better-sqlite3';
import { pathName, type NestedMode, type Shape, type SqlType } from './nested-shape.js';

/** A column the connector always adds, with its SQL definition: a key, a position, the extraction time. */
export type FixedColumn = [name: string, definition: string];

export interface SqlTableOptions {
  name: string;
  stream: string;
  nested: NestedMode;
  /** The table's columns in the database and, flattened, the path each holds; absent for a table yet to be made. */
  existing?: { columns: string[]; paths: [column: string, path: string][] };
  /** Whether the table is recorded as the connector's already. */
  recorded: boolean;
  /** Columns before the record's (keys, positions). */
  leading: FixedColumn[];
  /** Columns after the record's (the extraction time, unknown fields). */
  trailing: FixedColumn[];
  /** The table's primary key: its upserts go by it, and a child table's rows are found by it. */
  primaryKey: string[];
  /** Whether rows are upserted by the primary key (a stream table with one), or only inserted. */
  upserts: boolean;
  /** A child table: which column of the parent row each of its key columns copies. */
  inherits?: [parent: string, child: string][];
  /** A child table: the shape of its array's elements. */
  items?: Shape;
}

/**
 * One SQLite table of a stream: its columns, which path of a record (or array element) each holds, and the
 * schema changes not yet in the database. Flattened, a path is named by its keys joined with `__`; a name that is
 * taken already (by another path or a column of the connector's) gets `__2`, `__3`, ... in the order paths are
 * met (the schema's order, then the records'), and that path-to-column map is recorded, so every later sync writes
 * each path into the same column.
 */
export class SqlTable {
  readonly name: string;
  readonly stream: string;
  readonly primaryKey: string[];
  readonly upserts: boolean;
  readonly inherits: [parent: string, child: string][];
  readonly items?: Shape;
  /** The child tables of this table's arrays, by the array's path. */
  readonly children = new Map<string, SqlTable>();
  /** Every column with its SQL definition, in the order of creation. */
  private readonly definitions = new Map<string, string>();
  private readonly trailing: string[];
  private readonly byPath = new Map<string, string>();
  private readonly nested: NestedMode;
  private created: boolean;
  private unrecorded: boolean;
  private added: string[] = [];
  private newPaths: [column: string, path: string][] = [];
  private insert?: { columns: string[]; statement: Database.Statement };
  private remove?: Database.Statement;

  constructor(options: SqlTableOptions) {
    this.name = options.name;
    this.stream = options.stream;
    this.nested = options.nested;
    this.primaryKey = options.primaryKey;
    this.upserts = options.upserts;
    this.inherits = options.inherits ?? [];
    this.items = options.items;
    this.created = options.existing !== undefined;
    this.unrecorded = !options.recorded;
    for (const column of options.existing?.columns ?? []) this.definitions.set(column, '');
    for (const [column, path] of options.existing?.paths ?? []) this.byPath.set(path, column);
    this.trailing = options.trailing.map(([name]) => name);
    for (const [name, definition] of [...options.leading, ...options.trailing]) this.addFixed(name, definition);
  }

  /** The column holding `path` (keys within the row's record or element), added when new. */
  column(path: string[], type: SqlType): string {
    const key = JSON.stringify(path);
    const known = this.byPath.get(key);
    if (known !== undefined) return known;
    let name = pathName(path);
    if (this.nested === 'flatten') {
      // A primary key field keeps its name whatever comes before it.
      const taken = (candidate: string) => this.definitions.has(candidate) || (this.primaryKey.includes(candidate) && key !== JSON.stringify([candidate]));
      for (let n = 2; taken(name); n++) name = `${pathName(path)}__${n}`;
      this.newPaths.push([name, key]);
    }
    this.byPath.set(key, name);
    if (!this.definitions.has(name)) {
      this.definitions.set(name, type);
      this.added.push(name);
    }
    return name;
  }

  /** The statements that create or extend the table, and record its new columns' paths, before its rows. */
  schemaChanges(): string[] {
    if (!this.created) {
      const names = [...[...this.definitions.keys()].filter((name) => !this.trailing.includes(name)), ...this.trailing];
      const key = this.primaryKey.length > 0 ? `, PRIMARY KEY (${this.primaryKey.map(quote).join(', ')})` : '';
      return [`CREATE TABLE ${quote(this.name)} (${names.map((name) => `${quote(name)} ${this.definitions.get(name)}`.trimEnd()).join(', ')}${key})`];
    }
    return this.added.map((name) => `ALTER TABLE ${quote(this.name)} ADD COLUMN ${quote(name)} ${this.definitions.get(name)}`);
  }

  /** Column-to-path entries this sync adds (flattened tables), and whether the table is yet to be recorded as the connector's. */
  bookkeeping(): { paths: [column: string, path: string][]; unrecorded: boolean } {
    return { paths: this.newPaths, unrecorded: this.unrecorded };
  }

  /** The schema changes and bookkeeping are in the database now. */
  committed(): void {
    this.created = true;
    this.unrecorded = false;
    this.added = [];
    this.newPaths = [];
  }

  /** Writes one row (upserted by the primary key, or inserted) and returns its rowid. */
  write(db: Database.Database, values: Map<string, unknown>): number | bigint {
    if (this.insert?.columns.length !== this.definitions.size) {
      const columns = [...this.definitions.keys()];
      const update = columns.filter((column) => !this.primaryKey.includes(column));
      const upsert =
        this.upserts && update.length > 0
          ? ` ON CONFLICT (${this.primaryKey.map(quote).join(', ')}) DO UPDATE SET ${update.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`
          : '';
      const sql = `INSERT INTO ${quote(this.name)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})${upsert}`;
      this.insert = { columns, statement: db.prepare(sql) };
    }
    return this.insert.statement.run(this.insert.columns.map((column) => values.get(column) ?? null)).lastInsertRowid;
  }

  /** Deletes the rows whose `columns` (the stream's primary key, which every child row carries) have these values. */
  deleteWhere(db: Database.Database, columns: string[], values: unknown[]): void {
    this.remove ??= db.prepare(`DELETE FROM ${quote(this.name)} WHERE ${columns.map((column) => `${quote(column)} IS ?`).join(' AND ')}`);
    this.remove.run(values);
  }

  /** This table and its child tables, parents first. */
  withDescendants(): SqlTable[] {
    return [this, ...[...this.children.values()].flatMap((child) => child.withDescendants())];
  }

  private addFixed(name: string, definition: string): void {
    if (this.definitions.has(name)) return;
    this.definitions.set(name, definition);
    this.added.push(name);
  }
}

export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
