import { describe, it, expect } from '@jest/globals';
import { Redactor } from '../../../../engine/protocol/redactor.js';

describe('Redactor.add and redact', () => {
  it('masks every occurrence of a secret', () => {
    const redactor = new Redactor();
    redactor.add('s3cret-token');
    expect(redactor.redact('a s3cret-token b s3cret-token')).toBe('a **** b ****');
  });

  it('masks the URL-encoded form', () => {
    const redactor = new Redactor();
    redactor.add('a b/c+d=e');
    expect(redactor.redact('GET /x?token=a%20b%2Fc%2Bd%3De')).toBe('GET /x?token=****');
  });

  it('masks the JSON-escaped form', () => {
    const redactor = new Redactor();
    const secret = 'quo"te\\back';
    redactor.add(secret);
    const line = JSON.stringify({ message: `token ${secret} refused` });
    expect(redactor.redact(line)).toBe('{"message":"token **** refused"}');
  });

  it('masks a longer secret whole when it contains a shorter one', () => {
    const redactor = new Redactor();
    redactor.add('abc');
    redactor.add('abcdef');
    expect(redactor.redact('x abcdef y abc')).toBe('x **** y ****');
  });

  it('ignores values too short to mask safely, and non-strings', () => {
    const redactor = new Redactor();
    redactor.add('ab');
    redactor.add('');
    redactor.add(undefined);
    redactor.add({ token: 'xyz123' });
    expect(redactor.redact('ab xyz123')).toBe('ab xyz123');
  });

  it('adding the same secret twice is harmless', () => {
    const redactor = new Redactor();
    redactor.add('secret1');
    redactor.add('secret1');
    expect(redactor.redact('secret1')).toBe('****');
  });

  it('text without secrets is unchanged', () => {
    const redactor = new Redactor();
    redactor.add('secret1');
    expect(redactor.redact('nothing here')).toBe('nothing here');
  });
});

describe('Redactor.addFromSpec', () => {
  // A connection spec shaped like most: an id, a base URL, and credentials that are one of two auth methods.
  const secret = { type: 'string', airbyte_secret: true };
  const spec: Record<string, unknown> = {
    type: 'object',
    required: ['account_id', 'credentials'],
    properties: {
      account_id: { type: 'string' },
      api_base_url: { type: 'string' },
      credentials: {
        type: 'object',
        oneOf: [
          {
            type: 'object',
            properties: {
              auth_method: { const: 'oAuth2.0' },
              client_id: secret,
              client_secret: secret,
              refresh_token: secret,
            },
          },
          { type: 'object', properties: { auth_method: { const: 'access_token' }, access_token: secret } },
        ],
      },
    },
  };

  it('through oneOf: the access token alternative', () => {
    const redactor = new Redactor();
    redactor.addFromSpec(spec, { account_id: '24141', credentials: { auth_method: 'access_token', access_token: 'AQX-access-123' } });
    expect(redactor.redact('account 24141 token AQX-access-123 method access_token')).toBe('account 24141 token **** method access_token');
  });

  it('through oneOf: every secret of the OAuth alternative', () => {
    const redactor = new Redactor();
    redactor.addFromSpec(spec, {
      account_id: '1',
      credentials: { auth_method: 'oAuth2.0', client_id: 'client-id-1', client_secret: 'client/secret+2', refresh_token: 'refresh-3' },
    });
    expect(redactor.redact('client-id-1 client/secret+2 client%2Fsecret%2B2 refresh-3 oAuth2.0')).toBe('**** **** **** **** oAuth2.0');
  });

  it('through anyOf, nested objects and lists', () => {
    const schema = {
      type: 'object',
      properties: {
        keys: { type: 'array', items: { type: 'object', properties: { key: { type: 'string', airbyte_secret: true }, name: { type: 'string' } } } },
        auth: { anyOf: [{ type: 'object', properties: { inner: { type: 'object', properties: { pin: { type: 'string', airbyte_secret: true } } } } }] },
      },
    };
    const redactor = new Redactor();
    redactor.addFromSpec(schema, { keys: [{ key: 'key-one', name: 'first' }, { key: 'key-two', name: 'second' }], auth: { inner: { pin: 'pin-9876' } } });
    expect(redactor.redact('key-one first key-two second pin-9876')).toBe('**** first **** second ****');
  });

  it('fields the spec does not know, or does not mark secret, are left alone', () => {
    const redactor = new Redactor();
    redactor.addFromSpec(spec, { account_id: '24141', api_base_url: 'http://proxy.test', unknown_field: 'visible-value', credentials: { auth_method: 'access_token', access_token: 'tok-tok' } });
    expect(redactor.redact('24141 http://proxy.test visible-value')).toBe('24141 http://proxy.test visible-value');
  });

  it('a missing or odd config does not throw', () => {
    const redactor = new Redactor();
    expect(() => redactor.addFromSpec(spec, null)).not.toThrow();
    expect(() => redactor.addFromSpec(spec, { credentials: 'not-an-object' })).not.toThrow();
    expect(() => redactor.addFromSpec(null, { a: 1 })).not.toThrow();
  });
});
