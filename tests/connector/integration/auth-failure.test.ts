// A refused credential holds for every stream: one message, every stream INCOMPLETE, no request after the refusal.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runInProcess, traces, writeFiles, FakeClock, TEST_NOW } from '../../helpers/index.js';
import { ALL_STREAMS, accessTokenConfig, catalogFor } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

describe('a wrong token', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: [2414183, 1035] });
  });
  afterAll(() => sim.close());

  it('gives one TRACE for the whole read, every stream INCOMPLETE, and no request once it is known', async () => {
    const files = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: '2414183,1035', credentials: { auth_method: 'access_token', access_token: 'wrong-token-0000' } }),
      'catalog.json': catalogFor(ALL_STREAMS),
    });
    const before = sim.requests.length;
    const run = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
    expect(run.code).toBe(1);
    const errors = traces(run.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('config_error');
    const final = new Map(traces(run.messages, 'STREAM_STATUS').map((trace) => [trace.stream_status.stream_descriptor.name, trace.stream_status.status]));
    expect(Object.fromEntries(final)).toEqual(Object.fromEntries(ALL_STREAMS.map((stream) => [stream, 'INCOMPLETE'])));
    // Only the requests already in flight when the first refusal came (at most concurrency_level of them).
    expect(sim.requests.length - before).toBeLessThanOrEqual(4);
    expect(run.stdout).not.toContain('wrong-token-0000');
  });

  it('sync says it once too', async () => {
    const files = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { credentials: { auth_method: 'access_token', access_token: 'wrong-token-0000' } }),
    });
    let stderr = '';
    const run = await runInProcess(['sync', '--config', files['config.json'], '--output', `${files.dir}/out.sqlite`], {
      clock,
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(run.code).toBe(1);
    expect(stderr.match(/^ERROR /gm)).toHaveLength(1);
  });
});
