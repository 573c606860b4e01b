// validateConfig against a connection spec of its own (the connector's spec is tested in
// tests/connector/manifest/connector-config.test.ts): defaults, messages that name the field and never the value,
// and oneOf errors only for the alternative the config chose.
import { describe, it, expect } from '@jest/globals';
import { ConnectorError } from '../../../../engine/core/errors.js';
import { validateConfig } from '../../../../engine/protocol/connector-config.js';

const secret = { type: 'string', airbyte_secret: true };
const SPEC: Record<string, unknown> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['account_ids', 'credentials'],
  properties: {
    account_ids: { type: 'string', pattern: '^\\s*[a-z]+(\\s*,\\s*[a-z]+)*\\s*$', examples: ['acme', 'acme, globex'] },
    region: { type: 'string', enum: ['eu', 'us'], default: 'eu' },
    page_size: { type: 'integer', minimum: 1, default: 50 },
    base_url: { type: 'string', default: 'https://api.example.com/v1' },
    credentials: {
      type: 'object',
      oneOf: [
        { type: 'object', required: ['auth_method', 'api_key'], properties: { auth_method: { const: 'api_key' }, api_key: secret } },
        {
          type: 'object',
          required: ['auth_method', 'client_id', 'client_secret'],
          properties: { auth_method: { const: 'oauth' }, client_id: secret, client_secret: secret },
        },
      ],
    },
  },
};

function refusal(config: unknown): ConnectorError {
  try {
    validateConfig(config, SPEC);
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

const apiKey = (key: unknown = 'key-SECRET-1') => ({ auth_method: 'api_key', api_key: key });

describe('validateConfig: defaults', () => {
  it('fills in the spec defaults, on a copy', () => {
    const input = { account_ids: 'acme', credentials: apiKey() };
    expect(validateConfig(input, SPEC)).toEqual({ account_ids: 'acme', credentials: apiKey(), region: 'eu', page_size: 50, base_url: 'https://api.example.com/v1' });
    expect(input).toEqual({ account_ids: 'acme', credentials: apiKey() });
  });

  it('given values are kept, and fields the spec does not name pass through', () => {
    const config = validateConfig({ account_ids: 'acme, globex', credentials: apiKey(), region: 'us', note: 'hi' }, SPEC);
    expect([config.region, config.page_size, config.note]).toEqual(['us', 50, 'hi']);
  });
});

describe('validateConfig: errors name the field, never the value', () => {
  it('not an object', () => {
    for (const value of [null, 'x', [], 5]) expect(refusal(value).message).toBe('The config must be a JSON object.');
  });

  it('missing required fields, each named, as a config error', () => {
    const error = refusal({});
    expect(error.failureType).toBe('config_error');
    expect(error.message).toBe('The config is invalid: missing required field "account_ids"; missing required field "credentials".');
  });

  it('a value of the wrong type names the nested field only', () => {
    const error = refusal({ account_ids: 'acme', credentials: apiKey(424242) });
    expect(error.message).toBe('The config is invalid: "credentials.api_key" must be string.');
    expect(error.message).not.toContain('424242');
  });

  it('a pattern mismatch gives the examples, not the value', () => {
    const error = refusal({ account_ids: 'Secret Account 7', credentials: apiKey() });
    expect(error.message).toBe('The config is invalid: "account_ids" is not in the expected format (for example "acme" or "acme, globex").');
    expect(error.message).not.toContain('Secret Account');
  });

  it('an enum lists what is allowed; a minimum says so', () => {
    expect(refusal({ account_ids: 'acme', credentials: apiKey(), region: 'mars' }).message).toBe('The config is invalid: "region" must be one of "eu", "us".');
    expect(refusal({ account_ids: 'acme', credentials: apiKey(), page_size: 0 }).message).toBe('The config is invalid: "page_size" must be >= 1.');
  });
});

describe('validateConfig: oneOf errors only for the chosen alternative', () => {
  it('api_key chosen, key missing: nothing about the OAuth fields', () => {
    expect(refusal({ account_ids: 'acme', credentials: { auth_method: 'api_key' } }).message).toBe('The config is invalid: missing required field "credentials.api_key".');
  });

  it('oauth chosen, secret missing: nothing about api_key, and no value shown', () => {
    const error = refusal({ account_ids: 'acme', credentials: { auth_method: 'oauth', client_id: 'cid-SECRET' } });
    expect(error.message).toBe('The config is invalid: missing required field "credentials.client_secret".');
    expect(error.message).not.toContain('SECRET');
  });

  it('an unknown auth_method says which values are allowed', () => {
    expect(refusal({ account_ids: 'acme', credentials: { auth_method: 'password', password: 'pw-SECRET' } }).message).toBe(
      'The config is invalid: "credentials.auth_method" must be one of "api_key", "oauth".',
    );
  });
});
