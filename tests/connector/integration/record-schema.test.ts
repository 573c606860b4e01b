import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock, TEST_NOW, logs, records, runInProcess, traces, writeFiles } from '../../helpers/index.js';
import { accessTokenConfig, catalogFor, connectorManifest, readSchemaFile, streamNamed, writeConnectorManifest } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

describe('record schemas', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: [2414183, 1035] });
  });
  afterAll(() => sim.close());

  it('records that do not fit are reported once per field as a LOG warning naming stream and field, and emitted unchanged', async () => {
    // A manifest whose transformation writes a field the schema does not declare, and one of the wrong type.
    const manifest = connectorManifest();
    streamNamed(manifest, 'total_follower_count').transformations.push({
      type: 'AddFields',
      fields: [
        { path: ['surprise'], value: 1 },
        { path: ['firstDegreeSize'], value: 'many' },
      ],
    });
    const files = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: '2414183, 1035' }),
      'catalog.json': catalogFor(['total_follower_count']),
    });
    files['manifest.yaml'] = writeConnectorManifest(join(files.dir, 'manifest.yaml'), manifest);
    const run = await runInProcess(['read', '--manifest', files['manifest.yaml'], '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
    expect(run.code).toBe(0);
    expect(records(run.messages)).toEqual([
      expect.objectContaining({ surprise: 1, firstDegreeSize: 'many' }),
      expect.objectContaining({ surprise: 1, firstDegreeSize: 'many' }),
    ]);
    const warnings = logs(run.messages).filter((log) => log.level === 'WARN');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain('Stream "total_follower_count": field "firstDegreeSize"');

    // Undeclared fields are reported too when the schema closes its objects (as the acceptance suite's strict mode).
    const strictSchema = { ...readSchemaFile('total_follower_count'), additionalProperties: false };
    const strict = writeFiles({ 'schema.json': strictSchema });
    streamNamed(manifest, 'total_follower_count').schema_file = strict['schema.json'];
    const strictManifest = writeConnectorManifest(join(strict.dir, 'manifest.yaml'), manifest);
    const strictRun = await runInProcess(
      ['read', '--manifest', strictManifest, '--config', files['config.json'], '--catalog', files['catalog.json']],
      { clock },
    );
    const strictWarnings = logs(strictRun.messages).filter((log) => log.level === 'WARN').map((log) => log.message);
    expect(strictWarnings).toHaveLength(2);
    expect(strictWarnings.some((message) => message.includes('field "surprise"'))).toBe(true);
  });

  it('a schema that is not JSON Schema fails every command before any request, naming the file, its place and the problem', async () => {
    const broken = writeFiles({ 'broken.json': { type: 'object', properties: { firstDegreeSize: { type: 'integr' } } } });
    const manifest = connectorManifest();
    streamNamed(manifest, 'total_follower_count').schema_file = broken['broken.json'];
    const files = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: '2414183' }),
      'catalog.json': catalogFor(['follower_statistics_time_bound']),
    });
    files['manifest.yaml'] = writeConnectorManifest(join(files.dir, 'manifest.yaml'), manifest);
    const manifestText = readFileSync(files['manifest.yaml'], 'utf8');
    const line = manifestText.split('\n').findIndex((text) => text.includes(broken['broken.json'])) + 1;
    const before = sim.requests.length;
    for (const command of [['discover'], ['check'], ['read', '--catalog', files['catalog.json']]]) {
      const run = await runInProcess([...command, '--manifest', files['manifest.yaml'], '--config', files['config.json']], { clock });
      expect(run.code).toBe(1);
      const [error] = traces(run.messages, 'ERROR').map((trace) => trace.error);
      expect(error.failure_type).toBe('config_error');
      expect(error.message).toBe(
        `The schema file ${broken['broken.json']} named at streams[3].schema_file (manifest.yaml:${line}:5) is not a valid JSON Schema:\n` +
          '  properties.firstDegreeSize.type: "integr" is not allowed; expected one of: "array", "boolean", "integer", "null", "number", "object", "string"',
      );
    }
    expect(sim.requests.length).toBe(before);
  });

  it('two streams whose schemas declare the same $id: the second fails with a config error naming it, the first is read', async () => {
    const id = 'https://example.com/statistics.json';
    const schemas = writeFiles({
      'follower.json': { ...readSchemaFile('follower_statistics_time_bound'), $id: id },
      'share.json': { ...readSchemaFile('share_statistics_time_bound'), $id: id },
    });
    const manifest = connectorManifest();
    streamNamed(manifest, 'follower_statistics_time_bound').schema_file = schemas['follower.json'];
    streamNamed(manifest, 'share_statistics_time_bound').schema_file = schemas['share.json'];
    const files = writeFiles({
      'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: '2414183' }),
      'catalog.json': catalogFor(['follower_statistics_time_bound', 'share_statistics_time_bound']),
    });
    files['manifest.yaml'] = writeConnectorManifest(join(files.dir, 'manifest.yaml'), manifest);
    const run = await runInProcess(['read', '--manifest', files['manifest.yaml'], '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
    expect(run.code).toBe(1);
    const errors = traces(run.messages, 'ERROR').map((trace) => trace.error);
    expect(errors).toEqual([
      expect.objectContaining({
        failure_type: 'config_error',
        stream_descriptor: { name: 'share_statistics_time_bound' },
        message: `The schema of stream "share_statistics_time_bound" declares "$id": "${id}", as another stream's schema does. Give each schema its own $id, or none.`,
      }),
    ]);
    expect(records(run.messages, 'follower_statistics_time_bound').length).toBeGreaterThan(300);
    expect(records(run.messages, 'share_statistics_time_bound')).toHaveLength(0);
  });
});
