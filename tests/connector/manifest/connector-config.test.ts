import { describe, it, expect, beforeAll } from '@jest/globals';
import { ConnectorError } from '../../../engine/core/errors.js';
import { validateConfig } from '../../../engine/protocol/connector-config.js';
import { compileConnector } from '../linkedin.js';

let spec: Record<string, unknown>;
beforeAll(() => {
  spec = compileConnector().spec.connection_specification;
});

function refusal(config: unknown): ConnectorError {
  try {
    validateConfig(config, spec);
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

const accessToken = (token: unknown = 'tok-SECRET-1') => ({ auth_method: 'access_token', access_token: token });

describe('validateConfig: defaults', () => {
  it('fills in the spec defaults, on a copy', () => {
    const input = { org_id: '2414183', credentials: accessToken() };
    const config = validateConfig(input, spec);
    expect(config).toEqual({
      org_id: '2414183',
      credentials: accessToken(),
      time_granularity_type: 'DAY',
      api_version: '202610',
      api_base_url: 'https://api.linkedin.com/rest',
      oauth_token_url: 'https://www.linkedin.com/oauth/v2/accessToken',
      lookback_days: 7,
      posts_lookback_months: 12,
    });
    expect(input).toEqual({ org_id: '2414183', credentials: accessToken() });
  });

  it('given values are kept', () => {
    const config = validateConfig({ org_id: '1, 2', credentials: accessToken(), time_granularity_type: 'MONTH', api_version: '202601' }, spec);
    expect(config.time_granularity_type).toBe('MONTH');
    expect(config.api_version).toBe('202601');
  });

  it('unknown extra fields are allowed by this spec', () => {
    expect(validateConfig({ org_id: '1', credentials: accessToken(), note: 'hi' }, spec).note).toBe('hi');
  });
});

describe('validateConfig: errors name the field, never the value', () => {
  it('not an object', () => {
    for (const value of [null, 'x', [], 5]) expect(refusal(value).message).toBe('The config must be a JSON object.');
  });

  it('missing required fields', () => {
    const error = refusal({});
    expect(error.failureType).toBe('config_error');
    // org_id is optional: without it the pages the token administers are read.
    expect(error.message).toBe('The config is invalid: missing required field "credentials".');
  });

  it('a value of the wrong type names the field only', () => {
    const error = refusal({ org_id: '1', credentials: accessToken(987654321) });
    expect(error.message).toBe('The config is invalid: "credentials.access_token" must be string.');
    expect(error.message).not.toContain('987654321');
  });

  it('a pattern mismatch names the field and not the value', () => {
    const error = refusal({ org_id: 'my-secret-org-name', credentials: accessToken() });
    expect(error.message).toBe('The config is invalid: "org_id" is not in the expected format (for example "2414183" or "2414183, 1035").');
    expect(error.message).not.toContain('my-secret-org-name');
  });

  it('an enum lists what is allowed', () => {
    const error = refusal({ org_id: '1', credentials: accessToken(), time_granularity_type: 'WEEK' });
    expect(error.message).toBe('The config is invalid: "time_granularity_type" must be one of "DAY", "MONTH".');
  });

  it('a start_date in the wrong format', () => {
    const error = refusal({ org_id: '1', credentials: accessToken(), start_date: '2026-01-01' });
    expect(error.message).toContain('"start_date" is not in the expected format (for example "2026-01-01T00:00:00Z")');
  });
});

describe('validateConfig: oneOf errors only for the chosen auth_method', () => {
  it('access_token chosen, token missing: nothing about OAuth fields', () => {
    const error = refusal({ org_id: '1', credentials: { auth_method: 'access_token' } });
    expect(error.message).toBe('The config is invalid: missing required field "credentials.access_token".');
  });

  it('OAuth chosen, refresh token missing: nothing about access_token', () => {
    const error = refusal({ org_id: '1', credentials: { auth_method: 'oAuth2.0', client_id: 'cid-SECRET', client_secret: 'cs-SECRET' } });
    expect(error.message).toBe('The config is invalid: missing required field "credentials.refresh_token".');
    expect(error.message).not.toContain('SECRET');
  });

  it('an unknown auth_method says which values are allowed', () => {
    const error = refusal({ org_id: '1', credentials: { auth_method: 'password', password: 'pw-SECRET' } });
    expect(error.message).toBe(
      'The config is invalid: "credentials.auth_method" must be one of "oAuth2.0", "access_token".',
    );
  });

  it('both alternatives valid is fine for the chosen one', () => {
    const config = validateConfig(
      { org_id: '1', credentials: { auth_method: 'oAuth2.0', client_id: 'a', client_secret: 'b', refresh_token: 'c' } },
      spec,
    );
    expect(config.credentials).toEqual({ auth_method: 'oAuth2.0', client_id: 'a', client_secret: 'b', refresh_token: 'c' });
  });
});
