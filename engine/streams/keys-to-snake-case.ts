import type { StreamRecord } from './record-selector.js';
import type { Transformation } from './transformations.js';

/**
 * A key's words: an upper-case run with the lower-case letters after it (`Name`, `HTTPStatus`), a lower-case run,
 * a number; or a run of anything else (spaces, punctuation), which separates them.
 */
const TOKEN = /[A-Z]+[a-z]*|[a-z]+|\d+|[^a-zA-Z\d]+/g;
const WORD = /^[a-zA-Z\d]/;

/**
 * Renames every key of the record to snake_case, in nested objects and in the objects of lists as well:
 * `firstName` -> `first_name`, `Page Views` -> `page_views`, `_id` -> `_id`, `2ndPlace` -> `_2_nd_place`. A key that
 * becomes one already written is overwritten by the later one.
 */
export class KeysToSnakeCase implements Transformation {
  private readonly names = new Map<string, string>();

  apply(record: StreamRecord): void {
    const renamed = this.renamed(record) as StreamRecord;
    for (const key of Object.keys(record)) Reflect.deleteProperty(record, key);
    Object.assign(record, renamed);
  }

  private renamed(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.renamed(item));
    if (value === null || typeof value !== 'object') return value;
    const out: StreamRecord = {};
    for (const [key, inner] of Object.entries(value)) out[this.snakeCase(key)] = this.renamed(inner);
    return out;
  }

  /** Records of a stream share their keys, so each key is converted once. */
  private snakeCase(key: string): string {
    let name = this.names.get(key);
    if (name === undefined) {
      name = snakeCase(key);
      if (this.names.size < 10_000) this.names.set(key, name);
    }
    return name;
  }
}

/**
 * Airbyte's snake_case of a key: accents dropped, words lower-cased and joined by `_`, a separator between words
 * dropped (the `_` joins them), one at the start or the end kept as an empty word (so as one `_`), and a leading `_`
 * before a key that starts with a digit.
 */
export function snakeCase(key: string): string {
  const plain = key.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  let words = (plain.match(TOKEN) ?? []).map((token) => (WORD.test(token) ? token.toLowerCase() : ''));
  if (words.length >= 3) words = [words[0], ...words.slice(1, -1).filter((word) => word !== ''), words[words.length - 1]];
  if (words.length > 0 && /^\d/.test(words[0])) words.unshift('');
  return words.join('_');
}

declare module '../format/component-context.js' {
  interface Components {
    KeysToSnakeCase: KeysToSnakeCase;
  }
}
