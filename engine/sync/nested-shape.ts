/** How `sync` lays nested objects and arrays out in SQLite: `flatten` into columns and child tables, or `json` text. */
export type NestedMode = 'flatten' | 'json';

export type SqlType = 'INTEGER' | 'REAL' | 'TEXT';

/**
 * What a JSON schema says of a value, as far as the SQLite layout goes: one column (JSON text when it is an
 * object or array whose keys are unknown), an object whose declared properties become columns, or an array whose
 * elements become the rows of a child table.
 */
export type Shape = { kind: 'value'; type: SqlType } | { kind: 'object'; fields: Map<string, Shape> } | { kind: 'array'; items: Shape };

const JSON_TEXT: Shape = { kind: 'value', type: 'TEXT' };

type SchemaNode = Record<string, unknown> & { type?: unknown; properties?: unknown; items?: unknown };

/**
 * The shape of a value from its schema. An object with declared properties is flattened; an open object (no
 * declared properties), a union (anyOf, oneOf, several types) or anything unrecognised is one JSON text column,
 * since its keys are unknown. With `nested` json, every object and array is one JSON text column.
 */
export function shapeOf(schema: unknown, nested: NestedMode): Shape {
  if (!isPlainObject(schema)) return JSON_TEXT;
  const node = schema as SchemaNode;
  if (node.anyOf !== undefined || node.oneOf !== undefined || node.allOf !== undefined || node.$ref !== undefined) return JSON_TEXT;
  const declared = (Array.isArray(node.type) ? node.type : [node.type]).filter((type) => type !== 'null' && type !== undefined);
  const types = declared.length > 0 ? declared : isPlainObject(node.properties) ? ['object'] : node.items !== undefined ? ['array'] : [];
  if (types.length !== 1) return JSON_TEXT;
  switch (types[0]) {
    case 'integer':
    case 'boolean':
      return { kind: 'value', type: 'INTEGER' };
    case 'number':
      return { kind: 'value', type: 'REAL' };
    case 'string':
      return { kind: 'value', type: 'TEXT' };
    case 'object': {
      if (nested === 'json' || !isPlainObject(node.properties)) return JSON_TEXT;
      const properties = Object.entries(node.properties);
      if (properties.length === 0) return JSON_TEXT;
      return { kind: 'object', fields: new Map(properties.map(([name, property]) => [name, shapeOf(property, nested)])) };
    }
    case 'array':
      return nested === 'json' ? JSON_TEXT : { kind: 'array', items: shapeOf(node.items, nested) };
    default:
      return JSON_TEXT;
  }
}

/** The column type of a value no schema declares. */
export function typeOfValue(value: unknown): SqlType {
  if (typeof value === 'boolean') return 'INTEGER';
  if (typeof value === 'number') return Number.isInteger(value) ? 'INTEGER' : 'REAL';
  return 'TEXT';
}

/**
 * A value as SQLite takes it: booleans 0/1, objects and arrays as JSON text, whole numbers as integers (so a text
 * column holds `2`, not `2.0`).
 */
export function toSql(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The column (or child table suffix) a path within a row is named by: its keys joined with `__`, as dlt does. */
export function pathName(path: string[]): string {
  return path.join('__');
}
