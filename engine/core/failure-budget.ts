import { transientError, type ConnectorError } from './errors.js';
import type { EventChannel, FailedAttempt } from './events.js';
import { hostOf } from './http-transport.js';

/**
 * Counts the attempts in a row that failed at the network or with a 5xx, across every request of a read; once
 * `limit` of them have, calls `spent` once with the error that ends the read. Any other outcome starts again at 0.
 */
export function watchFailureBudget(events: EventChannel, limit: number, spent: (error: ConnectorError) => void): void {
  let failures = 0;
  let done = false;
  events.on('attempt', (failed) => {
    if (done) return;
    if (failed === undefined) {
      failures = 0;
      return;
    }
    failures += 1;
    if (failures < limit) return;
    done = true;
    spent(unreachable(failed, limit));
  });
}

function unreachable({ request, reason }: FailedAttempt, limit: number): ConnectorError {
  const host = hostOf(request, 'the API');
  const what = /^\d+$/.test(reason) ? `HTTP ${reason}` : reason;
  return transientError(
    'API_UNREACHABLE',
    `${host} is not answering: the last ${limit} requests all failed (the last one: ${what}), so the read stopped instead of retrying for hours. ` +
      `What each stream saved is kept; the next sync resumes from the saved states. Check the API's address, the network between here and ${host}, and the API's status.`,
    { internalMessage: `failure budget spent: ${limit} consecutive failed attempts, last ${request.method} ${host} -> ${reason}` },
  );
}
