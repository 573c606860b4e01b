// The built CLI as a user or the Airbyte platform runs it: a child process against the LinkedIn simulator
// (real clock), one protocol message per stdout line.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import {
  PROJECT_ROOT,
  records,
  runChild,
  states,
  traces,
  writeFiles,
  type RunResult,
  expectCompleteStream,
  expectNoSecrets,
  expectProtocolOnly,
  statusesOf,
} from '../../helpers/index.js';
import { ALL_STREAMS, DEMOGRAPHICS_STREAMS, accessTokenConfig, activeApiVersion, catalogFor, organizationUrn, readSchemaFile } from '../linkedin.js';
import {
  expectedLifetimeFollowerStatistics,
  expectedLifetimeShareStatistics,
  expectedNetworkSize,
  expectedOrganization,
  startSimulator,
  type Simulator,
} from '../simulator/linkedin-simulator.js';

const GOOD_TOKEN = 'e2e-good-token-7f3a9c41d0';
const LIMITED_TOKEN = 'e2e-limited-token-2b8d55e6';
const BAD_TOKEN = 'e2e-revoked-token-91c0ffee';
const SECRETS = [GOOD_TOKEN, LIMITED_TOKEN, BAD_TOKEN];
const ORG_A = 2414183;
const ORG_B = 1035;
const LIFETIME_STREAMS = ['organization_lookup', 'follower_statistics', 'share_statistics', 'total_follower_count'];
const TIME_BOUND_STREAMS = ['follower_statistics_time_bound', 'share_statistics_time_bound'];

let sim: Simulator;

function config(extra: Record<string, unknown> = {}, token = GOOD_TOKEN): Record<string, unknown> {
  return { ...accessTokenConfig(sim.apiBaseUrl, { api_version: activeApiVersion(), ...extra }), credentials: { auth_method: 'access_token', access_token: token } };
}

/** Runs the built CLI; whatever it prints must never contain a secret. */
async function cli(args: string[]): Promise<RunResult> {
  const result = await runChild(args);
  expectNoSecrets(result, SECRETS);
  return result;
}

function connectionStatus(result: RunResult): { status: string; message?: string } {
  expect(result.code).toBe(0);
  expect(result.messages.filter((m) => m.type !== 'LOG')).toHaveLength(1);
  const [message] = result.messages.filter((m) => m.type === 'CONNECTION_STATUS');
  expect(message).toBeDefined();
  expectProtocolOnly(result);
  return message.connectionStatus;
}

function expectedLifetimeRecords(stream: string, orgId: number, nowMs: number): Record<string, unknown> {
  switch (stream) {
    case 'organization_lookup':
      return expectedOrganization(orgId);
    case 'follower_statistics':
      return expectedLifetimeFollowerStatistics(orgId);
    case 'share_statistics':
      return expectedLifetimeShareStatistics(orgId, nowMs);
    case 'total_follower_count':
      return { firstDegreeSize: expectedNetworkSize(orgId), organizationalEntity: organizationUrn(orgId) };
  }
  throw new Error(`no lifetime stream ${stream}`);
}

const orgKey = (data: Record<string, any>) => String(data.organizationalEntity ?? organizationUrn(data.id));

beforeAll(async () => {
  sim = await startSimulator({
    organizations: [ORG_A, ORG_B],
    accessTokens: [GOOD_TOKEN, LIMITED_TOKEN],
    tokenOrganizations: { [GOOD_TOKEN]: [ORG_A, ORG_B], [LIMITED_TOKEN]: [ORG_A] },
  });
});

afterAll(async () => {
  await sim.close();
});

describe('spec', () => {
  const manifest = parseYaml(readFileSync(join(PROJECT_ROOT, 'manifest.yaml'), 'utf8')) as {
    spec: { documentation_url: string; connection_specification: Record<string, unknown> };
  };

  it('prints exactly one SPEC, the package manifest spec, and exits 0', async () => {
    const result = await cli(['spec']);
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toEqual({
      type: 'SPEC',
      spec: { documentationUrl: manifest.spec.documentation_url, connectionSpecification: manifest.spec.connection_specification },
    });
  });

  it('uses the package manifest from any working directory, even one holding another manifest.yaml', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'connector-cwd-'));
    writeFileSync(join(elsewhere, 'manifest.yaml'), 'version: "1.0"\nthis is: [not the connector\n');
    const result = await runChild(['spec'], { cwd: elsewhere });
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0].type).toBe('SPEC');
    expect(result.messages[0].spec.connectionSpecification).toEqual(manifest.spec.connection_specification);
  });
});

