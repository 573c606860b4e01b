import type { ExpressionContext } from '../expressions/template.js';
import type { Lookup } from './lookup.js';
import type { StreamRecord } from './record-selector.js';

/** Changes a record in place after selection. */
export interface Transformation {
  /** Returns a promise only when an expression needs one. */
  apply(record: StreamRecord, context: ExpressionContext): void | Promise<void>;
  /** Changes a page's records together (e.g. one request for all of them), instead of `apply` on each. */
  applyPage?(records: StreamRecord[], context: ExpressionContext): Promise<void>;
  /** The lookups it asks, whose names the stream keeps in its state. */
  readonly lookups?: Lookup[];
}
