type Fields = Record<string, unknown>;

/**
 * `base` with the fields of `extra` put in: where both hold an object at the same key, the two are merged the same
 * way, else `extra`'s value wins. Neither input changes. Without `extra`, `base` itself.
 */
export function mergeObjects(base: unknown, extra: Fields | undefined): unknown {
  if (extra === undefined) return base;
  if (!isFields(base)) return extra;
  const merged: Fields = { ...base };
  for (const [key, value] of Object.entries(extra)) merged[key] = isFields(value) && isFields(merged[key]) ? mergeObjects(merged[key], value) : value;
  return merged;
}

/** The object holding `value` at `path`: `nestedObject(['a', 'b'], 1)` is `{ a: { b: 1 } }`. */
export function nestedObject(path: string[], value: unknown): Fields {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Fields;
}

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
