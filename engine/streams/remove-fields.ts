import type { RemoveFieldsDefinition } from '../format/manifest-types.generated.js';
import type { StreamRecord } from './record-selector.js';
import type { Transformation } from './transformations.js';

/** Deletes fields by path; a path that is not there is fine. */
export class RemoveFields implements Transformation {
  private readonly pointers: string[][];

  constructor(definition: RemoveFieldsDefinition) {
    this.pointers = definition.field_pointers;
  }

  apply(record: StreamRecord): void {
    for (const pointer of this.pointers) {
      let target: unknown = record;
      for (const key of pointer.slice(0, -1)) target = (target as StreamRecord | undefined)?.[key];
      if (target !== null && typeof target === 'object') Reflect.deleteProperty(target, pointer[pointer.length - 1]);
    }
  }
}

declare module '../format/component-context.js' {
  interface Components {
    RemoveFields: RemoveFields;
  }
}
