// The built CLI as a child process (real clock), with a generic manifest against the generic API: every command,
// one protocol message per stdout line, nothing else on stdout, no secret anywhere.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  catalog,
  expectCompleteStream,
  expectNoSecrets,
  expectProtocolOnly,
  finalState,
  records,
  runChild,
  statusesOf,
  traces,
  writeFiles,
  type RunResult,
} from '../../helpers/index.js';
import { expectedAccount, expectedItems, expectedMetrics, expectedProjects, startGenericApi, toDay, DAY_MS, type GenericApi } from '../generic-api.js';
import { accessConfig, genericManifest, SCHEMAS, STREAMS, writeGenericManifest } from '../generic-connector.js';

const TOKEN = 'cli-token-SECRET-8e1d';
const CLIENT_SECRET = 'cli-client-secret-SECRET-2f0a';
const REFRESH_TOKEN = 'cli-refresh-token-SECRET-77c3';
const SECRETS = [TOKEN, CLIENT_SECRET, REFRESH_TOKEN];
const modes = (name: string) => (name === 'daily_metrics' ? 'incremental' : 'full_refresh');

let api: GenericApi;
let manifest: string;
let start: string;
let today: string;

beforeAll(async () => {
  api = await startGenericApi({
    tokens: [TOKEN],
    oauth: { clientId: 'cli-client', clientSecret: CLIENT_SECRET, refreshTokens: [REFRESH_TOKEN], rotate: true },
  });
  manifest = writeGenericManifest();
  today = toDay(Date.now());
  start = toDay(Date.now() - 10 * DAY_MS);
});
afterAll(() => api.close());

const config = (extra: Record<string, unknown> = {}) => accessConfig(api.apiUrl, { account_ids: 'acme, globex', start_date: start, ...extra }, TOKEN);

/** Runs the built CLI with the generic manifest; whatever it prints must never contain a secret. */
async function cli(command: string, files: Record<string, unknown>, extra: string[] = [], text = false): Promise<RunResult & { requests: number }> {
  const paths = writeFiles(files);
  const args = [command, '--manifest', manifest, ...Object.entries(paths).flatMap(([name, path]) => (name === 'dir' ? [] : [`--${name.replace(/\.json$/, '')}`, path])), ...extra];
  const before = api.requests.length;
  const result = await runChild(args, { text });
  expectNoSecrets(result, SECRETS);
  return { ...result, requests: api.requests.length - before };
}

describe('spec, check, discover', () => {
  it('spec prints the manifest\'s spec, once', async () => {
    const result = await cli('spec', {});
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    expect(result.messages).toEqual([
      { type: 'SPEC', spec: { documentationUrl: 'https://example.com/generic-api', connectionSpecification: genericManifest().spec.connection_specification } },
    ]);
  });

  it('check reads the check stream and succeeds; a refused token fails with the manifest\'s message; both exit 0', async () => {
    const good = await cli('check', { 'config.json': config() });
    expectProtocolOnly(good);
    expect(good.messages).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }]);
    expect(api.requests.at(-1)!.path).toBe('/api/accounts');
    const bad = await cli('check', { 'config.json': { ...config(), credentials: { auth_method: 'access_token', access_token: 'wrong-token' } } });
    expect(bad.code).toBe(0);
    expect(bad.messages[0].connectionStatus.status).toBe('FAILED');
    expect(bad.messages[0].connectionStatus.message).toContain('The API refused the credentials (invalid_token)');
  });

  it('check fails without a request when the config does not fit the spec', async () => {
    const { base_url: _omitted, ...withoutBase } = config();
    const result = await cli('check', { 'config.json': withoutBase });
    expect(result.messages[0].connectionStatus).toEqual({ status: 'FAILED', message: 'The config is invalid: missing required field "base_url".' });
    expect(result.requests).toBe(0);
  });

  it('discover lists every stream with its schema, keys, and the cursor of the incremental one', async () => {
    const result = await cli('discover', { 'config.json': config() });
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    const streams = result.messages[0].catalog.streams as Record<string, any>[];
    expect(streams.map((s) => s.name)).toEqual(STREAMS);
    for (const stream of streams) expect(stream.json_schema).toEqual(SCHEMAS[stream.name]);
    const { json_schema: _schema, ...metrics } = streams.find((s) => s.name === 'daily_metrics')!;
    expect(metrics).toEqual({
      name: 'daily_metrics',
      supported_sync_modes: ['full_refresh', 'incremental'],
      source_defined_cursor: true,
      default_cursor_field: ['day'],
      source_defined_primary_key: [['account_id'], ['day']],
      is_resumable: true,
    });
    for (const stream of streams.filter((s) => s.name !== 'daily_metrics')) {
      expect(stream.supported_sync_modes).toEqual(['full_refresh']);
      expect(stream.source_defined_primary_key).toEqual([['id']]);
    }
    expect(result.requests).toBe(0);
  });
});

