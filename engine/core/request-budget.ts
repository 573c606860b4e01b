import { transientError, type ConnectorError } from './errors.js';
import type { EventChannel } from './events.js';

/**
 * Counts every request a read sends (retries and token requests included); the first one beyond `limit` calls
 * `spent`, once, with the error that ends the read, before that request goes on the wire. `spent` must stop it
 * synchronously (the runtime's halt), so exactly `limit` requests are sent.
 */
export function watchRequestBudget(events: EventChannel, limit: number, spent: (error: ConnectorError) => void): void {
  let sent = 0;
  events.on('request', () => {
    sent += 1;
    if (sent === limit + 1) spent(budgetReached(limit));
  });
}

function budgetReached(limit: number): ConnectorError {
  return transientError(
    'REQUEST_BUDGET_REACHED',
    `The request budget of ${limit} requests (the manifest's request_budget.max_requests) was reached, so the read stopped before sending more. ` +
      'What each stream finished is saved; the next sync continues from where this one stopped. Raise the budget to read more per sync.',
    { internalMessage: `request budget reached: ${limit} requests sent` },
  );
}
