/**
 * `combine(values)` at once when no value is a promise, else once they have all settled. Most expressions are plain
 * paths that answer at once; this keeps them from paying for promises on every record and request.
 */
export function whenAll<T>(values: unknown[], combine: (values: unknown[]) => T): T | Promise<T> {
  return values.some((value) => value instanceof Promise) ? Promise.all(values).then(combine) : combine(values);
}
