// Every record shape the simulator returns must validate against schemas/*.json in strict mode
// (additionalProperties: false wherever a schema does not say otherwise), as the acceptance suite does.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { Ajv } from 'ajv';
import { createAjv } from '../../../engine/json-schema/ajv.js';
import type { ValidateFunction } from 'ajv';
import { DAY_MS, startSimulator } from './linkedin-simulator.js';
import type { Simulator } from './linkedin-simulator.js';

const NOW = Date.UTC(2026, 10, 29, 10, 0);
const SCHEMA_DIR = new URL('../../../../schemas/', import.meta.url);
const STREAMS = [
  'organization_lookup',
  'total_follower_count',
  'follower_statistics',
  'share_statistics',
  'follower_statistics_time_bound',
  'share_statistics_time_bound',
  'posts',
  'post_statistics',
  'post_social_metadata',
  'video_analytics',
  'page_statistics',
  'page_statistics_time_bound',
  'follower_demographics',
  'page_demographics',
];

/** Fields the connector adds to what LinkedIn answers (in the manifest's transformations). */
const ADDED = ['organization_id', 'organizationalEntity', 'post_type', 'post_url', 'snapshot_date', 'date'];

type Json = Record<string, unknown>;

function loadSchema(name: string): Json {
  return JSON.parse(readFileSync(new URL(`${name}.json`, SCHEMA_DIR), 'utf8')) as Json;
}

/** Deep copy with additionalProperties: false on every object schema that does not set it explicitly. */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, strict(s)])) : strict(v);
  }
  const type = out['type'];
  const isObject = type === 'object' || (Array.isArray(type) && type.includes('object')) || 'properties' in out;
  if (isObject && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}

function walk(node: unknown, visit: (n: Json, path: string) => void, path = '#'): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => walk(n, visit, `${path}/${i}`));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  visit(node as Json, path);
  for (const [k, v] of Object.entries(node as Json)) walk(v, visit, `${path}/${k}`);
}

const ajv = createAjv({ strict: true, allowUnionTypes: true });
const validators = new Map<string, ValidateFunction>();
for (const name of STREAMS) validators.set(name, ajv.compile(strict(loadSchema(name)) as Json));

function expectValid(stream: string, record: unknown): void {
  const validate = validators.get(stream)!;
  const ok = validate(record);
  if (!ok) throw new Error(`${stream}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(record).slice(0, 500)}`);
  expect(ok).toBe(true);
}

describe('stream schemas', () => {
  it('exist for every stream and only for them', () => {
    const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    expect(files.sort()).toEqual([...STREAMS].sort());
  });

  it.each(STREAMS)('%s is a draft-07 object schema without $ref, closed at the top, every property described', (name) => {
    const schema = loadSchema(name);
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema['type']).toBe('object');
    expect(schema['additionalProperties']).not.toBe(true);
    expect(new Ajv({ allowUnionTypes: true }).validateSchema(schema)).toBe(true);
    walk(schema, (node, path) => {
      for (const banned of ['$ref', 'anyOf', 'allOf', 'oneOf', 'not', 'if', 'patternProperties']) {
        expect([path, banned in node]).toEqual([path, false]);
      }
      const props = node['properties'];
      if (props && typeof props === 'object') {
        for (const [p, s] of Object.entries(props as Json)) {
          expect([`${path}/${p}`, typeof (s as Json)['description']]).toEqual([`${path}/${p}`, 'string']);
        }
      }
    });
  });

  it('strict validation rejects undeclared fields', () => {
    expect(validators.get('total_follower_count')!({ firstDegreeSize: 1, organizationalEntity: 'x', surprise: 1 })).toBe(false);
    expect(validators.get('share_statistics')!({ organizationalEntity: 'x', totalShareStatistics: { nope: 1 } })).toBe(false);
  });

  it('keys: organization id is an integer, time-bound cursors are integers', () => {
    const org = loadSchema('organization_lookup')['properties'] as Json;
    expect((org['id'] as Json)['type']).toBe('integer');
    for (const name of ['follower_statistics_time_bound', 'share_statistics_time_bound']) {
      const props = loadSchema(name)['properties'] as Json;
      expect((props['timeRangeStart'] as Json)['type']).toBe('integer');
      expect((props['timeRangeEnd'] as Json)['type']).toBe('integer');
    }
  });
});

