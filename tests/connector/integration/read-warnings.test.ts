// What a read tells the user about inputs it can only partly honour: it goes on, and says so with a WARN.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logs, records, runInProcess, states, traces, writeFiles, FakeClock, TEST_NOW } from '../../helpers/index.js';
import { accessTokenConfig } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

describe('a read warns about state and catalog entries it cannot use as asked', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  let files: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: [2414183] });
    files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl) });
  });
  afterAll(() => sim.close());

  const read = async (catalog: unknown, state?: unknown) => {
    const catalogPath = join(files.dir, `catalog-${Math.random()}.json`);
    writeFileSync(catalogPath, JSON.stringify(catalog));
    const args = ['read', '--config', files['config.json'], '--catalog', catalogPath];
    if (state !== undefined) {
      const statePath = join(files.dir, `state-${Math.random()}.json`);
      writeFileSync(statePath, JSON.stringify(state));
      args.push('--state', statePath);
    }
    return runInProcess(args, { clock });
  };
  const warnings = (messages: Parameters<typeof logs>[0]) => logs(messages).filter((log) => log.level === 'WARN').map((log) => log.message);
  const entry = (name: string, sync_mode: string) => ({ stream: { name }, sync_mode, destination_sync_mode: 'append' });

  it('a state entry for a stream the catalog does not ask for is named in a WARN; the read goes on', async () => {
    const run = await read({ streams: [entry('total_follower_count', 'full_refresh')] }, [
      { type: 'STREAM', stream: { stream_descriptor: { name: 'follower_statistics_timebound' }, stream_state: { x: 1 } } },
    ]);
    expect(run.code).toBe(0);
    expect(warnings(run.messages)).toEqual([
      'The state has an entry for stream "follower_statistics_timebound", which the catalog does not ask for: it is ignored. A stream renamed since that state starts from its start date.',
    ]);
    expect(records(run.messages, 'total_follower_count')).toHaveLength(1);
  });

  it('incremental asked of a full-refresh-only stream is a WARN naming it, and the stream is read in full', async () => {
    const run = await read({ streams: [entry('total_follower_count', 'incremental')] });
    expect(run.code).toBe(0);
    expect(warnings(run.messages)).toEqual([
      'Stream "total_follower_count" supports only full refresh; the catalog asks for incremental, so it is read in full.',
    ]);
    expect(records(run.messages, 'total_follower_count')).toHaveLength(1);
  });

  it('a GLOBAL state resumes each stream it lists, exactly as the same STREAM states do', async () => {
    const catalog = { streams: [entry('follower_statistics_time_bound', 'incremental')] };
    const first = await read(catalog);
    const saved = states(first.messages).at(-1)!.state.stream;
    const asStream = await read(catalog, [{ type: 'STREAM', stream: saved }]);
    const asGlobal = await read(catalog, [{ type: 'GLOBAL', global: { shared_state: {}, stream_states: [saved] } }]);
    expect(records(first.messages).length).toBeGreaterThan(300);
    expect(records(asGlobal.messages)).toEqual(records(asStream.messages));
    expect(records(asGlobal.messages).length).toBeLessThan(records(first.messages).length);
    expect(traces(asGlobal.messages, 'ERROR')).toEqual([]);
  });

  it('a LEGACY state is ignored with a WARN rather than refused', async () => {
    const run = await read({ streams: [entry('total_follower_count', 'full_refresh')] }, [{ type: 'LEGACY', data: { cursor: 1 } }]);
    expect(run.code).toBe(0);
    expect(warnings(run.messages)[0]).toMatch(/^Ignored entry 0 of the state file: a LEGACY state/);
  });
});
