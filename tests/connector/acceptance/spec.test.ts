// Acceptance: spec. Exactly one SPEC; a valid draft-07 connection specification that sample configs satisfy;
// secrets marked; auth choices a oneOf of objects with a const auth_method (OAuth first); no keywords the
// Airbyte UI cannot render.
import { describe, it, expect, beforeAll } from '@jest/globals';
import { createAjv } from '../../../engine/json-schema/ajv.js';
import { runChild, type RunResult, expectProtocolOnly, schemaKeywords } from '../../helpers/index.js';

const FORBIDDEN = ['$ref', 'anyOf', 'allOf', 'not', 'if', 'then', 'else', 'patternProperties'];

let result: RunResult;
let spec: Record<string, any>;

beforeAll(async () => {
  result = await runChild(['spec']);
  spec = result.messages[0]?.spec?.connectionSpecification;
});

/** Every property of a schema (through nested objects and oneOf alternatives) with its dotted path. */
function properties(schema: Record<string, any>, path = ''): { path: string; name: string; schema: Record<string, any> }[] {
  const out: { path: string; name: string; schema: Record<string, any> }[] = [];
  for (const [name, sub] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, any>>)) {
    const here = path ? `${path}.${name}` : name;
    out.push({ path: here, name, schema: sub });
    out.push(...properties(sub, here));
    ((sub.oneOf ?? []) as Record<string, any>[]).forEach((alternative, i) => out.push(...properties(alternative, `${here}[${i}]`)));
  }
  return out;
}

describe('spec', () => {
  it('prints exactly one SPEC and exits 0', () => {
    expect(result.code).toBe(0);
    expectProtocolOnly(result);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0].type).toBe('SPEC');
    expect(typeof result.messages[0].spec.documentationUrl).toBe('string');
    expect(result.messages[0].spec.documentationUrl).toMatch(/^https:\/\//);
  });

  it('is a valid draft-07 JSON schema', () => {
    const ajv = createAjv();
    expect(spec.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(ajv.validateSchema(spec)).toBe(true);
    expect(ajv.errors ?? null).toBeNull();
    expect(() => ajv.compile(spec)).not.toThrow();
    expect(spec.type).toBe('object');
  });

  it('accepts sample configs for both auth methods and refuses a broken one', () => {
    const validate = createAjv().compile(spec);
    const samples = [
      {
        org_id: spec.properties.org_id.examples[0],
        credentials: { auth_method: 'access_token', access_token: 'AQX-sample-access-token' },
      },
      {
        org_id: spec.properties.org_id.examples[1],
        credentials: { auth_method: 'oAuth2.0', client_id: '86abcdef', client_secret: 'WPL_AP1.sample', refresh_token: 'AQW-sample-refresh' },
        start_date: spec.properties.start_date.examples[0],
        time_granularity_type: 'MONTH',
        api_version: spec.properties.api_version.default,
      },
    ];
    for (const sample of samples) {
      expect(validate(sample)).toBe(true);
      expect(validate.errors ?? null).toBeNull();
    }
    expect(validate({ org_id: 'my company', credentials: { auth_method: 'access_token', access_token: 'x' } })).toBe(false);
    expect(validate({ org_id: '2414183', credentials: { auth_method: 'access_token' } })).toBe(false);
    expect(validate({ org_id: '2414183', credentials: { auth_method: 'password', access_token: 'x' } })).toBe(false);
  });

  it('marks every token, secret and password field airbyte_secret', () => {
    const candidates = properties(spec).filter(
      ({ name, schema }) =>
        /token|secret|password|client_id|api_key/i.test(name) && !/url$/i.test(name) && schema.type === 'string' && schema.const === undefined,
    );
    expect(candidates.map((c) => c.path).sort()).toEqual([
      'credentials[0].client_id',
      'credentials[0].client_secret',
      'credentials[0].refresh_token',
      'credentials[1].access_token',
    ]);
    for (const candidate of candidates) expect({ path: candidate.path, secret: candidate.schema.airbyte_secret }).toEqual({ path: candidate.path, secret: true });
  });

  it('offers the auth choices as a oneOf of objects with a const auth_method, OAuth first', () => {
    const credentials = spec.properties.credentials;
    expect(spec.required).toContain('credentials');
    expect(Array.isArray(credentials.oneOf)).toBe(true);
    expect(credentials.oneOf).toHaveLength(2);
    const consts = (credentials.oneOf as Record<string, any>[]).map((alternative) => {
      expect(alternative.type).toBe('object');
      expect(alternative.required).toContain('auth_method');
      expect(alternative.properties.auth_method.type).toBe('string');
      return alternative.properties.auth_method.const;
    });
    expect(consts).toEqual(['oAuth2.0', 'access_token']);
    expect(credentials.oneOf[0].required).toEqual(expect.arrayContaining(['client_id', 'client_secret', 'refresh_token']));
  });

  it('uses none of $ref, anyOf, allOf, not, if/then/else, patternProperties anywhere', () => {
    const used = schemaKeywords(spec).filter(({ key }) => FORBIDDEN.includes(key));
    expect(used).toEqual([]);
    // The walker does see keywords deep inside the spec (so the check above can fail).
    expect(schemaKeywords(spec).map((k) => k.path)).toContain('#/properties/credentials/oneOf/1/properties/access_token/airbyte_secret');
    expect(schemaKeywords({ properties: { a: { anyOf: [{ not: {} }] } } }).map((k) => k.key)).toEqual(['properties', 'anyOf', 'not']);
  });
});
