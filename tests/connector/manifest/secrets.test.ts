// The secrets the connector's spec marks (airbyte_secret) are the ones masked: both auth alternatives, and no
// other field. The Redactor itself is tested in tests/engine/unit/protocol/redactor.test.ts.
import { describe, it, expect, beforeAll } from '@jest/globals';
import { Redactor } from '../../../engine/protocol/redactor.js';
import { compileConnector } from '../linkedin.js';

describe('Redactor.addFromSpec over the connector spec', () => {
  let spec: Record<string, unknown>;
  beforeAll(() => {
    spec = compileConnector().spec.connection_specification;
  });

  it('through oneOf: the access token alternative', () => {
    const redactor = new Redactor();
    redactor.addFromSpec(spec, { org_id: '2414183', credentials: { auth_method: 'access_token', access_token: 'AQX-access-123' } });
    expect(redactor.redact('org 2414183 token AQX-access-123 method access_token')).toBe('org 2414183 token **** method access_token');
  });

  it('through oneOf: every secret of the OAuth alternative', () => {
    const redactor = new Redactor();
    redactor.addFromSpec(spec, {
      org_id: '1',
      credentials: { auth_method: 'oAuth2.0', client_id: 'client-id-1', client_secret: 'client/secret+2', refresh_token: 'refresh-3' },
    });
    expect(redactor.redact('client-id-1 client/secret+2 client%2Fsecret%2B2 refresh-3 oAuth2.0')).toBe('**** **** **** **** oAuth2.0');
  });

  it('fields the spec does not know, or does not mark secret, are left alone', () => {
    const redactor = new Redactor();
    redactor.addFromSpec(spec, { org_id: '2414183', api_base_url: 'http://proxy.test', unknown_field: 'visible-value', credentials: { auth_method: 'access_token', access_token: 'tok-tok' } });
    expect(redactor.redact('2414183 http://proxy.test visible-value')).toBe('2414183 http://proxy.test visible-value');
  });

  it('a missing or odd config does not throw', () => {
    const redactor = new Redactor();
    expect(() => redactor.addFromSpec(spec, null)).not.toThrow();
    expect(() => redactor.addFromSpec(spec, { credentials: 'not-an-object' })).not.toThrow();
    expect(() => redactor.addFromSpec(null, { a: 1 })).not.toThrow();
  });
});
