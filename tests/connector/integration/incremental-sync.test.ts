import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS, FakeClock, TEST_NOW, finalState, keptRecords, records, runInProcess, toYaml, traces, writeFiles, type Manifest } from '../../helpers/index.js';
import { accessTokenConfig, catalogFor, connectorManifest, dayKey, timeBoundRecord, timeBoundWindow, writeConnectorManifest } from '../linkedin.js';
import { expectedDailyFollowerGains, expectedMonthlyShareStatistics, startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const ORGS = [2414183, 1035];
const TIME_BOUND = ['follower_statistics_time_bound', 'share_statistics_time_bound'];
/** The final days a sync at `now` must cover by default: 12 months back (less a day) to midnight two days ago. */
const defaultWindow = timeBoundWindow;

describe('date-sliced incremental sync of the time-bound streams', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  let files: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: ORGS });
    files = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(',') }),
      'catalog.json': catalogFor(TIME_BOUND),
    });
  });
  afterAll(() => sim.close());

  const read = async (state?: unknown) => {
    const args = ['read', '--config', files['config.json'], '--catalog', files['catalog.json']];
    if (state !== undefined) {
      const path = join(files.dir, `state-${Math.random()}.json`);
      writeFileSync(path, JSON.stringify(state));
      args.push('--state', path);
    }
    const before = sim.requests.length;
    const result = await runInProcess(args, { clock });
    return { ...result, requests: sim.requests.slice(before) };
  };

  it('first sync: every final day exactly once per organization, in 1 request per stream per organization; later syncs take the new days and re-read lookback_days', async () => {
    clock.set(TEST_NOW);
    const first = await read();
    expect(first.code).toBe(0);
    const { start, end } = defaultWindow(TEST_NOW);
    for (const org of ORGS) {
      const expected = expectedDailyFollowerGains(org, start, end).map((e) => timeBoundRecord(e, org));
      const got = records(first.messages, 'follower_statistics_time_bound').filter((r) => r.organizationalEntity === `urn:li:organization:${org}`);
      expect(got).toEqual(expected);
      const shares = records(first.messages, 'share_statistics_time_bound').filter((r) => r.organizationalEntity === `urn:li:organization:${org}`);
      expect(shares.map((r) => r.timeRangeStart)).toEqual(expected.map((e) => e.timeRangeStart));
    }
    expect(new Set(records(first.messages).map((r) => `${r.timeRangeStart}|${r.organizationalEntity}|${Object.keys(r).join()}`)).size).toBe(
      records(first.messages).length,
    );
    // 362 final days in one range: 1 request per stream per organization (one per day would be 362).
    expect(first.requests).toHaveLength(TIME_BOUND.length * ORGS.length);
    for (const request of first.requests) {
      expect(request.status).toBe(200);
      expect(request.rawQuery).toMatch(/timeIntervals=\(timeRange:\(start:\d+,end:\d+\),timeGranularityType:DAY\)|timeIntervals=\(timeGranularityType:DAY,timeRange:\(start:\d+,end:\d+\)\)/);
    }

    // Right after: nothing new is final, so no request and no record, and the state stays.
    const second = await read(finalState(first.messages));
    expect(second.code).toBe(0);
    expect(records(second.messages)).toHaveLength(0);
    expect(second.requests).toHaveLength(0);
    const positions = (messages: typeof first.messages) => finalState(messages).map((state) => state.stream);
    expect(positions(second.messages)).toEqual(positions(first.messages));

    // Three days later: the three days that became final, and the 7 (lookback_days) final days before them again, in
    // one request per stream per organization.
    clock.advance(3 * DAY_MS);
    const third = await read(finalState(second.messages));
    expect(third.code).toBe(0);
    expect(third.requests).toHaveLength(TIME_BOUND.length * ORGS.length);
    for (const stream of TIME_BOUND) {
      const got = records(third.messages, stream);
      expect(got).toHaveLength(10 * ORGS.length);
      expect([...new Set(got.map((r) => r.timeRangeStart))].sort()).toEqual(Array.from({ length: 10 }, (_, i) => end + (i - 7) * DAY_MS));
      const seen = new Set(records(first.messages, stream).map(dayKey));
      expect(got.filter((r) => !seen.has(dayKey(r))).map((r) => r.timeRangeStart).sort()).toEqual(
        [end, end + DAY_MS, end + 2 * DAY_MS].flatMap((day) => ORGS.map(() => day)),
      );
    }

    // The next day: one more day (and the 7 before it), again one request per stream per organization.
    clock.advance(DAY_MS);
    const fourth = await read(finalState(third.messages));
    expect(fourth.requests).toHaveLength(TIME_BOUND.length * ORGS.length);
    expect(records(fourth.messages, 'follower_statistics_time_bound')).toHaveLength(8 * ORGS.length);
  });

  it('emits a state after a completed organization once 10 records per organization passed, with the count since the previous state', async () => {
    clock.set(TEST_NOW);
    const run = await read();
    for (const stream of TIME_BOUND) {
      let count = 0;
      const streamMessages = run.messages.filter(
        (m) => (m.type === 'RECORD' && m.record.stream === stream) || (m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream),
      );
      const checkpoints: { recordCount: number; partitions: number }[] = [];
      for (const message of streamMessages) {
        if (message.type === 'RECORD') count += 1;
        else {
          expect(message.state.sourceStats.recordCount).toBe(count);
          checkpoints.push({ recordCount: count, partitions: message.state.stream.stream_state.states.length });
          count = 0;
        }
      }
      expect(streamMessages.at(-1)?.type).toBe('STATE');
      for (const checkpoint of checkpoints.slice(0, -1)) expect(checkpoint.recordCount).toBeGreaterThanOrEqual(10 * checkpoint.partitions);
      // At most one per organization (its one request) and a final one; organizations that complete together (they
      // are read concurrently) share one.
      expect(checkpoints.length).toBeGreaterThanOrEqual(1);
      expect(checkpoints.length).toBeLessThanOrEqual(ORGS.length + 1);
    }
  });

  it('a sync that fails for one organization resumes from its last state with no day lost or repeated', async () => {
    clock.set(TEST_NOW);
    const complete = await read();
    // The one request of one organization fails for good (500 on every attempt); the other is checkpointed.
    sim.addFault({
      kind: 'status',
      status: 500,
      times: 5,
      match: (request) => request.path.endsWith('FollowerStatistics') && request.rawQuery.includes('1035') && request.rawQuery.includes('timeIntervals'),
    });
    const failed = await read();
    sim.clearFaults();
    expect(failed.code).toBe(1);
    const errors = traces(failed.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('transient_error');
    expect(errors[0].error.stream_descriptor).toEqual({ name: 'follower_statistics_time_bound' });
    const statuses = traces(failed.messages, 'STREAM_STATUS').filter((t) => t.stream_status.stream_descriptor.name === 'follower_statistics_time_bound');
    expect(statuses.at(-1).stream_status.status).toBe('INCOMPLETE');

    // The platform keeps the records up to the last state, and resumes from that state.
    const kept = keptRecords(failed.messages, 'follower_statistics_time_bound');
    const resumed = await read(finalState(failed.messages));
    expect(resumed.code).toBe(0);
    const union = [...kept, ...records(resumed.messages, 'follower_statistics_time_bound')];
    const expected = records(complete.messages, 'follower_statistics_time_bound');
    expect(union.map(dayKey).sort()).toEqual(expected.map(dayKey).sort());
    expect(new Set(union.map(dayKey)).size).toBe(union.length);
  });

  it('MONTH granularity reads whole calendar months end to end', async () => {
    clock.set(TEST_NOW);
    const monthFiles = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: '2414183', time_granularity_type: 'MONTH' }),
      'catalog.json': catalogFor(['share_statistics_time_bound']),
    });
    const before = sim.requests.length;
    const run = await runInProcess(['read', '--config', monthFiles['config.json'], '--catalog', monthFiles['catalog.json']], { clock });
    expect(run.code).toBe(0);
    // Whole months from the first month fully inside the last 12 months, to the last month that has ended.
    const start = Date.UTC(2025, 11, 1);
    const end = Date.UTC(2026, 10, 1);
    const expected = expectedMonthlyShareStatistics(2414183, start, end).map((e) => timeBoundRecord(e, 2414183));
    expect(expected).toHaveLength(11);
    expect(records(run.messages)).toEqual(expected);
    expect(sim.requests.length - before).toBe(1);
    expect(sim.requests.at(-1)!.rawQuery).toContain('timeGranularityType:MONTH');
  });

  it('start_date limits the first sync, rounded to whole days', async () => {
    clock.set(TEST_NOW);
    const dated = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { start_date: '2026-11-01T15:00:00Z' }),
      'catalog.json': catalogFor(['follower_statistics_time_bound']),
    });
    const run = await runInProcess(['read', '--config', dated['config.json'], '--catalog', dated['catalog.json']], { clock });
    const days = records(run.messages).map((r) => r.timeRangeStart);
    expect(days[0]).toBe(Date.UTC(2026, 10, 1));
    expect(days.at(-1)).toBe(Date.UTC(2026, 10, 26));
    expect(days).toHaveLength(26);
  });

  it('full refresh reads the whole window whatever the state, and ends with a state', async () => {
    clock.set(TEST_NOW);
    const full = writeFiles({ 'catalog.json': catalogFor(['follower_statistics_time_bound'], 'full_refresh') });
    const future = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'follower_statistics_time_bound' }, stream_state: { timeRangeEnd: 4102444800000 } } }];
    const statePath = join(files.dir, 'future.json');
    writeFileSync(statePath, JSON.stringify(future));
    const run = await runInProcess(['read', '--config', files['config.json'], '--catalog', full['catalog.json'], '--state', statePath], { clock });
    expect(run.code).toBe(0);
    expect(records(run.messages)).toHaveLength(362 * ORGS.length);
    expect(run.messages.filter((m) => m.type === 'STATE' || m.type === 'RECORD').at(-1)!.type).toBe('STATE');
  });

  it('sends the same windows as Rest.li 1.0 dotted parameters when a manifest declares them', async () => {
    clock.set(TEST_NOW);
    const manifest = connectorManifest();
    const requester = manifest.definitions.requester;
    expect(requester.request_parameters_encoding).toBe('restli2');
    requester.request_parameters_encoding = 'form';
    delete requester.request_headers['X-Restli-Protocol-Version'];
    // Streams with a requester of their own (not the shared one) declare the header too.
    for (const stream of manifest.streams as Manifest[]) {
      const headers = stream.retriever?.requester?.$ref === undefined ? stream.retriever?.requester?.request_headers : undefined;
      if (headers) delete headers['X-Restli-Protocol-Version'];
    }
    expect(toYaml(manifest)).not.toContain('X-Restli-Protocol-Version');
    const dotted = writeFiles({ 'catalog.json': catalogFor(['follower_statistics_time_bound']) });
    dotted['manifest.yaml'] = writeConnectorManifest(join(dotted.dir, 'manifest.yaml'), manifest);
    const before = sim.requests.length;
    const run = await runInProcess(
      ['read', '--manifest', dotted['manifest.yaml'], '--config', files['config.json'], '--catalog', dotted['catalog.json']],
      { clock },
    );
    expect(run.code).toBe(0);
    const requests = sim.requests.slice(before);
    expect(requests[0].rawQuery).toMatch(/timeIntervals\.timeRange\.start=\d+/);
    expect(records(run.messages)).toHaveLength(362 * ORGS.length);
  });
});

