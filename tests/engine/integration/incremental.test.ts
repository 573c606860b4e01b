// The date-sliced incremental cursor through the CLI (in this process, fake clock) against the generic API's daily
// metrics: a read from no state reads every window of every partition; a read from its final STATE reads only the
// windows that became final since; a read resumed from any intermediate STATE loses and repeats nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  catalog,
  DAY_MS,
  expectCompleteStream,
  FakeClock,
  finalState,
  records,
  runInProcess,
  states,
  TEST_NOW,
  traces,
  writeFiles,
  type Message,
} from '../../helpers/index.js';
import { expectedMetrics, startGenericApi, toDay, type GenericApi } from '../generic-api.js';
import { accessConfig, writeGenericManifest } from '../generic-connector.js';

const STREAM = 'daily_metrics';
const ACCOUNTS = ['acme', 'globex'];
const START = '2026-10-01';
/** TEST_NOW is 2026-11-29T10:00Z: the last final day is 2026-11-28, so windows end (exclusive) at 2026-11-29. */
const END = toDay(TEST_NOW);
const key = (record: Record<string, any>) => `${record.account_id}|${record.day}`;
const expectedDays = (since: string, until: string) => ACCOUNTS.flatMap((account) => expectedMetrics(account, since, until));

describe('incremental reads of a date-sliced stream', () => {
  const clock = new FakeClock(TEST_NOW);
  let api: GenericApi;
  let manifest: string;
  let files: Record<string, string>;

  beforeAll(async () => {
    api = await startGenericApi({ now: () => clock.now() });
    manifest = writeGenericManifest();
    files = writeFiles({
      'config.json': accessConfig(api.apiUrl, { account_ids: ACCOUNTS.join(', '), start_date: START }),
      'catalog.json': catalog([STREAM], 'incremental'),
    });
  });
  afterAll(() => api.close());
  beforeEach(() => clock.set(TEST_NOW));

  /** A read from `state` (none when undefined); returns its messages and the metrics requests it sent. */
  async function read(state?: unknown, catalogFile = files['catalog.json']) {
    const stateFile = state === undefined ? [] : ['--state', writeFiles({ 'state.json': state })['state.json']];
    const before = api.requests.length;
    const run = await runInProcess(['read', '--manifest', manifest, '--config', files['config.json'], '--catalog', catalogFile, ...stateFile], { clock });
    expect({ code: run.code, stderr: run.stderr, errors: traces(run.messages, 'ERROR') }).toEqual({ code: 0, stderr: '', errors: [] });
    const requests = api.requests.slice(before).map((r) => ({ account: r.path.split('/')[3], since: r.query.get('since'), until: r.query.get('until') }));
    return { messages: run.messages, requests };
  }

  const cursorOf = (messages: Message[]) => finalState(messages)[0].stream.stream_state;

  it('from no state: every day of every partition once, in 7-day windows, ending with a STATE at the last window', async () => {
    const first = await read();
    // 59 days from 2026-10-01 to 2026-11-29 are 8 whole weeks and 3 days: 9 requests per account.
    expect(first.requests).toHaveLength(9 * ACCOUNTS.length);
    for (const account of ACCOUNTS) {
      // Windows are read concurrently: they arrive in any order, but cover the range without gap or overlap.
      const windows = first.requests.filter((r) => r.account === account).sort((x, y) => x.since!.localeCompare(y.since!));
      expect(windows[0]).toEqual({ account, since: START, until: '2026-10-08' });
      expect(windows.at(-1)).toEqual({ account, since: '2026-11-26', until: END });
      for (let i = 1; i < windows.length; i++) expect(windows[i].since).toBe(windows[i - 1].until);
    }
    expect(records(first.messages).map(key).sort()).toEqual(expectedDays(START, END).map(key).sort());
    expect(records(first.messages)).toHaveLength(59 * ACCOUNTS.length);
    expectCompleteStream(first.messages, STREAM);
    expect(cursorOf(first.messages)).toEqual({ states: ACCOUNTS.map((account_id) => ({ partition: { account_id }, cursor: { day: END } })), granularity: 'P1D' });
  });

  it('from the final STATE: nothing at the same moment; later, only the windows that became final', async () => {
    const first = await read();
    const same = await read(finalState(first.messages));
    expect(same.requests).toEqual([]);
    expect(records(same.messages)).toEqual([]);
    expect(cursorOf(same.messages)).toEqual(cursorOf(first.messages));

    // Three days later: one request per account, for exactly the three new days.
    clock.advance(3 * DAY_MS);
    const later = await read(finalState(same.messages));
    expect(later.requests).toEqual(ACCOUNTS.map((account) => ({ account, since: END, until: '2026-12-02' })));
    expect(records(later.messages)).toEqual(expectedDays(END, '2026-12-02'));
    const seen = new Set(records(first.messages).map(key));
    expect(records(later.messages).filter((r) => seen.has(key(r)))).toEqual([]);
    expect(cursorOf(later.messages)).toEqual({ states: ACCOUNTS.map((account_id) => ({ partition: { account_id }, cursor: { day: '2026-12-02' } })), granularity: 'P1D' });

    // Ten more days: windows of 7 days again, from where the state stopped.
    clock.advance(10 * DAY_MS);
    const tenDays = await read(finalState(later.messages));
    expect(tenDays.requests.filter((r) => r.account === 'acme').sort((x, y) => x.since!.localeCompare(y.since!))).toEqual([
      { account: 'acme', since: '2026-12-02', until: '2026-12-09' },
      { account: 'acme', since: '2026-12-09', until: '2026-12-12' },
    ]);
    expect(records(tenDays.messages)).toHaveLength(10 * ACCOUNTS.length);
  });

  it('resumed from each intermediate STATE: the records before it plus the resumed read are the whole read, none twice', async () => {
    const first = await read();
    const all = records(first.messages).map(key).sort();
    const checkpoints: { before: string[]; state: Message }[] = [];
    const emitted: string[] = [];
    for (const message of first.messages) {
      if (message.type === 'RECORD') emitted.push(key(message.record.data));
      if (message.type === 'STATE') checkpoints.push({ before: [...emitted], state: message.state });
    }
    // Intermediate states exist (10 records per partition make one), besides the final one.
    expect(checkpoints.length).toBeGreaterThan(2);
    for (const { before, state } of checkpoints.slice(0, -1)) {
      const resumed = await read([state]);
      const union = [...before, ...records(resumed.messages).map(key)];
      expect(union.sort()).toEqual(all);
      // The resumed read starts each partition at the cursor the state holds.
      for (const entry of state.stream.stream_state.states as { partition: { account_id: string }; cursor: { day: string } }[]) {
        const starts = resumed.requests.filter((r) => r.account === entry.partition.account_id).map((r) => r.since!);
        expect(starts.sort()[0]).toBe(entry.cursor.day === END ? undefined : entry.cursor.day);
      }
    }
  });

  it('a partition the state does not know starts at start_date; a full refresh ignores the state', async () => {
    const state = [{ type: 'STREAM', stream: { stream_descriptor: { name: STREAM }, stream_state: { states: [{ partition: { account_id: 'acme' }, cursor: { day: '2026-11-26' } }] } } }];
    const resumed = await read(state);
    expect(resumed.requests.filter((r) => r.account === 'acme')).toEqual([{ account: 'acme', since: '2026-11-26', until: END }]);
    expect(resumed.requests.filter((r) => r.account === 'globex')).toHaveLength(9);

    const full = await read(state, writeFiles({ 'c.json': catalog([STREAM], 'full_refresh') })['c.json']);
    expect(full.requests).toHaveLength(9 * ACCOUNTS.length);
    expect(records(full.messages)).toHaveLength(59 * ACCOUNTS.length);
    expect(states(full.messages).length).toBeGreaterThanOrEqual(1);
  });

  describe('states this connector did not write', () => {
    const stateOf = (day: string, extra: Record<string, unknown> = {}) => [
      { type: 'STREAM', stream: { stream_descriptor: { name: STREAM }, stream_state: { states: ACCOUNTS.map((account_id) => ({ partition: { account_id }, cursor: { day } })), ...extra } } },
    ];
    const warnings = (messages: Message[]) => messages.filter((m) => m.type === 'LOG' && m.log.level === 'WARN').map((m) => m.log.message as string);

    it('a cursor with a time of day re-reads that day: each day after it is read once', async () => {
      const resumed = await read(stateOf('2026-11-25T13:30:00Z'));
      expect(resumed.requests).toEqual(ACCOUNTS.map((account) => ({ account, since: '2026-11-25', until: END })));
      expect(records(resumed.messages).map(key)).toEqual(expectedDays('2026-11-25', END).map(key));
      expect(cursorOf(resumed.messages)).toEqual({ states: ACCOUNTS.map((account_id) => ({ partition: { account_id }, cursor: { day: END } })), granularity: 'P1D' });
    });

    it('a cursor after the newest final day reads nothing and warns, naming the stream, the date and the reset', async () => {
      const resumed = await read(stateOf('2030-01-01', { granularity: 'P1D' }));
      expect(resumed.requests).toEqual([]);
      expect(records(resumed.messages)).toEqual([]);
      expectCompleteStream(resumed.messages, STREAM, false);
      const told = warnings(resumed.messages);
      expect(told).toHaveLength(1);
      expect(told[0]).toContain(`Stream "${STREAM}": the saved cursor of 2 partitions (the latest) is 2030-01-01, after the newest final data (up to ${END}, exclusive)`);
      expect(told[0]).toContain("remove this stream's entry from the state");
    });

    it('a state written with monthly windows is refused before any request: the config error says what to do', async () => {
      const before = api.requests.length;
      const run = await runInProcess(
        ['read', '--manifest', manifest, '--config', files['config.json'], '--catalog', files['catalog.json'], '--state', writeFiles({ 's.json': stateOf('2026-11-01', { granularity: 'P1M' }) })['s.json']],
        { clock },
      );
      expect(run.code).toBe(1);
      expect(api.requests.length).toBe(before);
      expect(records(run.messages)).toEqual([]);
      expect(states(run.messages)).toEqual([]);
      const [error] = traces(run.messages, 'ERROR').map((t) => t.error as { message: string; failure_type: string });
      expect(error.failure_type).toBe('config_error');
      expect(error.message).toContain(`The saved state of stream "${STREAM}" was written with monthly windows (P1M), but this read's are daily (P1D`);
      expect(error.message).toContain('go back to the previous granularity, or reset the stream');
    });

    it('a start_date after the newest final day is a config error naming start_datetime and config.start_date', async () => {
      const future = writeFiles({ 'future.json': accessConfig(api.apiUrl, { account_ids: ACCOUNTS.join(', '), start_date: '2027-01-01' }) })['future.json'];
      const before = api.requests.length;
      const run = await runInProcess(['read', '--manifest', manifest, '--config', future, '--catalog', files['catalog.json']], { clock });
      expect(run.code).toBe(1);
      expect(api.requests.length).toBe(before);
      const [error] = traces(run.messages, 'ERROR').map((t) => t.error as { message: string; failure_type: string });
      expect(error.failure_type).toBe('config_error');
      expect(error.message).toContain(`is 2027-01-01, after the end of the range (${END}, exclusive): a sync would read nothing. It comes from config.start_date = "2027-01-01".`);
    });
  });
});
