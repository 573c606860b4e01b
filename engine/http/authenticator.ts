import type { ExpressionContext } from '../expressions/template.js';

/**
 * Adds credentials to requests, at send time: they are never part of a request as prepared (what `validate`
 * shows). Every value an authenticator derives from a secret is given to `runtime.addSecret` before it is returned,
 * so no output can show it.
 */
export interface Authenticator {
  headers(context: ExpressionContext): Promise<Record<string, string>>;
  /** Query parameters every request carries (an API key sent as a parameter). */
  queryParameters?(context: ExpressionContext): Promise<Record<string, string>>;
  /**
   * Called after the API refused `usedHeaders` with a 401. Returns true when other credentials are now available
   * (renewed here, or already renewed by a concurrent request), so the request is worth another try.
   */
  refreshAfterUnauthorized?(context: ExpressionContext, usedHeaders: Record<string, string>): Promise<boolean>;
}
