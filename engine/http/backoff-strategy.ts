import type { HttpResponse } from '../core/http-transport.js';

/** How long to wait before attempt `attempt + 1`; undefined lets the next strategy decide. */
export interface BackoffStrategy {
  waitMs(attempt: number, response: HttpResponse | undefined): number | undefined;
}
