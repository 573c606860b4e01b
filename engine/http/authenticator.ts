import type { ExpressionContext } from '../expressions/template.js';

/** Adds credentials to requests. */
export interface Authenticator {
  headers(context: ExpressionContext): Promise<Record<string, string>>;
  /**
   * Called after the API refused `usedHeaders` with a 401. Returns true when other credentials are now available
   * (renewed here, or already renewed by a concurrent request), so the request is worth another try.
   */
  refreshAfterUnauthorized?(context: ExpressionContext, usedHeaders: Record<string, string>): Promise<boolean>;
}
