// Acceptance: check (good config SUCCEEDED, bad config FAILED and never a crash, an exception one TRACE) and
// discover (one CATALOG of unique, valid draft-07 schemas whose cursor and key fields exist and are scalars).
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createAjv } from '../../../engine/json-schema/ajv.js';
import { runChild, traces, writeFiles, type RunResult, expectNoSecrets, expectProtocolOnly, schemaKeywords } from '../../helpers/index.js';
import { EVERY_STREAM, accessTokenConfig, activeApiVersion } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const TOKEN = 'acceptance-check-token-5d1e';
let sim: Simulator;

const config = (extra: Record<string, unknown> = {}) => ({
  ...accessTokenConfig(sim.apiBaseUrl, { api_version: activeApiVersion(), ...extra }),
  credentials: { auth_method: 'access_token', access_token: TOKEN },
});

beforeAll(async () => {
  sim = await startSimulator({ accessTokens: [TOKEN] });
});

afterAll(async () => {
  await sim.close();
});

function onlyConnectionStatus(result: RunResult): { status: string; message?: string } {
  expect(result.code).toBe(0);
  expectProtocolOnly(result);
  expectNoSecrets(result, [TOKEN, 'wrong-token-0000']);
  expect(traces(result.messages, 'ERROR')).toEqual([]);
  const statuses = result.messages.filter((m) => m.type === 'CONNECTION_STATUS');
  expect(statuses).toHaveLength(1);
  return statuses[0].connectionStatus;
}

describe('check', () => {
  it('a good config gives one CONNECTION_STATUS SUCCEEDED', async () => {
    const files = writeFiles({ 'config.json': config() });
    expect(onlyConnectionStatus(await runChild(['check', '--config', files['config.json']]))).toEqual({ status: 'SUCCEEDED' });
  });

  it.each([
    ['wrong credentials', { credentials: { auth_method: 'access_token', access_token: 'wrong-token-0000' } }, /60 days/],
    ['an org id that is not a number', { org_id: 'my-company' }, /org_id/],
    ['an unknown auth method', { credentials: { auth_method: 'api_key', api_key: 'x' } }, /auth_method/],
  ])('a bad config (%s) gives one CONNECTION_STATUS FAILED with a message, and exit 0', async (_case, override, hint) => {
    const files = writeFiles({ 'config.json': { ...config(), ...override } });
    const status = onlyConnectionStatus(await runChild(['check', '--config', files['config.json']]));
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(hint);
  });

  it('a config that cannot be read at all gives exactly one TRACE ERROR', async () => {
    const files = writeFiles({ 'config.json': '{"org_id": "2414183", ' });
    const result = await runChild(['check', '--config', files['config.json']]);
    expect(result.code).not.toBe(0);
    expectProtocolOnly(result);
    expect(result.messages.filter((m) => m.type === 'CONNECTION_STATUS')).toEqual([]);
    const errors = traces(result.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('config_error');
    expect(errors[0].error.message).toContain('--config');
  });
});

describe('discover', () => {
  let result: RunResult;
  let streams: Record<string, any>[];

  beforeAll(async () => {
    const files = writeFiles({ 'config.json': config() });
    result = await runChild(['discover', '--config', files['config.json']]);
    streams = result.messages[0]?.catalog?.streams ?? [];
  });

  it('prints one CATALOG and exits 0', () => {
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0].type).toBe('CATALOG');
    expect(streams.map((s) => s.name)).toEqual(EVERY_STREAM);
  });

  it('has unique stream names', () => {
    const names = streams.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives each stream a valid draft-07 json_schema without $ref', () => {
    const ajv = createAjv();
    for (const stream of streams) {
      expect({ stream: stream.name, valid: ajv.validateSchema(stream.json_schema) }).toEqual({ stream: stream.name, valid: true });
      expect(() => createAjv().compile(stream.json_schema)).not.toThrow();
      expect(stream.json_schema.type).toBe('object');
      expect(schemaKeywords(stream.json_schema).filter((k) => k.key === '$ref')).toEqual([]);
    }
  });

  it('has cursor and primary-key fields that exist in the schema and are neither objects nor arrays', () => {
    let checked = 0;
    for (const stream of streams) {
      const paths: string[][] = [...(stream.source_defined_primary_key ?? []), ...(stream.default_cursor_field ? [stream.default_cursor_field] : [])];
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) {
        let node: Record<string, any> | undefined = stream.json_schema;
        for (const part of path) node = node?.properties?.[part];
        expect({ stream: stream.name, path, exists: node !== undefined }).toEqual({ stream: stream.name, path, exists: true });
        const types = ([] as string[]).concat(node!.type ?? []);
        expect(types.length).toBeGreaterThan(0);
        expect(types.filter((t) => t === 'object' || t === 'array')).toEqual([]);
        checked += 1;
      }
    }
    // the lookup's id, 4 "now only" streams x (organizationalEntity, snapshot_date), 3 time-bound x (2 key parts + 1 cursor),
    // posts (id + cursor), 2 post snapshots x (key, snapshot_date), video_analytics (3 key parts + 1 cursor),
    // 2 demographics x 4 key parts
    expect(checked).toBe(1 + 4 * 2 + 3 * 3 + 2 + 2 * 2 + 4 + 2 * 4);
  });

  it('lists non-empty supported_sync_modes, incremental ones with a source-defined cursor (the demographics keep their labels in the state)', () => {
    for (const stream of streams) {
      expect(stream.supported_sync_modes.length).toBeGreaterThan(0);
      for (const mode of stream.supported_sync_modes) expect(['full_refresh', 'incremental']).toContain(mode);
      if (stream.supported_sync_modes.includes('incremental')) expect(stream.source_defined_cursor).toBe(true);
    }
    // The post snapshots are incremental by their refresh tiers (the state of their parent config), without a cursor field.
    const cursors = Object.fromEntries(streams.filter((s) => s.supported_sync_modes.includes('incremental')).map((s) => [s.name, s.default_cursor_field]));
    expect(cursors).toEqual({
      follower_statistics_time_bound: ['timeRangeEnd'],
      share_statistics_time_bound: ['timeRangeEnd'],
      page_statistics_time_bound: ['timeRangeEnd'],
      posts: ['lastModifiedAt'],
      post_statistics: undefined,
      post_social_metadata: undefined,
      video_analytics: ['timeRangeEnd'],
      follower_demographics: undefined,
      page_demographics: undefined,
    });
  });
});