describe('check', () => {
  it('succeeds for one organization, after actually asking LinkedIn about it', async () => {
    const files = writeFiles({ 'config.json': config() });
    const before = sim.requests.length;
    const status = connectionStatus(await cli(['check', '--config', files['config.json']]));
    expect(status).toEqual({ status: 'SUCCEEDED' });
    const asked = sim.requests.slice(before);
    expect(asked.map((r) => r.path)).toContain(`/rest/organizations/${ORG_A}`);
    expect(asked.every((r) => r.headers.authorization === `Bearer ${GOOD_TOKEN}`)).toBe(true);
    expect(asked.every((r) => r.status === 200)).toBe(true);
  });

  it('succeeds for two organizations and checks both', async () => {
    const files = writeFiles({ 'config.json': config({ org_id: `${ORG_A}, ${ORG_B}` }) });
    const before = sim.requests.length;
    const status = connectionStatus(await cli(['check', '--config', files['config.json']]));
    expect(status).toEqual({ status: 'SUCCEEDED' });
    const paths = sim.requests.slice(before).map((r) => r.path);
    expect(paths).toContain(`/rest/organizations/${ORG_A}`);
    expect(paths).toContain(`/rest/organizations/${ORG_B}`);
  });

  it('fails with a re-authentication hint for an invalid token', async () => {
    const files = writeFiles({ 'config.json': config({}, BAD_TOKEN) });
    const before = sim.requests.length;
    const status = connectionStatus(await cli(['check', '--config', files['config.json']]));
    expect(sim.requests.slice(before).map((r) => [r.headers.authorization, r.status])).toContainEqual([`Bearer ${BAD_TOKEN}`, 401]);
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('60 days');
    expect(status.message).toMatch(/create a new one|re-?authenticat/i);
    expect(status.message).toContain('INVALID_ACCESS_TOKEN');
  });

  it('fails naming the scope and the ADMINISTRATOR role when the token cannot read the organization (403)', async () => {
    const files = writeFiles({ 'config.json': config({ org_id: String(ORG_B) }, LIMITED_TOKEN) });
    const before = sim.requests.length;
    const status = connectionStatus(await cli(['check', '--config', files['config.json']]));
    expect(sim.requests.slice(before).map((r) => [r.headers.authorization, r.status])).toContainEqual([`Bearer ${LIMITED_TOKEN}`, 403]);
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('rw_organization_admin');
    expect(status.message).toContain('ADMINISTRATOR');
    expect(status.message).toContain(String(ORG_B));
  });

  it('fails naming org_id when the config has none, without calling LinkedIn', async () => {
    const { org_id: _omitted, ...withoutOrg } = config();
    const files = writeFiles({ 'config.json': withoutOrg });
    const before = sim.requests.length;
    const status = connectionStatus(await cli(['check', '--config', files['config.json']]));
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('org_id');
    expect(sim.requests.length).toBe(before);
  });

  it('fails naming the organization and org_id when it does not exist (404)', async () => {
    const files = writeFiles({ 'config.json': config({ org_id: '999999' }) });
    const status = connectionStatus(await cli(['check', '--config', files['config.json']]));
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('999999');
    expect(status.message).toContain('org_id');
  });

  it('fails naming api_version when LinkedIn has retired the version (426)', async () => {
    const files = writeFiles({ 'config.json': config({ api_version: '202001' }) });
    const status = connectionStatus(await cli(['check', '--config', files['config.json']]));
    expect(status.status).toBe('FAILED');
    expect(status.message).toContain('api_version');
    expect(status.message).toContain('202001');
  });
});

describe('discover', () => {
  it('prints one CATALOG with the six streams, the demographics, and their sync modes, cursors and keys', async () => {
    const files = writeFiles({ 'config.json': config() });
    const result = await cli(['discover', '--config', files['config.json']]);
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0].type).toBe('CATALOG');
    const streams = result.messages[0].catalog.streams as Record<string, any>[];
    expect(streams.map((s) => s.name)).toEqual([...ALL_STREAMS, ...DEMOGRAPHICS_STREAMS]);
    for (const stream of streams) expect(stream.json_schema).toEqual(readSchemaFile(stream.name));
    for (const name of TIME_BOUND_STREAMS) {
      const { json_schema: _schema, ...entry } = streams.find((s) => s.name === name)!;
      expect(entry).toEqual({
        name,
        supported_sync_modes: ['full_refresh', 'incremental'],
        source_defined_cursor: true,
        default_cursor_field: ['timeRangeEnd'],
        source_defined_primary_key: [['organizationalEntity'], ['timeRangeStart']],
        is_resumable: true,
      });
    }
    const keys: Record<string, string[][]> = {
      organization_lookup: [['id']],
      follower_statistics: [['organizationalEntity']],
      share_statistics: [['organizationalEntity']],
      total_follower_count: [['organizationalEntity']],
    };
    for (const name of LIFETIME_STREAMS) {
      const entry = streams.find((s) => s.name === name)!;
      expect(entry.supported_sync_modes).toEqual(['full_refresh']);
      expect(entry.source_defined_primary_key).toEqual(keys[name]);
      expect(entry.default_cursor_field).toBeUndefined();
    }
  });

  it('answers an invalid config with a TRACE ERROR config_error and a non-zero exit', async () => {
    const { org_id: _omitted, ...withoutOrg } = config();
    const files = writeFiles({ 'config.json': withoutOrg });
    const result = await cli(['discover', '--config', files['config.json']]);
    expect(result.code).not.toBe(0);
    expectProtocolOnly(result);
    expect(result.messages.filter((m) => m.type === 'CATALOG')).toEqual([]);
    const errors = traces(result.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('config_error');
    expect(errors[0].error.message).toContain('org_id');
  });
});