describe('simulator records validate strictly against the schemas', () => {
  const orgs = Array.from({ length: 30 }, (_, i) => 1000 + i * 7919).concat([2414183]);
  let sim: Simulator;
  const headers = {
    Authorization: 'Bearer sim-access-token',
    'Linkedin-Version': '202610',
    'X-Restli-Protocol-Version': '2.0.0',
  };
  const get = async (path: string): Promise<Json> => {
    const res = await fetch(sim.url + path, { headers });
    expect(res.status).toBe(200);
    return (await res.json()) as Json;
  };
  const urn = (org: number): string => encodeURIComponent(`urn:li:organization:${org}`);

  beforeAll(async () => {
    sim = await startSimulator({ now: () => NOW, organizations: orgs, facetSize: 100 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('organization_lookup (optional fields vary by org)', async () => {
    const seen = new Set<string>();
    for (const org of orgs) {
      const body = await get(`/rest/organizations/${org}`);
      Object.keys(body).forEach((k) => seen.add(k));
      expectValid('organization_lookup', body);
    }
    const declared = Object.keys(loadSchema('organization_lookup')['properties'] as Json).filter((k) => !ADDED.includes(k));
    expect([...seen].sort()).toEqual(declared.sort());
  });

  it('total_follower_count', async () => {
    for (const org of orgs.slice(0, 5)) {
      const body = await get(`/rest/networkSizes/${urn(org)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`);
      expectValid('total_follower_count', { ...body, organizationalEntity: `urn:li:organization:${org}` });
    }
  });

  it('follower_statistics and share_statistics (lifetime)', async () => {
    for (const org of orgs.slice(0, 5)) {
      const f = await get(`/rest/organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity=${urn(org)}`);
      const fe = f['elements'] as Json[];
      expect(fe).toHaveLength(1);
      expect((fe[0]['followerCountsByIndustry'] as unknown[]).length).toBe(100);
      expectValid('follower_statistics', fe[0]);
      const s = await get(`/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=${urn(org)}`);
      for (const el of s['elements'] as Json[]) expectValid('share_statistics', el);
    }
  });

  it('time-bound statistics (DAY and MONTH) with the connector-added cursor fields', async () => {
    const windows: Array<[number, number, string]> = [
      [Date.UTC(2026, 8, 1), Date.UTC(2026, 8, 1) + 30 * DAY_MS, 'DAY'],
      [Date.UTC(2025, 11, 1), Date.UTC(2026, 10, 1), 'MONTH'],
    ];
    for (const org of orgs.slice(0, 3)) {
      for (const [start, end, g] of windows) {
        const ti = `timeIntervals=(timeRange:(start:${start},end:${end}),timeGranularityType:${g})`;
        for (const [resource, stream] of [
          ['organizationalEntityFollowerStatistics', 'follower_statistics_time_bound'],
          ['organizationalEntityShareStatistics', 'share_statistics_time_bound'],
        ] as const) {
          const body = await get(`/rest/${resource}?q=organizationalEntity&organizationalEntity=${urn(org)}&${ti}`);
          const elements = body['elements'] as Array<Json & { timeRange: { start: number; end: number } }>;
          expect(elements.length).toBeGreaterThan(0);
          for (const el of elements) {
            expectValid(stream, { ...el, timeRangeStart: el.timeRange.start, timeRangeEnd: el.timeRange.end });
          }
        }
      }
    }
  });

  it('posts: every field LinkedIn answers is declared in schemas/posts.json and validates strictly', async () => {
    const declared = Object.keys(loadSchema('posts')['properties'] as Json);
    const seen = new Set<string>();
    for (const org of [2414183, orgs[0]]) {
      const body = await get(`/rest/posts?q=author&author=${urn(org)}&count=100`);
      const elements = body['elements'] as Json[];
      expect(elements).toHaveLength(org === 2414183 ? 100 : 40);
      for (const el of elements) {
        Object.keys(el).forEach((k) => seen.add(k));
        expectValid('posts', el);
      }
    }
    expect([...seen].filter((k) => !declared.includes(k))).toEqual([]);
  });
});
