import { describe, expect, it } from '@jest/globals';
import { Redactor } from '../../../../engine/protocol/redactor.js';
import { PlannedWindows } from '../../../../engine/sync/planned-windows.js';
import { SyncProgress } from '../../../../engine/sync/progress.js';

function progressOn(isTTY: boolean) {
  let text = '';
  const redactor = new Redactor();
  redactor.add('secret-token-123');
  let now = 0;
  const progress = new SyncProgress({ isTTY, write: (chunk: string) => (text += chunk) }, redactor, () => now);
  return { progress, text: () => text, tick: (ms: number) => (now += ms) };
}

/** `count` windows of each account, ending at 1, 2, 3... (epoch ms), under the cursor `period_end`. */
function windows(count: number, orgs = ['1'], cursorField: string | undefined = 'period_end'): PlannedWindows {
  const planned = new PlannedWindows(cursorField);
  for (const org of orgs) for (let end = 1; end <= count; end++) planned.add({ account_id: org }, end);
  return planned;
}
const stateAt = (cursors: Record<string, number>) => ({
  states: Object.entries(cursors).map(([org, end]) => ({ partition: { account_id: org }, cursor: { period_end: end } })),
});

describe('sync progress', () => {
  it('on a terminal: a live table of slices, records, requests and retries, redrawn in place', () => {
    const { progress, text } = progressOn(true);
    progress.plan('daily_metrics', windows(13));
    progress.status('daily_metrics', 'STARTED');
    progress.request();
    progress.record('daily_metrics');
    progress.checkpoint('daily_metrics', stateAt({ 1: 1 }));
    progress.log('INFO', "Caught retryable error '429 Too Many Requests' after 1 tries. Waiting 5 seconds then retrying...");
    progress.status('daily_metrics', 'COMPLETE');
    expect(text()).toContain('\x1b[');
    expect(text()).toMatch(/daily_metrics\s+complete\s+slices 1\/13\s+records 1/);
    expect(text()).toContain('requests 1  retries 1');
  });

  it('elsewhere: plain lines and a summary, with secrets masked', () => {
    const { progress, text, tick } = progressOn(false);
    progress.plan('accounts', windows(1, ['1', '2'], undefined));
    progress.status('accounts', 'STARTED');
    progress.request();
    progress.record('accounts');
    progress.record('accounts');
    progress.log('ERROR', 'refused secret-token-123');
    progress.status('accounts', 'COMPLETE');
    tick(2500);
    progress.summary();
    expect(text()).not.toContain('\x1b[');
    expect(text()).toContain('accounts: started\n');
    expect(text()).toContain('accounts: complete (2 records)\n');
    expect(text()).toContain('ERROR refused ****\n');
    expect(text()).not.toContain('secret-token-123');
    expect(text()).toContain('Sync finished in 2.5 s: 1 requests, 0 retries.');
    expect(text()).toMatch(/accounts\s+2\s+complete/);
  });

  it('counts the windows a STATE covers, however few STATEs there are', () => {
    const { progress, text } = progressOn(true);
    progress.plan('daily_totals', windows(13, ['1', '2']));
    progress.status('daily_totals', 'STARTED');
    // One STATE after account 1 finished 5 windows and account 2 finished 3.
    progress.checkpoint('daily_totals', stateAt({ 1: 5, 2: 3 }));
    progress.status('daily_totals', 'RUNNING'); // redraws at once
    expect(text()).toMatch(/daily_totals\s+running\s+slices 8\/26/);
    // A cursor from an earlier sync (not a planned window end) counts nothing.
    progress.checkpoint('daily_totals', stateAt({ 1: 13, 2: 1000 }));
    progress.status('daily_totals', 'RUNNING');
    expect(text()).toMatch(/slices 13\/26/);
    progress.checkpoint('daily_totals', stateAt({ 1: 13, 2: 13 }));
    progress.status('daily_totals', 'COMPLETE');
    expect(text()).toMatch(/daily_totals\s+complete\s+slices 26\/26/);
  });
});
