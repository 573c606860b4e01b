import type { ExpressionContext } from '../expressions/template.js';

/** Adds credentials to requests. */
export interface Authenticator {
  headers(context: ExpressionContext): Promise<Record<string, string>>;
  /**
   * Called after the API answered 401. Returns true when fresh credentials were obtained, so the request is
   * worth one more try.
   */
  refreshAfterUnauthorized?(context: ExpressionContext): Promise<boolean>;
}
