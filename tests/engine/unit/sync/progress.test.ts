import { describe, expect, it } from '@jest/globals';
import { EventChannel } from '../../../../engine/core/events.js';
import type { HttpRequest } from '../../../../engine/core/http-transport.js';
import { Redactor } from '../../../../engine/protocol/redactor.js';
import { PlannedSlices } from '../../../../engine/sync/planned-slices.js';
import { SyncProgress } from '../../../../engine/sync/progress.js';

function progressOn(isTTY: boolean) {
  let text = '';
  const redactor = new Redactor();
  redactor.add('secret-token-123');
  let now = 0;
  const events = new EventChannel();
  const progress = new SyncProgress({ isTTY, write: (chunk: string) => (text += chunk) }, redactor, events, () => now);
  return { progress, events, text: () => text, tick: (ms: number) => (now += ms) };
}

const request: HttpRequest = { method: 'GET', url: 'https://api.example.com/rest/x', headers: {}, timeoutMs: 1000 };
const retryLine = "Caught retryable error '429 Too Many Requests' after 1 tries. Waiting 5 seconds then retrying...";

/** `count` windows of each account (no cursor when `cursorField` is null), ending at 1, 2, 3... (epoch ms), under the cursor `period_end`. */
function windows(count: number, orgs = ['1'], cursorField: string | null = 'period_end'): PlannedSlices {
  const planned = new PlannedSlices(cursorField ?? undefined);
  for (const org of orgs) for (let end = 1; end <= count; end++) planned.add({ account_id: org }, end);
  return planned;
}
const stateAt = (cursors: Record<string, number>) => ({
  states: Object.entries(cursors).map(([org, end]) => ({ partition: { account_id: org }, cursor: { period_end: end } })),
});

describe('sync progress', () => {
  it('on a terminal: a live table of slices, records, requests and retries, redrawn in place', () => {
    const { progress, events, text } = progressOn(true);
    progress.plan('daily_metrics', windows(13));
    progress.status('daily_metrics', 'STARTED');
    events.emit('request', request);
    progress.record('daily_metrics');
    progress.checkpoint('daily_metrics', stateAt({ 1: 1 }));
    // A retry as a sync sees it: the event, then the LOG line saying so (which must not count it twice).
    events.emit('retry', { request, attempt: 1, reason: '429 Too Many Requests', waitMs: 5000, rateLimited: true });
    progress.log('INFO', retryLine);
    progress.status('daily_metrics', 'COMPLETE');
    expect(text()).toContain('\x1b[');
    expect(text()).toMatch(/daily_metrics\s+complete\s+slices 1\/13\s+records 1/);
    expect(text()).toContain('requests 1  retries 1');
  });

  it('elsewhere: plain lines and a summary, with secrets masked', () => {
    const { progress, events, text, tick } = progressOn(false);
    progress.plan('accounts', windows(1, ['1', '2'], null));
    progress.status('accounts', 'STARTED');
    events.emit('request', request);
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

  it('counts retries from retry events, never from log text', () => {
    const { progress, events, text } = progressOn(false);
    // The words of a retry, but no retry: a LOG line alone counts nothing.
    progress.log('INFO', retryLine);
    progress.summary();
    expect(text()).toContain(`INFO ${retryLine}\n`);
    expect(text()).toContain('0 requests, 0 retries.');
    events.emit('request', request);
    events.emit('retry', { request, attempt: 1, reason: '503 Service Unavailable', waitMs: 5000, rateLimited: false });
    events.emit('request', request);
    progress.summary();
    expect(text()).toContain('2 requests, 1 retries.');
  });

  it('counts the windows a STATE covers, however few STATEs there are', () => {
    const { progress, text } = progressOn(true);
    progress.plan('weekly_metrics', windows(13, ['1', '2']));
    progress.status('weekly_metrics', 'STARTED');
    // One STATE after account 1 finished 5 windows and account 2 finished 3.
    progress.checkpoint('weekly_metrics', stateAt({ 1: 5, 2: 3 }));
    progress.status('weekly_metrics', 'RUNNING'); // redraws at once
    expect(text()).toMatch(/weekly_metrics\s+running\s+slices 8\/26/);
    // A cursor from an earlier sync (not a planned window end) counts nothing.
    progress.checkpoint('weekly_metrics', stateAt({ 1: 13, 2: 1000 }));
    progress.status('weekly_metrics', 'RUNNING');
    expect(text()).toMatch(/slices 13\/26/);
    progress.checkpoint('weekly_metrics', stateAt({ 1: 13, 2: 13 }));
    progress.status('weekly_metrics', 'COMPLETE');
    expect(text()).toMatch(/weekly_metrics\s+complete\s+slices 26\/26/);
  });

  it('a stream without a cursor shows its partitions read, from slice events, while its records count up', () => {
    const { progress, events, text } = progressOn(true);
    progress.plan('accounts', windows(1, ['1', '2', '3', '4'], null));
    progress.status('accounts', 'STARTED');
    progress.record('accounts');
    events.emit('slice', 'accounts');
    events.emit('slice', 'other_stream');
    progress.status('accounts', 'RUNNING');
    expect(text()).toMatch(/accounts\s+running\s+partitions 1\/4\s+records 1/);
    expect(text()).not.toMatch(/slices 0\/4/);
  });

  it('the live footer shows the time elapsed, records a second and, once a slice is done, an estimate of what is left', () => {
    const { progress, events, text, tick } = progressOn(true);
    progress.plan('weekly_metrics', windows(10));
    progress.status('weekly_metrics', 'STARTED');
    expect(text()).not.toContain('left');
    tick(4000);
    for (let i = 0; i < 200; i++) progress.record('weekly_metrics');
    // Two of ten slices in 4 s: 16 s to go at that pace.
    progress.checkpoint('weekly_metrics', stateAt({ 1: 2 }));
    progress.status('weekly_metrics', 'RUNNING');
    expect(text()).toContain('requests 0  retries 0  elapsed 4 s  50 records/s  about 16 s left');
    tick(200_000);
    events.emit('slice', 'weekly_metrics');
    progress.summary();
    expect(text()).toContain('Sync finished in 204.0 s: 0 requests, 0 retries. 200 records, 1 a second.');
  });
});
