// One partition of a child stream fails (a 404 the manifest does not ignore, a 500 that outlasts the retries, a
// broken body): that stream ends INCOMPLETE with one TRACE and a final STATE, in `read` and in `sync`; the other
// streams (its parent and its sibling among them) complete; the exit code is 1; nothing crashes or prints a stack
// trace. Each case runs many times, since such failures used to depend on timing; a fake clock skips the retry waits.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { catalog, FakeClock, runInProcess, runInProcessText, statusesOf, TEST_NOW, traces, writeFiles, type Message } from '../../helpers/index.js';
import { startCodeHostingApi, type CodeHostingApi, type Fault } from '../example-api/code-hosting-api.js';
import { exampleConfig, MANIFEST } from './code-hosting-connector.js';

const RUNS = 20;
const STREAMS = ['repositories', 'issues', 'commits', 'teams', 'traffic'];
const CASES: [string, Omit<Fault, 'route' | 'repo'>, RegExp][] = [
  ['a 404 not ignored', { status: 404 }, /Repository crane was not found \(404\)/],
  ['a 500 after every retry', { status: 500 }, /still failed after 3 attempts: 500/],
  ['a broken record', { status: 200, body: '[{"number": 1, "title": "broken' }, /JSON|parse|body/i],
];

/** Stack frames like "    at fn (file.js:1:2)". */
const STACK_FRAME = /\n\s+at .*:\d+:\d+/;

describe('a child partition failing, the example connector', () => {
  let api: CodeHostingApi;
  const clock = new FakeClock(TEST_NOW);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  let files: Record<string, string>;
  beforeAll(async () => {
    api = await startCodeHostingApi({ now: () => clock.now() });
    process.on('unhandledRejection', onUnhandled);
    files = writeFiles({
      'config.json': exampleConfig(api.url),
      'catalog.json': catalog(STREAMS, (name) => (name === 'issues' || name === 'commits' ? 'incremental' : 'full_refresh')),
    });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await api.close();
  });

  const failIssuesOfCrane = (fault: Omit<Fault, 'route' | 'repo'>) => {
    api.clearFaults();
    api.fault({ route: 'issues', repo: 'crane', ...fault });
    clock.set(TEST_NOW);
  };

  /** The stream's own STATE and status messages, in order. */
  const own = (messages: Message[], stream: string) =>
    messages.filter(
      (m) => (m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream) || (m.type === 'TRACE' && m.trace.stream_status?.stream_descriptor.name === stream),
    );

  it.each(CASES)(`%s, read ${RUNS} times: INCOMPLETE with a TRACE and a final STATE, the others COMPLETE`, async (_name, fault, message) => {
    for (let run = 0; run < RUNS; run++) {
      failIssuesOfCrane(fault);
      const result = await runInProcess(['read', '--manifest', MANIFEST, '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
      expect({ run, code: result.code, stderr: result.stderr }).toEqual({ run, code: 1, stderr: '' });
      const errors = traces(result.messages, 'ERROR');
      expect(errors.map((error) => error.error.stream_descriptor)).toEqual([{ name: 'issues' }]);
      expect(errors[0].error.message).toMatch(message);
      expect(statusesOf(result.messages, 'issues').at(-1)).toBe('INCOMPLETE');
      for (const stream of STREAMS.filter((name) => name !== 'issues')) expect({ run, stream, status: statusesOf(result.messages, stream).at(-1) }).toEqual({ run, stream, status: 'COMPLETE' });
      const issues = own(result.messages, 'issues');
      const incomplete = issues.findIndex((m) => m.type === 'TRACE' && m.trace.stream_status.status === 'INCOMPLETE');
      expect(issues[incomplete - 1]?.type).toBe('STATE');
      expect(unhandled).toEqual([]);
    }
  }, 120_000);

  it.each(CASES)(`%s, sync ${RUNS} times: exit 1 with the message and no stack trace; the state is saved`, async (_name, fault, message) => {
    for (let run = 0; run < RUNS; run++) {
      failIssuesOfCrane(fault);
      const output = join(files.dir, `sync-${run}-${Math.random()}.sqlite`);
      const result = await runInProcessText(['sync', '--manifest', MANIFEST, '--config', files['config.json'], '--output', output, '--streams', STREAMS.join(',')], { clock });
      expect({ run, code: result.code }).toEqual({ run, code: 1 });
      expect(result.stderr).toMatch(new RegExp(`ERROR issues: .*${message.source}`, message.flags));
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.stderr).not.toContain('Unhandled');
      const db = new Database(output, { readonly: true });
      try {
        const saved = db.prepare('SELECT stream FROM _connector_state ORDER BY stream').all();
        expect(saved).toEqual(expect.arrayContaining([{ stream: 'commits' }, { stream: 'issues' }]));
        const repos = db.prepare('SELECT COUNT(*) AS n FROM repositories').get();
        expect(repos).toEqual({ n: 5 });
      } finally {
        db.close();
      }
      expect(unhandled).toEqual([]);
    }
  }, 120_000);
});
