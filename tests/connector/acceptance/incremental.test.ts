// Acceptance: incremental reads through the built CLI. A read from the previous final state repeats no day; an
// "abnormally large" state yields no records but still a state; `[]`, `{}`, `null` state files mean no state;
// a corrupt state is a config_error naming its stream.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  finalState,
  records,
  runChild,
  states,
  traces,
  writeFiles,
  type RunResult,
  expectCompleteStream,
  expectNoSecrets,
  expectProtocolOnly,
  statusesOf,
} from '../../helpers/index.js';
import { accessTokenConfig, activeApiVersion, catalogFor, dayKey, expectedTimeBound } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const TOKEN = 'acceptance-incremental-token-77c2';
const ORG = 2414183;
const FOLLOWERS = 'follower_statistics_time_bound';
const SHARES = 'share_statistics_time_bound';
const TIME_BOUND = [FOLLOWERS, SHARES];
const FAR_FUTURE = 4102444800000; // 2100-01-01

let sim: Simulator;
let files: Record<string, string>;

const byDay = (data: Record<string, any>[]) => [...data].sort((a, b) => dayKey(a).localeCompare(dayKey(b)));

async function read(statePath?: string): Promise<RunResult> {
  const args = ['read', '--config', files['config.json'], '--catalog', files['catalog.json']];
  const result = await runChild(statePath === undefined ? args : [...args, '--state', statePath]);
  expectProtocolOnly(result);
  expectNoSecrets(result, [TOKEN]);
  return result;
}

function statisticsRequestsSince(index: number) {
  return sim.requests.slice(index).filter((r) => r.rawQuery.includes('timeIntervals'));
}

beforeAll(async () => {
  sim = await startSimulator({ organizations: [ORG], accessTokens: [TOKEN] });
  files = writeFiles({
    'config.json': { ...accessTokenConfig(sim.apiBaseUrl, { api_version: activeApiVersion() }), credentials: { auth_method: 'access_token', access_token: TOKEN } },
    'catalog.json': catalogFor(TIME_BOUND),
  });
});

afterAll(async () => {
  await sim.close();
});

describe('incremental', () => {
  it('a second read from the first read final state returns no record already returned (no day twice)', async () => {
    const first = await read();
    const now = Date.now();
    expect(first.code).toBe(0);
    for (const stream of TIME_BOUND) {
      expect(byDay(records(first.messages, stream))).toEqual(byDay(expectedTimeBound(stream, [ORG], now)));
      expectCompleteStream(first.messages, stream);
    }
    const saved = finalState(first.messages);
    expect(saved.map((s) => s.stream.stream_descriptor.name).sort()).toEqual(TIME_BOUND);
    const stateFile = writeFiles({ 'state.json': saved })['state.json'];

    const before = sim.requests.length;
    const second = await read(stateFile);
    expect(second.code).toBe(0);
    for (const stream of TIME_BOUND) {
      const again = records(second.messages, stream);
      const seen = new Set(records(first.messages, stream).map(dayKey));
      expect(again.filter((r) => seen.has(dayKey(r)))).toEqual([]);
      // The first read went up to the last final day, so nothing new exists yet.
      expect(again).toEqual([]);
      expectCompleteStream(second.messages, stream, false);
      const emitted = states(second.messages, stream);
      expect(emitted.length).toBeGreaterThanOrEqual(1);
      expect(emitted[emitted.length - 1].state).toEqual({
        ...saved.find((s) => s.stream.stream_descriptor.name === stream),
        sourceStats: { recordCount: 0 },
      });
    }
    expect(statisticsRequestsSince(before)).toEqual([]);
  });

  it('a read from an abnormally large state (cursor far in the future) returns no records and still emits a state', async () => {
    const stateFile = writeFiles({
      'state.json': [
        {
          type: 'STREAM',
          stream: {
            stream_descriptor: { name: FOLLOWERS },
            stream_state: { states: [{ partition: { organization_id: String(ORG) }, cursor: { timeRangeEnd: FAR_FUTURE } }] },
          },
        },
        // The flat form (one cursor for every partition) too.
        { type: 'STREAM', stream: { stream_descriptor: { name: SHARES }, stream_state: { timeRangeEnd: FAR_FUTURE } } },
      ],
    })['state.json'];
    const before = sim.requests.length;
    const result = await read(stateFile);
    expect(result.code).toBe(0);
    expect(records(result.messages)).toEqual([]);
    expect(traces(result.messages, 'ERROR')).toEqual([]);
    for (const stream of TIME_BOUND) {
      expectCompleteStream(result.messages, stream, false);
      const emitted = states(result.messages, stream);
      expect(emitted.length).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(emitted[emitted.length - 1].state.stream.stream_state)).toContain(String(FAR_FUTURE));
    }
    expect(states(result.messages, FOLLOWERS).at(-1)!.state.stream.stream_state).toEqual({
      states: [{ partition: { organization_id: String(ORG) }, cursor: { timeRangeEnd: FAR_FUTURE } }],
      granularity: 'P1D',
    });
    expect(statisticsRequestsSince(before)).toEqual([]);
  });

  it.each([
    ['[]', '[]'],
    ['{}', '{}'],
    ['null', 'null'],
  ])('a state file holding %s reads like no state', async (_name, content) => {
    const stateFile = writeFiles({ 'state.json': content })['state.json'];
    const result = await read(stateFile);
    const now = Date.now();
    expect(result.code).toBe(0);
    expect(traces(result.messages, 'ERROR')).toEqual([]);
    for (const stream of TIME_BOUND) {
      expect(byDay(records(result.messages, stream))).toEqual(byDay(expectedTimeBound(stream, [ORG], now)));
      expectCompleteStream(result.messages, stream);
    }
  });

  it('a corrupt state is a config_error naming the stream; the other stream still completes', async () => {
    const stateFile = writeFiles({
      'state.json': [{ type: 'STREAM', stream: { stream_descriptor: { name: FOLLOWERS }, stream_state: { states: 'oops' } } }],
    })['state.json'];
    const result = await read(stateFile);
    expect(result.code).not.toBe(0);
    const errors = traces(result.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('config_error');
    expect(errors[0].error.message).toContain(FOLLOWERS);
    expect(errors[0].error.stream_descriptor).toEqual({ name: FOLLOWERS });
    expect(records(result.messages, FOLLOWERS)).toEqual([]);
    expect(statusesOf(result.messages, FOLLOWERS)).toEqual(['STARTED', 'INCOMPLETE']);
    expect(records(result.messages, SHARES).length).toBe(expectedTimeBound(SHARES, [ORG], Date.now()).length);
    expectCompleteStream(result.messages, SHARES);
  });
});
