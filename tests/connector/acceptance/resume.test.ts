// Acceptance: restarting from ANY intermediate state loses nothing and repeats nothing. For every STATE message
// of a first read, the records emitted before that state plus the records of a read resumed from it must be
// exactly the first read's records. In-process (same CLI code, injected fake clock) for speed.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { records, runInProcess, writeFiles, type Message, FakeClock, TEST_NOW, expectCompleteStream } from '../../helpers/index.js';
import { accessTokenConfig, catalogFor, dayKey, expectedTimeBound, timeBoundWindow } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const TIME_BOUND = ['follower_statistics_time_bound', 'share_statistics_time_bound'];
const ORG_A = 2414183;
const ORG_B = 1035;

interface Setup {
  sim: Simulator;
  clock: FakeClock;
  config: string;
}

async function setup(orgIds: number[], statisticsPageSize?: number): Promise<Setup> {
  const clock = new FakeClock(TEST_NOW);
  const sim = await startSimulator({ now: () => clock.now(), organizations: orgIds, statisticsPageSize });
  const config = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: orgIds.join(', ') }) })['config.json'];
  return { sim, clock, config };
}

async function readFrom(s: Setup, stream: string, state?: unknown): Promise<Message[]> {
  const files = writeFiles({ 'catalog.json': catalogFor([stream]), ...(state === undefined ? {} : { 'state.json': state }) });
  const args = ['read', '--config', s.config, '--catalog', files['catalog.json'], ...(state === undefined ? [] : ['--state', files['state.json']])];
  const result = await runInProcess(args, { clock: s.clock });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return result.messages;
}

/** Runs the first read of `stream`, then a resumed read from each of its states; returns the problems found. */
async function resumeFromEveryState(s: Setup, stream: string, orgIds: number[]) {
  const first = await readFrom(s, stream);
  expectCompleteStream(first, stream);
  const all = records(first, stream).map(dayKey);
  const expected = expectedTimeBound(stream, orgIds, TEST_NOW).map(dayKey);
  expect([...all].sort()).toEqual([...expected].sort());
  // The read really used the fake clock: its last day ends at UTC midnight two days before TEST_NOW.
  expect(Math.max(...records(first, stream).map((r) => r.timeRangeEnd as number))).toBe(timeBoundWindow(TEST_NOW).end);

  const checkpoints: { before: string[]; state: Message }[] = [];
  const emitted: string[] = [];
  for (const message of first) {
    if (message.type === 'RECORD' && message.record.stream === stream) emitted.push(dayKey(message.record.data));
    if (message.type === 'STATE' && message.state.stream.stream_descriptor.name === stream) {
      checkpoints.push({ before: [...emitted], state: message.state });
    }
  }
  // 12 months are one slice per organization: at most a state after each organization, and one at the end.
  // Organizations are read concurrently and released in order, so several can complete together and share one state;
  // a resume is tested from each (a finished organization then has no new final day: no lookback re-read either).
  expect(checkpoints.length).toBeGreaterThanOrEqual(2);
  expect(checkpoints.length).toBeLessThanOrEqual(orgIds.length + 1);

  const problems: { stateIndex: number; recordsBefore: number; repeated: string[]; lost: string[] }[] = [];
  const batch = 4;
  for (let i = 0; i < checkpoints.length; i += batch) {
    const resumed = await Promise.all(checkpoints.slice(i, i + batch).map((c) => readFrom(s, stream, [c.state])));
    resumed.forEach((messages, j) => {
      const { before } = checkpoints[i + j];
      const union = [...before, ...records(messages, stream).map(dayKey)];
      const counts = new Map<string, number>();
      for (const key of union) counts.set(key, (counts.get(key) ?? 0) + 1);
      const repeated = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
      const lost = all.filter((key) => !counts.has(key));
      const extra = union.filter((key) => !all.includes(key));
      if (repeated.length || lost.length || extra.length) {
        problems.push({ stateIndex: i + j, recordsBefore: before.length, repeated: repeated.slice(0, 3), lost: [...lost, ...extra].slice(0, 3) });
      }
    });
  }
  return { problems, checkpoints: checkpoints.length };
}

describe.each([
  ['one organization', [ORG_A], undefined],
  ['two organizations', [ORG_A, ORG_B], undefined],
  ['one organization, statistics paged by 7', [ORG_A], 7],
] as const)('restart from every intermediate state (%s)', (_name, orgIds, pageSize) => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup([...orgIds], pageSize);
  });
  afterAll(async () => {
    await s.sim.close();
  });

  it.each(TIME_BOUND)('%s: nothing lost, nothing repeated', async (stream) => {
    const { problems } = await resumeFromEveryState(s, stream, [...orgIds]);
    expect(problems).toEqual([]);
  }, 60_000);
});

describe('restart from every intermediate state (two organizations, statistics paged by 7)', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup([ORG_A, ORG_B], 7);
  });
  afterAll(async () => {
    await s.sim.close();
  });

  it('follower_statistics_time_bound: nothing lost, nothing repeated', async () => {
    const { problems } = await resumeFromEveryState(s, 'follower_statistics_time_bound', [ORG_A, ORG_B]);
    expect(problems).toEqual([]);
  }, 60_000);
});