describe('read', () => {
  async function readLifetime(orgIds: number[]): Promise<void> {
    const files = writeFiles({
      'config.json': config({ org_id: orgIds.join(', ') }),
      'catalog.json': catalogFor(LIFETIME_STREAMS),
    });
    const result = await cli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
    const now = Date.now();
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    expect(traces(result.messages, 'ERROR')).toEqual([]);
    expect(new Set(result.messages.filter((m) => m.type === 'RECORD').map((m) => m.record.stream))).toEqual(new Set(LIFETIME_STREAMS));
    for (const stream of LIFETIME_STREAMS) {
      const got = [...records(result.messages, stream)].sort((a, b) => orgKey(a).localeCompare(orgKey(b)));
      const expected = orgIds
        .map((orgId) => expectedLifetimeRecords(stream, orgId, now))
        .sort((a, b) => orgKey(a).localeCompare(orgKey(b)));
      expect(got).toEqual(expected);
      expectCompleteStream(result.messages, stream);
    }
  }

  it('reads the four lifetime streams of one organization exactly as LinkedIn serves them', async () => {
    await readLifetime([ORG_A]);
  });

  it('reads the four lifetime streams of two organizations exactly as LinkedIn serves them', async () => {
    await readLifetime([ORG_A, ORG_B]);
  });

  it('gives usage on stderr and exit 2 without --catalog', async () => {
    const files = writeFiles({ 'config.json': config() });
    const before = sim.requests.length;
    const result = await cli(['read', '--config', files['config.json']]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--catalog');
    expect(result.stderr).toContain('Usage:');
    expect(sim.requests.length).toBe(before);
  });

  it('answers an invalid config with a TRACE ERROR config_error and a non-zero exit', async () => {
    const { org_id: _omitted, ...withoutOrg } = config();
    const files = writeFiles({ 'config.json': withoutOrg, 'catalog.json': catalogFor(LIFETIME_STREAMS) });
    const result = await cli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
    expect(result.code).not.toBe(0);
    expectProtocolOnly(result);
    expect(records(result.messages)).toEqual([]);
    const errors = traces(result.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('config_error');
    expect(errors[0].error.message).toContain('org_id');
  });

  it('reports an unknown stream with a TRACE ERROR naming it, completes the others and exits 1', async () => {
    const files = writeFiles({
      'config.json': config(),
      'catalog.json': catalogFor(['organization_lookup', 'no_such_stream', 'total_follower_count']),
    });
    const result = await cli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
    expect(result.code).toBe(1);
    expectProtocolOnly(result);
    const errors = traces(result.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.message).toContain('"no_such_stream"');
    expect(errors[0].error.stream_descriptor).toEqual({ name: 'no_such_stream' });
    expect(errors[0].error.failure_type).toBe('config_error');
    expect(states(result.messages, 'no_such_stream')).toEqual([]);
    expect(statusesOf(result.messages, 'no_such_stream')).not.toContain('COMPLETE');
    for (const stream of ['organization_lookup', 'total_follower_count']) {
      expect(records(result.messages, stream)).toEqual([expectedLifetimeRecords(stream, ORG_A, Date.now())]);
      expectCompleteStream(result.messages, stream);
    }
  });

  it('answers a retired API version (426) with a config_error naming api_version, per stream, and exit 1', async () => {
    const files = writeFiles({ 'config.json': config({ api_version: '202001' }), 'catalog.json': catalogFor(['organization_lookup', 'share_statistics']) });
    const result = await cli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
    expect(result.code).toBe(1);
    expectProtocolOnly(result);
    expect(records(result.messages)).toEqual([]);
    const errors = traces(result.messages, 'ERROR');
    expect(errors.map((e) => e.error.stream_descriptor?.name).sort()).toEqual(['organization_lookup', 'share_statistics']);
    for (const error of errors) {
      expect(error.error.failure_type).toBe('config_error');
      expect(error.error.message).toContain('api_version');
      expect(error.error.message).toContain('202001');
    }
    for (const stream of ['organization_lookup', 'share_statistics']) expect(statusesOf(result.messages, stream)).toEqual(['STARTED', 'INCOMPLETE']);
  });

  it('answers an invalid token in read with a config_error and never prints the token', async () => {
    const files = writeFiles({ 'config.json': config({}, BAD_TOKEN), 'catalog.json': catalogFor(['organization_lookup']) });
    const result = await cli(['read', '--config', files['config.json'], '--catalog', files['catalog.json']]);
    expect(result.code).toBe(1);
    expectProtocolOnly(result);
    const errors = traces(result.messages, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('config_error');
    expect(errors[0].error.message).toContain('60 days');
    expect(errors[0].error.stream_descriptor).toEqual({ name: 'organization_lookup' });
    expect(statusesOf(result.messages, 'organization_lookup')).toEqual(['STARTED', 'INCOMPLETE']);
  });
});
