// A saved state of `sync` that was damaged by hand (or by another program): the next sync stops before any request
// with a message that names the table or file, says what is wrong with it and how to reset it; never an internal
// error, never a silent start over.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runInProcess, writeFiles, FakeClock, TEST_NOW } from '../../helpers/index.js';
import { accessTokenConfig } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const STREAM = 'follower_statistics_time_bound';
const clock = new FakeClock(TEST_NOW);
let sim: Simulator;
let files: Record<string, string>;

beforeAll(async () => {
  sim = await startSimulator({ now: () => clock.now(), organizations: [2414183] });
  files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl) });
});
afterAll(() => sim.close());

let outputs = 0;
async function sync(output: string) {
  let stderr = '';
  const before = sim.requests.length;
  const run = await runInProcess(['sync', '--config', files['config.json'], '--output', output, '--streams', STREAM], {
    clock,
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code: run.code, stderr, requests: sim.requests.length - before };
}

/** A refused sync: exit 1, no request, and a message that is not an internal error. */
function expectRefused(result: Awaited<ReturnType<typeof sync>>): void {
  expect(result.code).toBe(1);
  expect(result.requests).toBe(0);
  expect(result.stderr).not.toContain('internal error');
}

describe('SQLite: a damaged row of the state table', () => {
  /** A database synced once, whose saved state row for the stream is then replaced by `state`. */
  async function databaseWithState(state: string): Promise<string> {
    const path = join(files.dir, `saved-${++outputs}.sqlite`);
    expect((await sync(path)).code).toBe(0);
    const db = new Database(path);
    db.prepare('UPDATE _connector_state SET state = ? WHERE stream = ?').run(state, STREAM);
    db.close();
    return path;
  }
  const reset = `Delete that row (DELETE FROM _connector_state WHERE stream = '${STREAM}') to sync that stream from its start date.`;

  it('a state that is not JSON: the stream, table and database named, and the statement that resets it', async () => {
    const path = await databaseWithState('{"type": "STREAM", "stream": {');
    const result = await sync(path);
    expectRefused(result);
    expect(result.stderr).toBe(`The saved state of stream "${STREAM}" in table _connector_state of ${path} is not valid JSON. ${reset}\n`);
  });

  it.each([
    ['a JSON number', '42', 'it is not an object'],
    ['an array', '[]', 'it is not an object'],
    ['another type of message', JSON.stringify({ type: 'GLOBAL', global: { stream_states: [] } }), 'its type is "GLOBAL"; expected "STREAM"'],
    ['a STREAM message without a descriptor', JSON.stringify({ type: 'STREAM', stream: { stream_state: {} } }), 'it has no stream.stream_descriptor.name'],
    [
      'the state of another stream',
      JSON.stringify({ type: 'STREAM', stream: { stream_descriptor: { name: 'share_statistics_time_bound' }, stream_state: {} } }),
      'it is the state of stream "share_statistics_time_bound"',
    ],
  ])('%s: says what is wrong, where, and how to reset it', async (_name, state, why) => {
    const path = await databaseWithState(state);
    const result = await sync(path);
    expectRefused(result);
    expect(result.stderr).toBe(`The saved state of stream "${STREAM}" in table _connector_state of ${path} is not a STATE message of that stream (${why}). ${reset}\n`);
  });
});

describe('JSON Lines: a damaged state.json', () => {
  /** A folder synced once, whose state.json is then replaced by `text`. */
  async function folderWithState(text: string): Promise<{ dir: string; stateFile: string }> {
    const dir = join(files.dir, `saved-${++outputs}`);
    expect((await sync(dir)).code).toBe(0);
    const stateFile = join(dir, 'state.json');
    expect(Object.keys(JSON.parse(readFileSync(stateFile, 'utf8')) as object)).toEqual([STREAM]);
    writeFileSync(stateFile, text);
    return { dir, stateFile };
  }
  const resetFile = 'Fix it, or remove it to sync every stream from its start date.';

  it('a file that is not JSON', async () => {
    const { dir, stateFile } = await folderWithState('{"follower_statistics_time_bound": {');
    const result = await sync(dir);
    expectRefused(result);
    expect(result.stderr).toBe(`The state file ${stateFile} is not valid JSON. ${resetFile}\n`);
  });

  it.each([['[]'], ['"state"'], ['null']])('%s is not an object of states by stream name', async (text) => {
    const { dir, stateFile } = await folderWithState(text);
    const result = await sync(dir);
    expectRefused(result);
    expect(result.stderr).toBe(`The state file ${stateFile} is not an object of states by stream name. ${resetFile}\n`);
  });

  it.each([
    ['a JSON string', '"2026-01-01"', 'it is not an object'],
    ['another type of message', JSON.stringify({ type: 'LEGACY', data: {} }), 'its type is "LEGACY"; expected "STREAM"'],
    ['a bare stream state', JSON.stringify({ states: [] }), 'its type is undefined; expected "STREAM"'],
    [
      'the state of another stream',
      JSON.stringify({ type: 'STREAM', stream: { stream_descriptor: { name: 'organization_lookup' }, stream_state: {} } }),
      'it is the state of stream "organization_lookup"',
    ],
  ])('an entry that is %s: names the entry and what is wrong', async (_name, entry, why) => {
    const { dir, stateFile } = await folderWithState(`{"${STREAM}": ${entry}}`);
    const result = await sync(dir);
    expectRefused(result);
    expect(result.stderr).toBe(
      `The state file ${stateFile} has an entry "${STREAM}" that is not a STATE message of that stream (${why}). ` +
        `Fix it, or remove that entry to sync stream "${STREAM}" from its start date.\n`,
    );
  });
});