describe('read', () => {
  let first: RunResult;
  beforeAll(async () => {
    first = await cli('read', { 'config.json': config(), 'catalog.json': catalog(STREAMS, modes) });
  });

  it('reads every stream completely, with statuses around the records and a state count on every STATE', () => {
    expect(first.code).toBe(0);
    expectProtocolOnly(first);
    expect(traces(first.messages, 'ERROR')).toEqual([]);
    for (const stream of ['items_by_offset', 'items_by_page', 'items_by_cursor']) expect(records(first.messages, stream)).toEqual(expectedItems());
    expect(records(first.messages, 'accounts')).toEqual(['acme', 'globex', 'initech'].map(expectedAccount));
    // Partitions (one per account) are read concurrently: records keep their order within a partition, not across.
    const byAccount = (projects: Record<string, any>[]) => ['acme', 'globex', 'initech'].flatMap((id) => projects.filter((p) => p.account_id === id));
    expect(byAccount(records(first.messages, 'projects'))).toEqual(
      ['acme', 'globex', 'initech'].flatMap((id) => expectedProjects(id, 2).map((p) => ({ ...p, account_name: expectedAccount(id).name }))),
    );
    const metrics = records(first.messages, 'daily_metrics');
    expect(metrics.map((m) => `${m.account_id}|${m.day}`).sort()).toEqual(
      ['acme', 'globex'].flatMap((id) => expectedMetrics(id, start, today)).map((m) => `${m.account_id}|${m.day}`).sort(),
    );
    expect(metrics).toHaveLength(20);
    for (const stream of STREAMS) expectCompleteStream(first.messages, stream);
  });

  it('a second read from the final state asks nothing new of the metrics, and keeps the state', async () => {
    const state = finalState(first.messages);
    const before = api.requests.length;
    const again = await cli('read', { 'config.json': config(), 'catalog.json': catalog(['daily_metrics'], 'incremental'), 'state.json': state });
    expect(again.code).toBe(0);
    expect(records(again.messages)).toEqual([]);
    expect(api.requests.slice(before).filter((r) => r.path.endsWith('/metrics'))).toEqual([]);
    const metricsState = (states: typeof state) => states.filter((s) => s.stream.stream_descriptor.name === 'daily_metrics').map((s) => s.stream.stream_state);
    expect(metricsState(finalState(again.messages))).toEqual(metricsState(state));
    expect(metricsState(state)[0].states).toHaveLength(2);
  });

  it('an unknown stream in the catalog: a config error naming it, the others complete, exit 1', async () => {
    const result = await cli('read', { 'config.json': config(), 'catalog.json': catalog(['accounts', 'no_such_stream']) });
    expect(result.code).toBe(1);
    expectProtocolOnly(result);
    const [error] = traces(result.messages, 'ERROR');
    expect(error.error.stream_descriptor).toEqual({ name: 'no_such_stream' });
    expect(error.error.failure_type).toBe('config_error');
    expect(statusesOf(result.messages, 'accounts').at(-1)).toBe('COMPLETE');
  });

  it('without --catalog: usage on stderr, exit 2, nothing on stdout', async () => {
    const result = await cli('read', { 'config.json': config() });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('read needs --catalog');
  });
});

