import { describe, expect, it } from '@jest/globals';
import { Redactor } from '../../../engine/protocol/redactor.js';
import { SyncProgress } from '../../../engine/sync/progress.js';

function progressOn(isTTY: boolean) {
  let text = '';
  const redactor = new Redactor();
  redactor.add('secret-token-123');
  let now = 0;
  const progress = new SyncProgress({ isTTY, write: (chunk: string) => (text += chunk) }, redactor, () => now);
  return { progress, text: () => text, tick: (ms: number) => (now += ms) };
}

describe('sync progress', () => {
  it('on a terminal: a live table of slices, records, requests and retries, redrawn in place', () => {
    const { progress, text } = progressOn(true);
    progress.plan('follower_statistics_time_bound', 13);
    progress.status('follower_statistics_time_bound', 'STARTED');
    progress.request();
    progress.record('follower_statistics_time_bound');
    progress.checkpoint('follower_statistics_time_bound');
    progress.log('INFO', "Caught retryable error '429 Too Many Requests' after 1 tries. Waiting 5 seconds then retrying...");
    progress.status('follower_statistics_time_bound', 'COMPLETE');
    expect(text()).toContain('\x1b[');
    expect(text()).toMatch(/follower_statistics_time_bound\s+complete\s+slices 1\/13\s+records 1/);
    expect(text()).toContain('requests 1  retries 1');
  });

  it('elsewhere: plain lines and a summary, with secrets masked', () => {
    const { progress, text, tick } = progressOn(false);
    progress.plan('organization_lookup', 2);
    progress.status('organization_lookup', 'STARTED');
    progress.request();
    progress.record('organization_lookup');
    progress.record('organization_lookup');
    progress.log('ERROR', 'refused secret-token-123');
    progress.status('organization_lookup', 'COMPLETE');
    tick(2500);
    progress.summary();
    expect(text()).not.toContain('\x1b[');
    expect(text()).toContain('organization_lookup: started\n');
    expect(text()).toContain('organization_lookup: complete (2 records)\n');
    expect(text()).toContain('ERROR refused ****\n');
    expect(text()).not.toContain('secret-token-123');
    expect(text()).toContain('Sync finished in 2.5 s: 1 requests, 0 retries.');
    expect(text()).toMatch(/organization_lookup\s+2\s+complete/);
  });
});
