// While a stream waits out a 429, the platform is told it is rate limited, and until when; then that it runs again.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runInProcess, traces, writeFiles, FakeClock, TEST_NOW } from '../../helpers/index.js';
import { accessTokenConfig, catalogFor } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

describe('STREAM_STATUS while backing off on a 429', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: [2414183] });
  });
  afterAll(() => sim.close());

  it('RUNNING with a RATE_LIMITED reason during the wait, then RUNNING without one, then COMPLETE', async () => {
    const files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl), 'catalog.json': catalogFor(['total_follower_count', 'organization_lookup']) });
    sim.addFault({ kind: 'status', status: 429, times: 2, match: 'networkSizes' });
    const run = await runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
    sim.clearFaults();
    expect(run.code).toBe(0);
    const statuses = traces(run.messages, 'STREAM_STATUS').filter((trace) => trace.stream_status.stream_descriptor.name === 'total_follower_count');
    const shown = statuses.map((trace) => [trace.stream_status.status, trace.stream_status.reasons?.[0]?.rate_limited.quota_reset - trace.emitted_at]);
    // Waits of 5 s, then 10 s (the manifest's exponential backoff), each announced as it starts.
    expect(shown).toEqual([
      ['STARTED', NaN],
      ['RUNNING', 5000],
      ['RUNNING', 10000],
      ['RUNNING', NaN],
      ['COMPLETE', NaN],
    ]);
    const lookup = traces(run.messages, 'STREAM_STATUS').filter((trace) => trace.stream_status.stream_descriptor.name === 'organization_lookup');
    expect(lookup.map((trace) => trace.stream_status.status)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });
});
