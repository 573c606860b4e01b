// What Airbyte's own acceptance suite reads besides the image: metadata.yaml, acceptance-test-config.yml and
// integration_tests/. They must agree with the Dockerfile, package.json and the manifest, and do what they claim.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT, records, runInProcess, states, traces, writeFiles } from '../../helpers/index.js';
import { activeApiVersion } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');
const json = (path: string) => JSON.parse(read(path)) as Record<string, any>;
const metadata = (parseYaml(read('metadata.yaml')) as { data: Record<string, any> }).data;
const acceptance = parseYaml(read('acceptance-test-config.yml')) as Record<string, any>;
const manifest = parseYaml(read('manifest.yaml')) as { streams: { name: string }[]; spec: { connection_specification: Record<string, any> } };
const label = (name: string) => new RegExp(`^LABEL ${name.replace(/\./g, '\\.')}=(.+)$`, 'm').exec(read('Dockerfile'))?.[1];

describe('metadata.yaml', () => {
  it('names the image the Dockerfile builds, at the version package.json has', () => {
    expect(metadata.dockerRepository).toBe(label('io.airbyte.name'));
    expect(metadata.dockerImageTag).toBe(label('io.airbyte.version'));
    expect(metadata.dockerImageTag).toBe(json('package.json').version);
    expect(acceptance.connector_image.split(':')[0]).toBe(metadata.dockerRepository);
  });

  it('allows exactly the hosts the manifest talks to by default', () => {
    const properties = manifest.spec.connection_specification.properties;
    const hosts = ['api_base_url', 'oauth_token_url'].map((field) => new URL(properties[field].default as string).host);
    expect([...new Set(hosts)].sort()).toEqual([...metadata.allowedHosts.hosts].sort());
    expect(metadata.allowedHosts.hosts.sort()).toEqual(['api.linkedin.com', 'www.linkedin.com']);
  });

  it('suggests streams the manifest has', () => {
    const names = manifest.streams.map((stream) => stream.name);
    expect(metadata.suggestedStreams.streams.length).toBeGreaterThan(0);
    for (const stream of metadata.suggestedStreams.streams as string[]) expect(names).toContain(stream);
  });

  it('has every field the registry requires, a UUID definition id among them', () => {
    for (const field of ['name', 'definitionId', 'connectorType', 'dockerRepository', 'dockerImageTag', 'license', 'documentationUrl', 'githubIssueLabel', 'connectorSubtype', 'releaseStage']) {
      expect(metadata[field]).toEqual(expect.any(String));
    }
    expect(metadata.definitionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(metadata.connectorType).toBe('source');
  });
});

describe('acceptance-test-config.yml and integration_tests/', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  /** A committed config pointed at the simulator instead of LinkedIn. */
  const againstSimulator = (path: string, extra: Record<string, unknown> = {}) =>
    writeFiles({ 'config.json': { ...json(path), api_base_url: sim.apiBaseUrl, oauth_token_url: sim.tokenUrl, api_version: activeApiVersion(), ...extra } })['config.json'];

  it('every file it names is committed (secrets/ excepted)', () => {
    const paths = JSON.stringify(acceptance).match(/"[a-z_]+_path":"[^"]+"/g)!.map((pair) => pair.split('":"')[1].slice(0, -1));
    expect(paths.length).toBeGreaterThan(5);
    for (const path of paths.filter((p) => !p.startsWith('secrets/'))) expect(existsSync(join(PROJECT_ROOT, path))).toBe(true);
  });

  it('integration_tests/spec.json is what `spec` prints', async () => {
    const run = await runInProcess(['spec']);
    expect(run.messages[0].spec).toEqual(json('integration_tests/spec.json'));
  });

  it('the configured catalogs ask only for streams and sync modes that discover offers', async () => {
    const discovered = await runInProcess(['discover', '--config', againstSimulator('integration_tests/sample_config.json')]);
    const offered = new Map((discovered.messages[0].catalog.streams as { name: string; supported_sync_modes: string[] }[]).map((s) => [s.name, s.supported_sync_modes]));
    for (const path of ['integration_tests/configured_catalog.json', 'integration_tests/configured_catalog_incremental.json']) {
      for (const entry of json(path).streams as { stream: { name: string }; sync_mode: string }[]) {
        expect(offered.get(entry.stream.name)).toContain(entry.sync_mode);
      }
    }
    expect(json('integration_tests/configured_catalog.json').streams).toHaveLength(manifest.streams.length);
  });

  it('the invalid config fails check; the sample config is valid', async () => {
    const invalid = await runInProcess(['check', '--config', againstSimulator('integration_tests/invalid_config.json')]);
    expect(invalid.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status).toBe('FAILED');
    const sample = await runInProcess(['discover', '--config', againstSimulator('integration_tests/sample_config.json')]);
    expect(traces(sample.messages, 'ERROR')).toEqual([]);
  });

  it('the abnormal state reads no record, with a state for each incremental stream', async () => {
    const config = againstSimulator('integration_tests/sample_config.json', { credentials: { auth_method: 'access_token', access_token: 'sim-access-token' } });
    const run = await runInProcess([
      'read',
      '--config',
      config,
      '--catalog',
      join(PROJECT_ROOT, 'integration_tests/configured_catalog_incremental.json'),
      '--state',
      join(PROJECT_ROOT, 'integration_tests/abnormal_state.json'),
    ]);
    expect(run.code).toBe(0);
    expect(records(run.messages)).toEqual([]);
    const incremental = (json('integration_tests/configured_catalog_incremental.json').streams as { stream: { name: string } }[]).map((s) => s.stream.name);
    for (const stream of incremental) expect(states(run.messages, stream).length).toBeGreaterThan(0);
  });
});
