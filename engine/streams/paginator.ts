import type { SuccessfulResponse } from '../http/send-with-retries.js';
import type { RequestOptions } from '../http/http-requester.js';
import type { ExpressionContext } from '../expressions/template.js';

/** The next page to fetch: what to add to the request, and the token expressions see as next_page_token. */
export interface NextPage {
  options: RequestOptions;
  token: unknown;
}

/** Walks the pages of one partition and slice. One instance per walk: it may keep counters. */
export interface PageWalk {
  first(): NextPage;
  /** The page after `response`, or null when the paginator's stop rule says this was the last. */
  next(response: SuccessfulResponse, recordCount: number, context: ExpressionContext): Promise<NextPage | null>;
}

export interface Paginator {
  /** Stops after this many pages even when more are announced; undefined for no limit. */
  readonly maxPages?: number;
  start(): PageWalk;
}
