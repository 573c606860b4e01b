import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../../engine/core/clock.js';
import { DAY_MS, FakeClock, TEST_NOW, finalState, logs, records, runInProcess, statusesOf, traces, writeFiles, type Message } from '../../helpers/index.js';
import { ALL_STREAMS, accessTokenConfig, catalogFor, connectorManifest, writeConnectorManifest } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const ORGS = [2414183, 1035];
const key = (stream: string, r: Record<string, any>) => `${stream}|${JSON.stringify(r)}`;
const allRecords = (messages: Message[]) => messages.filter((m) => m.type === 'RECORD').map((m) => key(m.record.stream, m.record.data));

describe('error handling and rate-limit backoff', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  let files: Record<string, string>;
  let baseline: string[];

  const read = async (options: { state?: unknown; config?: string; catalog?: string; manifest?: string; signal?: AbortSignal; realClock?: boolean } = {}) => {
    const args = ['read', '--config', options.config ?? files['config.json'], '--catalog', options.catalog ?? files['catalog.json']];
    if (options.manifest) args.push('--manifest', options.manifest);
    if (options.state !== undefined) {
      const path = join(files.dir, `state-${Math.random()}.json`);
      writeFileSync(path, JSON.stringify(options.state));
      args.push('--state', path);
    }
    const before = sim.requests.length;
    const result = await runInProcess(args, { clock: options.realClock ? systemClock : clock, signal: options.signal });
    return { ...result, requests: sim.requests.slice(before) };
  };

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: ORGS });
    files = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(',') }),
      'catalog.json': catalogFor(ALL_STREAMS),
    });
    const clean = await read();
    expect(clean.code).toBe(0);
    baseline = allRecords(clean.messages).sort();
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.clearFaults();
    clock.set(TEST_NOW);
    clock.sleeps.length = 0;
  });

  it.each([
    ['429 with Retry-After', { kind: 'status', status: 429, headers: { 'Retry-After': '7' } }, "'429 Too Many Requests'", 7000],
    ['429 without Retry-After', { kind: 'status', status: 429 }, "'429 Too Many Requests'", 5000],
    ['500 with an HTML body', { kind: 'status', status: 500 }, "'500 Internal Server Error'", 5000],
    ['502 with an HTML body', { kind: 'status', status: 502 }, "'502 Bad Gateway'", 5000],
    ['503 with an HTML body', { kind: 'status', status: 503 }, "'503 Service Unavailable'", 5000],
    ['a connection reset', { kind: 'reset' }, 'ECONNRESET', 5000],
    ['truncated JSON', { kind: 'truncated' }, 'not valid JSON', 5000],
  ] as const)('rides through %s: every record exactly once, the retry logged', async (_name, fault, reason, firstWait) => {
    // Two failures in a row of one request: the lifetime share statistics of one organization.
    const lifetimeShares = (request: { path: string; rawQuery: string }) =>
      request.path.endsWith('ShareStatistics') && request.rawQuery.includes('2414183') && !request.rawQuery.includes('timeIntervals');
    sim.addFault({ ...fault, match: lifetimeShares, times: 2 });
    const run = await read();
    expect(run.code).toBe(0);
    expect(allRecords(run.messages).sort()).toEqual(baseline);
    const retries = logs(run.messages).filter((log) => log.message.startsWith('Caught retryable error'));
    expect(retries).toHaveLength(2);
    expect(retries[0].message).toContain(reason);
    expect(retries[0].message).toMatch(/after 1 tries\. Waiting [\d.]+ seconds then retrying\.\.\.$/);
    expect(retries[0].message).toContain(`Waiting ${firstWait / 1000} seconds`);
    expect(clock.sleeps[0]).toBe(firstWait);
    expect(retries[1].message).toContain('after 2 tries');
  });

  it('retries a response slower than the request timeout', async () => {
    const manifest = connectorManifest();
    expect(manifest.definitions.requester.timeout_seconds).toBe(60);
    manifest.definitions.requester.timeout_seconds = 0.3;
    const quick = writeFiles({ 'catalog.json': catalogFor(['total_follower_count']) });
    quick['manifest.yaml'] = writeConnectorManifest(join(quick.dir, 'manifest.yaml'), manifest);
    sim.addFault({ kind: 'slow', delayMs: 2000, match: 'networkSizes' });
    const run = await read({ manifest: quick['manifest.yaml'], catalog: quick['catalog.json'] });
    expect(run.code).toBe(0);
    expect(records(run.messages)).toHaveLength(ORGS.length);
    const retries = logs(run.messages).filter((log) => log.message.startsWith('Caught retryable error'));
    expect(retries).toHaveLength(1);
    expect(retries[0].message).toContain('no complete response within 0.3 s');
  });

  it('a permanent 429: exactly 5 attempts, the other organization checkpointed, other streams complete, a clean resume', async () => {
    const fullRun = await read();
    const stream = 'share_statistics_time_bound';
    const windowEnd = records(fullRun.messages, stream).at(-1)!.timeRangeEnd as number;
    // The one request of organization 2414183's 12 months.
    const failing = (request: { path: string; rawQuery: string }) =>
      request.path.endsWith('ShareStatistics') && request.rawQuery.includes('2414183') && request.rawQuery.includes('timeIntervals');
    sim.addFault({ kind: 'status', status: 429, times: Infinity, match: failing });

    const run = await read();
    expect(run.code).toBe(1);
    expect(run.requests.filter(failing)).toHaveLength(5);
    const retries = logs(run.messages).filter((log) => log.message.startsWith("Caught retryable error '429 Too Many Requests'"));
    expect(retries.map((log) => log.message.match(/Waiting ([\d.]+) seconds/)![1])).toEqual(['5', '10', '20', '40']);

    const errors = traces(run.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('transient_error');
    expect(errors[0].error.stream_descriptor).toEqual({ name: stream });
    expect(errors[0].error.message).toContain('Max try rate limit exceeded');
    expect(errors[0].error.message).toContain('midnight UTC');
    expect(errors[0].error.message).toContain('Analytics');

    const incomplete = traces(run.messages, 'STREAM_STATUS').find((t) => t.stream_status.status === 'INCOMPLETE');
    expect(incomplete.stream_status.stream_descriptor.name).toBe(stream);
    const nextMidnight = Math.floor(clock.now() / DAY_MS) * DAY_MS + DAY_MS;
    expect(incomplete.stream_status.reasons).toEqual([{ type: 'RATE_LIMITED', rate_limited: { quota_reset: nextMidnight } }]);
    for (const other of ALL_STREAMS.filter((name) => name !== stream)) expect(statusesOf(run.messages, other).at(-1)).toBe('COMPLETE');

    // The other organization's finished read was checkpointed; the failing one has no cursor yet.
    const lastState = finalState(run.messages).find((s) => s.stream.stream_descriptor.name === stream)!;
    const cursors = lastState.stream.stream_state.states as { partition: { organization_id: string }; cursor: { timeRangeEnd: number } }[];
    expect(cursors.find((c) => c.partition.organization_id === '1035')!.cursor.timeRangeEnd).toBe(windowEnd);
    expect(cursors.find((c) => c.partition.organization_id === '2414183')?.cursor.timeRangeEnd).toBeUndefined();

    // Next day, quota back: resume from the emitted state; with the kept records nothing is missing or repeated.
    sim.clearFaults();
    const kept = run.messages.slice(0, run.messages.lastIndexOf(run.messages.filter((m) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream).at(-1)!));
    const keptRecords = records(kept, stream);
    const resumed = await read({ state: finalState(run.messages), catalog: writeFiles({ 'c.json': catalogFor([stream]) })['c.json'] });
    expect(resumed.code).toBe(0);
    const union = [...keptRecords, ...records(resumed.messages, stream)].map((r) => key(stream, r));
    expect(union.sort()).toEqual(records(fullRun.messages, stream).map((r) => key(stream, r)).sort());
  });

  describe('LinkedIn errors tell the user what to fix', () => {
    const cases: [string, object, RegExp[]][] = [
      ['401 expired token', { kind: 'expired_token' }, [/60 days/, /65602|EXPIRED_ACCESS_TOKEN/]],
      ['403 not an admin', { kind: 'status', status: 403 }, [/rw_organization_admin/, /r_organization_social/, /ADMINISTRATOR/]],
      ['426 inactive version', { kind: 'status', status: 426 }, [/api_version/, /202610/]],
      [
        '400 invalid time intervals',
        { kind: 'status', status: 400, body: '{"status":400,"message":"Invalid timeIntervals parameter: start must be on a day boundary"}' },
        [/whole days/, /start_date/, /Invalid timeIntervals parameter/],
      ],
      ['404 unknown organization', { kind: 'status', status: 404, body: '{"status":404,"message":"Not found"}' }, [/org_id/, /2414183/]],
    ];
    it.each(cases)('%s: a config error with the fix, no retries', async (_name, fault, patterns) => {
      sim.addFault({ ...(fault as { kind: 'status' }), match: 'organizationalEntityFollowerStatistics', times: 1 });
      const catalog = writeFiles({ 'c.json': catalogFor(['follower_statistics']) })['c.json'];
      const config = writeFiles({ 'c.json': accessTokenConfig(sim.apiBaseUrl) })['c.json'];
      const run = await read({ catalog, config });
      expect(run.code).toBe(1);
      expect(run.requests).toHaveLength(1);
      const [error] = traces(run.messages, 'ERROR');
      expect(error.error.failure_type).toBe('config_error');
      expect(error.error.stream_descriptor).toEqual({ name: 'follower_statistics' });
      for (const pattern of patterns) expect(error.error.message).toMatch(pattern);
      expect(logs(run.messages).filter((log) => log.message.startsWith('Caught retryable'))).toHaveLength(0);
    });
  });

  it('cancel (SIGTERM) during a long wait stops at once, with what was done checkpointed', async () => {
    sim.addFault({ kind: 'status', status: 429, headers: { 'Retry-After': '600' }, match: 'networkSizes', times: Infinity });
    const controller = new AbortController();
    const catalog = writeFiles({ 'c.json': catalogFor(['organization_lookup', 'total_follower_count']) })['c.json'];
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('received SIGTERM')), 300);
    const run = await read({ catalog, signal: controller.signal, realClock: true });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.code).toBe(143);
    expect(records(run.messages, 'organization_lookup')).toHaveLength(ORGS.length);
    expect(logs(run.messages).some((log) => log.message.startsWith('Cancelled'))).toBe(true);
    expect(traces(run.messages, 'ERROR')).toHaveLength(0);
    expect(statusesOf(run.messages, 'total_follower_count').at(-1)).toBe('INCOMPLETE');
  });
});
