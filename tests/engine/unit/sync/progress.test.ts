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

/** `count` windows of each organization, ending at 1, 2, 3... (epoch ms), under the cursor `timeRangeEnd`. */
function windows(count: number, orgs = ['1'], cursorField: string | undefined = 'timeRangeEnd'): PlannedWindows {
  const planned = new PlannedWindows(cursorField);
  for (const org of orgs) for (let end = 1; end <= count; end++) planned.add({ organization_id: org }, end);
  return planned;
}
const stateAt = (cursors: Record<string, number>) => ({
  states: Object.entries(cursors).map(([org, end]) => ({ partition: { organization_id: org }, cursor: { timeRangeEnd: end } })),
});

describe('sync progress', () => {
  it('on a terminal: a live table of slices, records, requests and retries, redrawn in place', () => {
    const { progress, text } = progressOn(true);
    progress.plan('follower_statistics_time_bound', windows(13));
    progress.status('follower_statistics_time_bound', 'STARTED');
    progress.request();
    progress.record('follower_statistics_time_bound');
    progress.checkpoint('follower_statistics_time_bound', stateAt({ 1: 1 }));
    progress.log('INFO', "Caught retryable error '429 Too Many Requests' after 1 tries. Waiting 5 seconds then retrying...");
    progress.status('follower_statistics_time_bound', 'COMPLETE');
    expect(text()).toContain('\x1b[');
    expect(text()).toMatch(/follower_statistics_time_bound\s+complete\s+slices 1\/13\s+records 1/);
    expect(text()).toContain('requests 1  retries 1');
  });

  it('elsewhere: plain lines and a summary, with secrets masked', () => {
    const { progress, text, tick } = progressOn(false);
    progress.plan('organization_lookup', windows(1, ['1', '2'], undefined));
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

  it('counts the windows a STATE covers, however few STATEs there are', () => {
    const { progress, text } = progressOn(true);
    progress.plan('share_statistics_time_bound', windows(13, ['1', '2']));
    progress.status('share_statistics_time_bound', 'STARTED');
    // One STATE after organization 1 finished 5 windows and organization 2 finished 3.
    progress.checkpoint('share_statistics_time_bound', stateAt({ 1: 5, 2: 3 }));
    progress.status('share_statistics_time_bound', 'RUNNING'); // redraws at once
    expect(text()).toMatch(/share_statistics_time_bound\s+running\s+slices 8\/26/);
    // A cursor from an earlier sync (not a planned window end) counts nothing.
    progress.checkpoint('share_statistics_time_bound', stateAt({ 1: 13, 2: 1000 }));
    progress.status('share_statistics_time_bound', 'RUNNING');
    expect(text()).toMatch(/slices 13\/26/);
    progress.checkpoint('share_statistics_time_bound', stateAt({ 1: 13, 2: 13 }));
    progress.status('share_statistics_time_bound', 'COMPLETE');
    expect(text()).toMatch(/share_statistics_time_bound\s+complete\s+slices 26\/26/);
  });
});
