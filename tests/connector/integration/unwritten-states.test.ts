// States the connector did not write (edited by hand, from another tool, or written with another granularity) lose
// no data silently: a cursor between day boundaries re-reads its day, a cursor in the future reads nothing but says
// so, a change of time_granularity_type is refused before any request, in `read` and in `sync` into SQLite alike,
// and a start_date in the future is a config error rather than an empty read.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DAY_MS, FakeClock, TEST_NOW, finalState, logs, records, runInProcess, states, traces, writeFiles, type Message } from '../../helpers/index.js';
import { accessTokenConfig, catalogFor, timeBoundWindow } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const ORG = 2414183;
const FOLLOWERS = 'follower_statistics_time_bound';
const SHARES = 'share_statistics_time_bound';
const TIME_BOUND = [FOLLOWERS, SHARES];
const { start: START, end: END } = timeBoundWindow(TEST_NOW);
const HOUR_MS = 3_600_000;

describe('saved states the connector did not write', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  let files: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: [ORG] });
    // No lookback (lookback_days 0): what is read from a saved cursor is then exactly what it leaves unread.
    files = writeFiles({
      'day.json': accessTokenConfig(sim.apiBaseUrl, { time_granularity_type: 'DAY', lookback_days: 0 }),
      'month.json': accessTokenConfig(sim.apiBaseUrl, { time_granularity_type: 'MONTH', lookback_days: 0 }),
      'future-start.json': accessTokenConfig(sim.apiBaseUrl, { start_date: '2027-03-01T00:00:00Z' }),
      'catalog.json': catalogFor(TIME_BOUND, 'incremental'),
    });
  });
  afterAll(() => sim.close());
  beforeEach(() => clock.set(TEST_NOW));

  /** A read with `config` (a file name in `files`) from `state` (none when undefined), and the statistics requests it sent. */
  async function read(state?: unknown, config = 'day.json') {
    const args = ['read', '--config', files[config], '--catalog', files['catalog.json']];
    if (state !== undefined) {
      const path = join(files.dir, `state-${Math.random()}.json`);
      writeFileSync(path, JSON.stringify(state));
      args.push('--state', path);
    }
    const before = sim.requests.length;
    const result = await runInProcess(args, { clock });
    return { ...result, requests: sim.requests.slice(before).filter((r) => r.path.includes('Statistics')) };
  }

  const stateOf = (stream: string, streamState: unknown) => ({ type: 'STREAM', stream: { stream_descriptor: { name: stream }, stream_state: streamState } });
  const both = (streamState: unknown) => TIME_BOUND.map((stream) => stateOf(stream, streamState));
  const cursorAt = (timeRangeEnd: number) => ({ states: [{ partition: { organization_id: String(ORG) }, cursor: { timeRangeEnd } }] });
  const warnings = (messages: Message[]) => logs(messages).filter((log) => log.level === 'WARN').map((log) => log.message);
  const errors = (messages: Message[]) => traces(messages, 'ERROR').map((t) => t.error as { message: string; failure_type: string; stream_descriptor?: { name: string } });

  it('a midday cursor re-reads its day: every day after the last whole one is present exactly once', async () => {
    // Midday of the fifth newest final day: the four days after it and that day itself are still to read.
    const midday = END - 5 * DAY_MS + 12 * HOUR_MS;
    const result = await read(both(cursorAt(midday)));
    expect(result.code).toBe(0);
    expect(errors(result.messages)).toEqual([]);
    const days = [5, 4, 3, 2, 1].map((back) => END - back * DAY_MS);
    for (const stream of TIME_BOUND) {
      expect(records(result.messages, stream).map((r) => r.timeRangeStart)).toEqual(days);
      expect(finalState(result.messages).find((s) => s.stream.stream_descriptor.name === stream)!.stream.stream_state).toEqual({ ...cursorAt(END), granularity: 'P1D' });
    }
    // A fractional cursor on that same day, and the flat form, too.
    const fractional = await read([stateOf(FOLLOWERS, cursorAt(END - 5 * DAY_MS + 0.5)), stateOf(SHARES, { timeRangeEnd: midday })]);
    for (const stream of TIME_BOUND) expect(records(fractional.messages, stream).map((r) => r.timeRangeStart)).toEqual(days);
  });

  it('a mid-month cursor of a MONTH read re-reads its month', async () => {
    const monthStart = Date.UTC(2026, 9, 1);
    const result = await read(both({ ...cursorAt(Date.UTC(2026, 9, 17, 8)), granularity: 'P1M' }), 'month.json');
    expect(result.code).toBe(0);
    // TEST_NOW is 2026-11-29: October is the last whole final month.
    for (const stream of TIME_BOUND) expect(records(result.messages, stream).map((r) => r.timeRangeStart)).toEqual([monthStart]);
  });

  it.each([
    ['in 2030', Date.UTC(2030, 0, 1), '2030-01-01'],
    ['tomorrow', Date.UTC(2026, 10, 30), '2026-11-30'],
    ['absurd', 1e20, 'beyond any date'],
  ])('a cursor after the newest final day (%s): no request, no record, exit 0, and a WARN saying how to reset', async (_name, cursor, shown) => {
    const result = await read(both(cursorAt(cursor)));
    expect(result.code).toBe(0);
    expect(errors(result.messages)).toEqual([]);
    expect(result.requests).toEqual([]);
    expect(records(result.messages)).toEqual([]);
    for (const stream of TIME_BOUND) {
      expect(states(result.messages, stream).length).toBeGreaterThanOrEqual(1);
      const warning = warnings(result.messages).filter((message) => message.includes(`Stream "${stream}"`));
      expect(warning).toHaveLength(1);
      expect(warning[0]).toContain(shown);
      expect(warning[0]).toContain(`up to ${new Date(END).toISOString().slice(0, 10)}, exclusive`);
      expect(warning[0]).toContain("remove this stream's entry from the state");
      expect(warning[0]).toContain('`_connector_state`');
    }
  });

  it('a cursor in epoch seconds reads from the start date, with a WARN saying so', async () => {
    const result = await read(both(cursorAt(1_760_000_000)));
    expect(result.code).toBe(0);
    for (const stream of TIME_BOUND) {
      expect(records(result.messages, stream)[0].timeRangeStart).toBe(START);
      const warning = warnings(result.messages).filter((message) => message.includes(`Stream "${stream}"`));
      expect(warning).toHaveLength(1);
      expect(warning[0]).toContain('looks like epoch seconds (2025-10-09T08:53:20Z)');
      expect(warning[0]).toContain('nothing is lost');
    }
  });

  it.each([
    ['DAY', 'MONTH', 'day.json', 'month.json', 'daily windows (P1D)'],
    ['MONTH', 'DAY', 'month.json', 'day.json', 'monthly windows (P1M)'],
  ])('%s then %s: a config error before any request, with what to do; nothing written', async (_from, to, first, second, was) => {
    const firstRead = await read(undefined, first);
    expect(firstRead.code).toBe(0);
    const saved = finalState(firstRead.messages);
    const result = await read(saved, second);
    expect(result.code).toBe(1);
    expect(result.requests).toEqual([]);
    expect(records(result.messages)).toEqual([]);
    expect(states(result.messages)).toEqual([]);
    const failures = errors(result.messages);
    expect(failures.map((f) => f.stream_descriptor?.name).sort()).toEqual([...TIME_BOUND].sort());
    for (const failure of failures) {
      expect(failure.failure_type).toBe('config_error');
      expect(failure.message).toContain(`was written with ${was}`);
      expect(failure.message).toContain(`config.time_granularity_type (now "${to}")`);
      expect(failure.message).toContain('go back to the previous granularity');
      expect(failure.message).toContain('sync it from scratch into a new output');
    }
    // Going back reads on from the state.
    const back = await read(saved, first);
    expect(back.code).toBe(0);
    expect(errors(back.messages)).toEqual([]);
  });

  it('a change of time_granularity_type in `sync` into SQLite: refused, the tables and _connector_state untouched', async () => {
    const database = join(files.dir, 'granularity.sqlite');
    let stderr = '';
    const sync = (config: string) =>
      runInProcess(['sync', '--config', files[config], '--output', database, '--streams', TIME_BOUND.join(',')], {
        clock,
        stderr: { write: (text: string) => ((stderr += text), true) },
      });
    expect((await sync('day.json')).code).toBe(0);
    const contents = () => {
      const db = new Database(database, { readonly: true });
      try {
        return {
          followers: db.prepare(`SELECT count(*) AS n FROM ${FOLLOWERS}`).get(),
          shares: db.prepare(`SELECT count(*) AS n FROM ${SHARES}`).get(),
          state: db.prepare('SELECT stream, state FROM _connector_state ORDER BY stream').all(),
        };
      } finally {
        db.close();
      }
    };
    const before = contents();
    for (const row of before.state as { state: string }[]) expect(JSON.parse(row.state)).toMatchObject({ stream: { stream_state: { granularity: 'P1D' } } });
    const requests = sim.requests.length;
    stderr = '';
    clock.advance(40 * DAY_MS);
    const refused = await sync('month.json');
    expect(refused.code).toBe(1);
    expect(stderr).toContain('was written with daily windows (P1D)');
    expect(stderr).toContain('_connector_state');
    expect(sim.requests.slice(requests).filter((r) => r.path.includes('Statistics'))).toEqual([]);
    expect(contents()).toEqual(before);
  });

  it('a start_date in the future is a config error naming start_datetime and start_date, before any request', async () => {
    const result = await read(undefined, 'future-start.json');
    expect(result.code).toBe(1);
    expect(result.requests).toEqual([]);
    const failures = errors(result.messages);
    expect(failures).toHaveLength(2);
    for (const failure of failures) {
      expect(failure.failure_type).toBe('config_error');
      expect(failure.message).toContain('start_datetime at');
      expect(failure.message).toContain('is 2027-03-01, after the end of the range');
      expect(failure.message).toContain('config.start_date = "2027-03-01T00:00:00Z"');
    }
  });
});
