import { textOf } from '../expressions/template.js';
import type { HttpRequesterDefinition } from '../format/manifest-types.generated.js';

export type QueryEncoding = HttpRequesterDefinition['request_parameters_encoding'];

/**
 * Builds a query string. `form` percent-encodes every value and flattens objects into dotted keys (Rest.li 1.0
 * style) and repeats the key for each item of a list; `restli2` writes objects as `(key:value,...)` and lists as
 * `List(...)`, at any depth, keeping those structural characters literal while encoding every leaf value, as Rest.li
 * 2.0 servers require. A parameter that is null, undefined or (restli2) an empty list is not sent.
 */
export function encodeQuery(parameters: Record<string, unknown>, encoding: QueryEncoding): string {
  const pairs: string[] = [];
  const add = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (encoding === 'restli2') {
      // An empty list is no filter at all: the parameter is left out, as is a null one.
      if (Array.isArray(value) && value.length === 0) return;
      pairs.push(`${encodeLeaf(key)}=${encodeRestli(value)}`);
    } else if (Array.isArray(value)) {
      for (const item of value) add(key, item);
    } else if (typeof value === 'object') {
      for (const [child, inner] of Object.entries(value)) add(`${key}.${child}`, inner);
    } else {
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(textOf(value))}`);
    }
  };
  for (const [key, value] of Object.entries(parameters)) add(key, value);
  return pairs.join('&');
}

function encodeRestli(value: unknown): string {
  if (Array.isArray(value)) return `List(${value.map(encodeRestli).join(',')})`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).filter(([, inner]) => inner !== undefined && inner !== null);
    return `(${fields.map(([key, inner]) => `${encodeLeaf(key)}:${encodeRestli(inner)}`).join(',')})`;
  }
  return encodeLeaf(String(value));
}

/** Percent-encodes everything but unreserved characters, including Rest.li's ( ) , : and '. */
function encodeLeaf(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
