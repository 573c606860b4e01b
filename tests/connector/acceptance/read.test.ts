// Acceptance: basic read (records of every stream validate against STRICT schemas, statuses, states with
// sourceStats, unknown stream -> TRACE ERROR) and full refresh (two reads, same records, later emitted_at).
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createAjv } from '../../../engine/json-schema/ajv.js';
import {
  records,
  runChild,
  traces,
  writeFiles,
  type Message,
  type RunResult,
  expectCompleteStream,
  expectNoSecrets,
  expectProtocolOnly,
  sortedCanonical,
  statusesOf,
  strictSchema,
} from '../../helpers/index.js';
import { DEMOGRAPHICS_STREAMS, EVERY_STREAM, POST_STREAMS, accessTokenConfig, activeApiVersion, catalogFor, dayKey, expectedTimeBound } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const TOKEN = 'acceptance-read-token-a83f';
const ORGS = [2414183, 1035];
const TIME_BOUND = ['follower_statistics_time_bound', 'share_statistics_time_bound', 'page_statistics_time_bound'];
let sim: Simulator;

const config = (orgIds: number[]) => ({
  ...accessTokenConfig(sim.apiBaseUrl, { org_id: orgIds.join(', '), api_version: activeApiVersion() }),
  credentials: { auth_method: 'access_token', access_token: TOKEN },
});

beforeAll(async () => {
  sim = await startSimulator({ organizations: ORGS, accessTokens: [TOKEN] });
});

afterAll(async () => {
  await sim.close();
});

describe('basic read', () => {
  let result: RunResult;
  let schemas: Map<string, Record<string, unknown>>;
  let readAt: number;

  beforeAll(async () => {
    const files = writeFiles({ 'config.json': config(ORGS), 'catalog.json': catalogFor(EVERY_STREAM) });
    const discovered = await runChild(['discover', '--config', files['config.json']]);
    schemas = new Map((discovered.messages[0].catalog.streams as Message[]).map((s) => [s.name as string, s.json_schema as Record<string, unknown>]));
    readAt = Date.now();
    result = await runChild(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
  });

  it('exits 0 with protocol messages only, no error and no secret', () => {
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    expectNoSecrets(result, [TOKEN]);
    expect(traces(result.messages, 'ERROR')).toEqual([]);
  });

  it('yields records for every configured stream that validate against its schema in strict mode', () => {
    const ajv = createAjv();
    for (const stream of EVERY_STREAM) {
      const validate = ajv.compile(strictSchema(schemas.get(stream)) as Record<string, unknown>);
      const data = records(result.messages, stream);
      expect({ stream, some: data.length > 0 }).toEqual({ stream, some: true });
      const invalid = data.filter((record) => !validate(record)).map((record) => ({ record, errors: (validate(record), validate.errors) }));
      expect({ stream, invalid }).toEqual({ stream, invalid: [] });
    }
  });

  it('strict mode really fails on undeclared fields, top level and nested', () => {
    const ajv = createAjv();
    const stream = 'share_statistics_time_bound';
    const validate = ajv.compile(strictSchema(schemas.get(stream)) as Record<string, unknown>);
    const record = structuredClone(records(result.messages, stream)[0]);
    expect(validate(record)).toBe(true);
    expect(validate({ ...record, undeclared: 1 })).toBe(false);
    expect(validate({ ...record, totalShareStatistics: { ...record.totalShareStatistics, undeclared: 1 } })).toBe(false);
    const lookup = ajv.compile(strictSchema(schemas.get('organization_lookup')) as Record<string, unknown>);
    const organization = structuredClone(records(result.messages, 'organization_lookup')[0]);
    expect(lookup(organization)).toBe(true);
    // name.localized declares additionalProperties itself (locale keys), so it stays open.
    expect(lookup({ ...organization, name: { ...organization.name, localized: { fr_FR: 'Nom' } } })).toBe(true);
    expect(lookup({ ...organization, created: { ...organization.created, undeclared: true } })).toBe(false);
  });

  it('yields exactly the days LinkedIn has for both organizations in the time-bound streams', () => {
    for (const stream of TIME_BOUND) {
      const got = [...records(result.messages, stream)].sort((a, b) => dayKey(a).localeCompare(dayKey(b)));
      const expected = expectedTimeBound(stream, ORGS, readAt).sort((a, b) => dayKey(a).localeCompare(dayKey(b)));
      expect(got.length).toBe(expected.length);
      expect(got).toEqual(expected);
    }
  });

  it('reports STARTED, RUNNING, COMPLETE for every stream and at least one STREAM state each, with sourceStats', () => {
    for (const stream of EVERY_STREAM) expectCompleteStream(result.messages, stream);
    const stateMessages = result.messages.filter((m) => m.type === 'STATE');
    for (const message of stateMessages) {
      expect(message.state.type).toBe('STREAM');
      expect(Number.isInteger(message.state.sourceStats.recordCount)).toBe(true);
      expect(EVERY_STREAM).toContain(message.state.stream.stream_descriptor.name);
    }
    const counted = stateMessages.reduce((sum, m) => sum + (m.state.sourceStats.recordCount as number), 0);
    expect(counted).toBe(records(result.messages).length);
  });

  it('answers an unknown stream in the catalog with a TRACE ERROR naming it', async () => {
    const files = writeFiles({ 'config.json': config([ORGS[0]]), 'catalog.json': catalogFor(['total_follower_count', 'posts_of_the_future']) });
    const unknown = await runChild(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
    expect(unknown.code).not.toBe(0);
    expectProtocolOnly(unknown);
    const errors = traces(unknown.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.stream_descriptor).toEqual({ name: 'posts_of_the_future' });
    expect(errors[0].error.message).toContain('posts_of_the_future');
    expect(statusesOf(unknown.messages, 'posts_of_the_future')).not.toContain('COMPLETE');
    expectCompleteStream(unknown.messages, 'total_follower_count');
  });
});

describe('full refresh', () => {
  it('two reads give the same records, and the second read has later emitted_at', async () => {
    const files = writeFiles({ 'config.json': config([ORGS[0]]), 'catalog.json': catalogFor(EVERY_STREAM, 'full_refresh') });
    const first = await runChild(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
    const second = await runChild(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
    for (const run of [first, second]) {
      expect(run.code).toBe(0);
      expectProtocolOnly(run);
      for (const stream of EVERY_STREAM) expectCompleteStream(run.messages, stream);
    }
    const withoutTime = (run: RunResult) =>
      sortedCanonical(run.messages.filter((m) => m.type === 'RECORD').map((m) => ({ stream: m.record.stream, data: m.record.data })));
    const a = withoutTime(first);
    const b = withoutTime(second);
    // 5 lifetime records + 3 x the days of the window, besides the post and demographics streams' records
    const pageRecords = a.filter((record) => ![...POST_STREAMS, ...DEMOGRAPHICS_STREAMS].includes(record.stream as string));
    expect(pageRecords.length).toBe(5 + 3 * expectedTimeBound('follower_statistics_time_bound', [ORGS[0]], Date.now()).length);
    expect(a.length).toBeGreaterThan(pageRecords.length);
    expect(b).toEqual(a);
    const times = (run: RunResult) => run.messages.filter((m) => m.type === 'RECORD').map((m) => m.record.emitted_at as number);
    expect(Math.min(...times(second))).toBeGreaterThan(Math.max(...times(first)));
  });
});
