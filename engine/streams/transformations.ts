import type { ExpressionContext } from '../expressions/template.js';
import type { StreamRecord } from './record-selector.js';

/** Changes a record in place after selection. */
export interface Transformation {
  /** Returns a promise only when an expression needs one. */
  apply(record: StreamRecord, context: ExpressionContext): void | Promise<void>;
}
