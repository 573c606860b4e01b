import type { FlattenFieldsDefinition } from '../format/manifest-types.generated.js';
import type { StreamRecord } from './record-selector.js';
import type { Transformation } from './transformations.js';

/**
 * Moves the values of nested objects to the top level, each under its own key: `{id: 1, data: {name: "a"}}` becomes
 * `{id: 1, name: "a"}`. Walking the record in its order, a key already taken is named by its parent's name and
 * itself joined by a dot (`data.id`). With `flatten_lists`, list items are named by the list's name and their
 * position (`tags.0`), and the fields of an item by the item's name and their key (`contacts.0.email`); without it a
 * list is one value. Empty objects and lists leave nothing.
 */
export class FlattenFields implements Transformation {
  private readonly flattenLists: boolean;

  constructor(definition: FlattenFieldsDefinition) {
    this.flattenLists = definition.flatten_lists;
  }

  apply(record: StreamRecord): void {
    // The record's own top-level values keep their keys: a nested key like one of them is named with its parent.
    const flat: StreamRecord = {};
    const taken = new Set(Object.keys(record).filter((key) => !this.isContainer(record[key])));
    for (const [key, value] of Object.entries(record)) this.add(flat, taken, value, key, false);
    for (const key of Object.keys(record)) Reflect.deleteProperty(record, key);
    Object.assign(record, flat);
  }

  /** Adds `value` under `name`, or its leaves under their names; `inList` when a list is among its parents. */
  private add(flat: StreamRecord, taken: Set<string>, value: unknown, name: string, inList: boolean): void {
    if (Array.isArray(value) && this.flattenLists) {
      value.forEach((item, index) => this.add(flat, taken, item, `${name}.${index}`, true));
    } else if (this.isContainer(value)) {
      for (const [key, inner] of Object.entries(value as StreamRecord)) {
        const own = !inList && !taken.has(key);
        this.add(flat, taken, inner, own ? key : `${name}.${key}`, inList);
      }
    } else {
      flat[name] = value;
      taken.add(name);
    }
  }

  /** Whether the value is flattened: an object, or a list when lists are. */
  private isContainer(value: unknown): boolean {
    if (Array.isArray(value)) return this.flattenLists;
    return value !== null && typeof value === 'object';
  }
}

declare module '../format/component-context.js' {
  interface Components {
    FlattenFields: FlattenFields;
  }
}