describe('validate', () => {
  it('prints the first request of every partition and window, sending none and showing no credential', async () => {
    const result = await cli('validate', { 'config.json': config() }, ['--json', '--streams', 'items_by_offset,daily_metrics'], true);
    expect(result.code).toBe(0);
    expect(result.requests).toBe(0);
    const plans = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { stream: string; requests: { url: string; headers: object }[] });
    expect(plans.map((p) => p.stream)).toEqual(['items_by_offset', 'daily_metrics']);
    expect(plans[0].requests.map((r) => r.url)).toEqual([`${api.apiUrl}/items?offset=0&limit=5`]);
    const metrics = plans[1].requests.map((r) => r.url);
    expect(metrics[0]).toBe(`${api.apiUrl}/accounts/acme/metrics?since=${start}&until=${toDay(Date.parse(start) + 7 * DAY_MS)}`);
    expect(metrics).toHaveLength(4);
    expect(JSON.stringify(plans)).not.toContain('Bearer');
  });

  it('in text, says the manifest is valid and lists the requests', async () => {
    const result = await cli('validate', { 'config.json': config() }, ['--streams', 'projects'], true);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('is valid: 1 stream(s) planned. No request was sent.');
    // A substream's partitions are planned without reading the parent.
    expect(result.stdout).toContain(`GET ${api.apiUrl}/accounts/%3Caccounts.id%3E/projects`);
    expect(result.requests).toBe(0);
  });
});

describe('sync', () => {
  it('into SQLite, twice: tables with the records, upserted by key; the second sync adds no metric', async () => {
    const { dir } = writeFiles({});
    const database = join(dir, 'out.sqlite');
    const configFile = writeFiles({ 'c.json': config() })['c.json'];
    const sync = () => runChild(['sync', '--manifest', manifest, '--config', configFile, '--output', database]);
    const first = await sync();
    expect({ code: first.code, stdout: first.stdout }).toEqual({ code: 0, stdout: '' });
    expectNoSecrets(first, SECRETS);
    const count = (table: string) => {
      const db = new Database(database, { readonly: true });
      try {
        return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    expect([count('items_by_offset'), count('accounts'), count('projects'), count('daily_metrics')]).toEqual([23, 3, 6, 20]);
    const before = api.requests.length;
    expect((await sync()).code).toBe(0);
    expect(api.requests.slice(before).filter((r) => r.path.endsWith('/metrics'))).toEqual([]);
    expect([count('items_by_offset'), count('daily_metrics')]).toEqual([23, 20]);
    expect(readFileSync(database).includes(Buffer.from(TOKEN))).toBe(false);
  });

  it('into a folder of JSON Lines files with a state file', async () => {
    const { dir } = writeFiles({});
    const folder = join(dir, 'out');
    const result = await runChild(['sync', '--manifest', manifest, '--config', writeFiles({ 'c.json': config() })['c.json'], '--output', folder, '--streams', 'accounts,daily_metrics']);
    expect(result.code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['accounts.jsonl', 'daily_metrics.jsonl', 'state.json']);
    expect(readFileSync(join(folder, 'daily_metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(20);
  });
});

describe('OAuth in a child process', () => {
  it('a rotated refresh token comes back in a CONTROL message only; no secret elsewhere in stdout or stderr', async () => {
    const oauth = {
      base_url: api.apiUrl,
      token_url: api.tokenUrl,
      account_ids: 'acme',
      start_date: start,
      credentials: { auth_method: 'oauth', client_id: 'cli-client', client_secret: CLIENT_SECRET, refresh_token: REFRESH_TOKEN },
    };
    const paths = writeFiles({ 'config.json': oauth, 'catalog.json': catalog(['accounts', 'daily_metrics'], modes) });
    const result = await runChild(['read', '--manifest', manifest, '--config', paths['config.json'], '--catalog', paths['catalog.json']]);
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    const controls = result.messages.filter((m) => m.type === 'CONTROL');
    expect(controls).toHaveLength(1);
    const rotated = controls[0].control.connectorConfig.config.credentials.refresh_token as string;
    expect(api.refreshTokens()).toContain(rotated);
    const withoutControl = { ...result, stdout: result.stdout.split('\n').filter((line) => !line.startsWith('{"type":"CONTROL"')).join('\n') };
    expectNoSecrets(withoutControl, [...SECRETS, rotated, ...api.issuedTokens]);
    expect(records(result.messages, 'daily_metrics')).toHaveLength(10);
  });
});
