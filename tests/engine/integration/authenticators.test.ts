// An API key (in a header or a query parameter), HTTP basic credentials and the OAuth client-credentials grant,
// through the CLI (in this process, fake clock) against the generic API: the credentials every request carries,
// refused credentials as a config error, and no key, password or encoded pair in any output of validate, check,
// read or sync, also when error bodies repeat the request's headers and URL.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { catalog, FakeClock, records, runInProcess, runInProcessText, TEST_NOW, traces, writeFiles, type Manifest, type RunResult } from '../../helpers/index.js';
import { DEFAULT_ACCOUNTS, expectedAccount, expectedItems, startGenericApi, TOKEN_PATH, type GenericApi, type GenericApiOptions } from '../generic-api.js';
import { genericManifest, writeGenericManifest } from '../generic-connector.js';

// Recognisable secrets.
const API_KEY = 'api-key-SECRET-8d1f2a';
const USERNAME = 'reader';
const PASSWORD = 'password-SECRET-3e9c';
const BASIC = Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64');
const CLIENT_ID = 'client-id-7b21';
const CLIENT_SECRET = 'client-secret-SECRET-5a0e';
const SCOPE = 'items:read accounts:read';

const apis: GenericApi[] = [];
afterEach(async () => {
  await Promise.all(apis.splice(0).map((api) => api.close()));
});

async function api(clock: FakeClock, options: GenericApiOptions): Promise<GenericApi> {
  const started = await startGenericApi({ now: () => clock.now(), tokens: [], ...options });
  apis.push(started);
  return started;
}

const secret = { type: 'string', airbyte_secret: true };

/**
 * The generic manifest with `authenticator` for every stream, and a spec whose credentials have these fields (the
 * secret ones marked so unless `unmarked`, as a manifest author may forget).
 */
function manifestWith(authenticator: Manifest, fields: string[], secrets: string[], unmarked = false): string {
  const manifest = genericManifest();
  manifest.definitions.authenticator = authenticator;
  manifest.spec.connection_specification.properties.credentials = {
    type: 'object',
    required: fields,
    properties: Object.fromEntries(fields.map((field) => [field, secrets.includes(field) && !unmarked ? secret : { type: 'string' }])),
  };
  return writeGenericManifest(manifest);
}

const apiKeyIn = (inject_into: 'header' | 'request_parameter', field_name: string, unmarked = false) =>
  manifestWith({ type: 'ApiKeyAuthenticator', api_token: '{{ config.credentials.api_key }}', inject_into: { inject_into, field_name } }, ['api_key'], ['api_key'], unmarked);
const basic = (unmarked = false) =>
  manifestWith({ type: 'BasicHttpAuthenticator', username: '{{ config.credentials.username }}', password: '{{ config.credentials.password }}' }, ['username', 'password'], ['password'], unmarked);
const clientCredentials = () =>
  manifestWith(
    {
      type: 'OAuthAuthenticator',
      grant_type: 'client_credentials',
      token_refresh_endpoint: '{{ config.token_url }}',
      client_id: '{{ config.credentials.client_id }}',
      client_secret: '{{ config.credentials.client_secret }}',
      scopes: SCOPE.split(' '),
      refresh_request_body: { audience: '{{ config.credentials.audience }}' },
    },
    ['client_id', 'client_secret', 'audience'],
    ['client_secret'],
  );

const configOf = (target: GenericApi, credentials: Record<string, string>) => ({ base_url: target.apiUrl, token_url: target.tokenUrl, credentials });

type Command = 'read' | 'check' | 'validate' | 'sync';

async function run(command: Command, clock: FakeClock, manifest: string, config: object, streams = ['items_by_offset', 'accounts'], extra: string[] = []): Promise<RunResult> {
  const files = writeFiles({ 'config.json': config, 'catalog.json': catalog(streams) });
  const args = [command, '--manifest', manifest, '--config', files['config.json']];
  if (command === 'read') args.push('--catalog', files['catalog.json']);
  if (command === 'validate' || command === 'sync') args.push('--streams', streams.join(','));
  if (command === 'sync') args.push('--output', join(files.dir, 'out'));
  if (command === 'validate') return { ...(await runInProcessText([...args, ...extra], { clock })), messages: [] };
  return runInProcess([...args, ...extra], { clock });
}

const apiCalls = (target: GenericApi) => target.requests.filter((r) => r.path.startsWith('/api/'));

function expectReadAll(result: RunResult): void {
  expect({ code: result.code, errors: traces(result.messages, 'ERROR') }).toEqual({ code: 0, errors: [] });
  expect(records(result.messages, 'items_by_offset')).toEqual(expectedItems());
  expect(records(result.messages, 'accounts')).toEqual(DEFAULT_ACCOUNTS.map(expectedAccount));
}

/** A read refused for its credentials: exit 1 with one config error saying so; check FAILS with the same reason. */
async function expectRefused(clock: FakeClock, manifest: string, config: object, reason: RegExp): Promise<void> {
  const read = await run('read', clock, manifest, config, ['accounts']);
  expect(read.code).toBe(1);
  const [error] = traces(read.messages, 'ERROR');
  expect(error.error.failure_type).toBe('config_error');
  expect(error.error.message).toMatch(reason);
  const check = await run('check', clock, manifest, config);
  expect(check.messages[0].connectionStatus.status).toBe('FAILED');
  expect(check.messages[0].connectionStatus.message).toMatch(reason);
}

describe('ApiKeyAuthenticator', () => {
  it('in a header: every request carries the key there, and nothing else of credentials', async () => {
    const clock = new FakeClock(TEST_NOW);
    const target = await api(clock, { apiKey: { key: API_KEY, header: 'X-API-Key' } });
    expectReadAll(await run('read', clock, apiKeyIn('header', 'X-API-Key'), configOf(target, { api_key: API_KEY })));
    const calls = apiCalls(target);
    expect(calls.length).toBeGreaterThan(5);
    for (const call of calls) {
      expect(call.headers['x-api-key']).toBe(API_KEY);
      expect(call.headers.authorization).toBeUndefined();
      expect(call.query.has('api_key')).toBe(false);
    }
  });

  it('in a query parameter: every request carries it once, next to the paginator\'s parameters', async () => {
    const clock = new FakeClock(TEST_NOW);
    const target = await api(clock, { apiKey: { key: API_KEY, parameter: 'api_key' } });
    expectReadAll(await run('read', clock, apiKeyIn('request_parameter', 'api_key'), configOf(target, { api_key: API_KEY })));
    const calls = apiCalls(target);
    expect(calls.filter((call) => call.path === '/api/items').map((call) => call.query.get('offset'))).toEqual(['0', '5', '10', '15', '20']);
    for (const call of calls) expect(call.query.getAll('api_key')).toEqual([API_KEY]);
  });

  it.each([
    ['header', 'X-API-Key'],
    ['request_parameter', 'api_key'],
  ] as const)('a wrong key (%s) is a config error saying the API refused the credentials', async (inject, field) => {
    const clock = new FakeClock(TEST_NOW);
    const target = await api(clock, { apiKey: { key: API_KEY, ...(inject === 'header' ? { header: field } : { parameter: field }) } });
    await expectRefused(clock, apiKeyIn(inject, field), configOf(target, { api_key: `${API_KEY}-wrong` }), /refused the credentials \(invalid_api_key\)/);
  });
});

describe('BasicHttpAuthenticator', () => {
  it('every request carries Authorization: Basic base64(username:password)', async () => {
    const clock = new FakeClock(TEST_NOW);
    const target = await api(clock, { basicAuth: { username: USERNAME, password: PASSWORD } });
    expectReadAll(await run('read', clock, basic(), configOf(target, { username: USERNAME, password: PASSWORD })));
    for (const call of apiCalls(target)) expect(call.headers.authorization).toBe(`Basic ${BASIC}`);
  });

  it('a wrong password is a config error saying the API refused the credentials', async () => {
    const clock = new FakeClock(TEST_NOW);
    const target = await api(clock, { basicAuth: { username: USERNAME, password: PASSWORD } });
    await expectRefused(clock, basic(), configOf(target, { username: USERNAME, password: `${PASSWORD}-wrong` }), /refused the credentials \(invalid_credentials\)/);
  });
});

describe('OAuthAuthenticator with the client-credentials grant', () => {
  const oauth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshTokens: [], clientCredentials: { scope: SCOPE, body: { audience: 'generic-api' } } };

  it('one token request with the client, the scopes and the extra field, no refresh token; every call carries the token', async () => {
    const clock = new FakeClock(TEST_NOW);
    const target = await api(clock, { oauth });
    const result = await run('read', clock, clientCredentials(), configOf(target, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, audience: 'generic-api' }));
    expectReadAll(result);
    const tokenCalls = target.requests.filter((r) => r.path === TOKEN_PATH);
    expect(tokenCalls.map((call) => Object.fromEntries(new URLSearchParams(call.body)))).toEqual([
      { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: SCOPE, audience: 'generic-api' },
    ]);
    expect(target.issuedTokens).toHaveLength(1);
    for (const call of apiCalls(target)) expect(call.headers.authorization).toBe(`Bearer ${target.issuedTokens[0]}`);
    // A client-credentials token has no refresh token to hand back.
    expect(result.messages.filter((m) => m.type === 'CONTROL')).toEqual([]);
  });

  it.each([
    ['a wrong client secret', { client_secret: `${CLIENT_SECRET}-wrong` }, /invalid_client/],
    ['an extra field the endpoint refuses', { audience: 'another-api' }, /invalid_request: audience must be "generic-api"/],
  ])('%s is a config error quoting the token endpoint', async (_name, credentials, reason) => {
    const clock = new FakeClock(TEST_NOW);
    const target = await api(clock, { oauth });
    await expectRefused(clock, clientCredentials(), configOf(target, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, audience: 'generic-api', ...credentials }), reason);
    expect(apiCalls(target)).toEqual([]);
  });

  it('scopes the endpoint does not grant are a config error quoting it', async () => {
    const clock = new FakeClock(TEST_NOW);
    const target = await api(clock, { oauth: { ...oauth, clientCredentials: { ...oauth.clientCredentials, scope: 'items:read' } } });
    await expectRefused(clock, clientCredentials(), configOf(target, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, audience: 'generic-api' }), /invalid_scope: scope must be "items:read", got "items:read accounts:read"/);
  });
});

describe('no key, password or encoded pair in any output', () => {
  // What must never be printed, in every form a message could carry it.
  const leaks = (values: string[]) => values.flatMap((value) => [value, encodeURIComponent(value), value.slice(0, 12)]);

  const cases: [string, () => string, GenericApiOptions, Record<string, string>, string[]][] = [
    ['an API key header', () => apiKeyIn('header', 'X-API-Key'), { apiKey: { key: API_KEY, header: 'X-API-Key' } }, { api_key: API_KEY }, [API_KEY]],
    ['an API key parameter', () => apiKeyIn('request_parameter', 'api_key'), { apiKey: { key: API_KEY, parameter: 'api_key' } }, { api_key: API_KEY }, [API_KEY]],
    ['an API key parameter the spec does not mark secret', () => apiKeyIn('request_parameter', 'api_key', true), { apiKey: { key: API_KEY, parameter: 'api_key' } }, { api_key: API_KEY }, [API_KEY]],
    ['basic credentials', () => basic(), { basicAuth: { username: USERNAME, password: PASSWORD } }, { username: USERNAME, password: PASSWORD }, [PASSWORD, BASIC]],
    ['basic credentials the spec does not mark secret', () => basic(true), { basicAuth: { username: USERNAME, password: PASSWORD } }, { username: USERNAME, password: PASSWORD }, [PASSWORD, BASIC]],
  ];

  it.each(cases)('%s: validate, check, read and sync, error bodies repeating the headers and the URL included', async (_name, manifestOf, options, credentials, secrets) => {
    const clock = new FakeClock(TEST_NOW);
    const target = await api(clock, options);
    const manifest = manifestOf();
    const config = configOf(target, credentials);
    const echo = ['url', 'authorization', 'x-api-key'];
    const outputs: [string, RunResult][] = [];
    const capture = async (name: string, result: Promise<RunResult>) => outputs.push([name, await result]);

    await capture('validate', run('validate', clock, manifest, config));
    await capture('validate --json', run('validate', clock, manifest, config, ['items_by_offset', 'accounts'], ['--json']));
    await capture('a complete read', run('read', clock, manifest, config));
    await capture('check', run('check', clock, manifest, config));
    for (const [name, fault] of [
      ['a 400 repeating the request', { status: 400, echo }],
      ['a 500 repeating the request, after every retry', { status: 500, echo, times: Infinity }],
      ['a 401 repeating the request', { status: 401, echo }],
      ['a 404 repeating the request', { status: 404, echo }],
      ['reset connections', { reset: true, times: Infinity }],
    ] as const) {
      target.clearFaults();
      target.addFault({ match: '/api/', ...fault });
      await capture(`read: ${name}`, run('read', clock, manifest, config, ['accounts']));
      target.clearFaults();
      target.addFault({ match: '/api/', ...fault });
      await capture(`sync: ${name}`, run('sync', clock, manifest, config, ['accounts']));
    }
    for (const [name, result] of outputs) {
      const text = `${result.stdout}\n${result.stderr}`;
      for (const leak of leaks(secrets)) {
        if (text.includes(leak)) throw new Error(`"${leak.slice(0, 6)}..." appears in the output of ${name}`);
      }
    }
    // The premise: validate and the read succeeded, and the echoing faults were answered with the credentials in
    // their bodies, which the messages quote masked.
    expect(outputs[0][1].code).toBe(0);
    expect(outputs[2][1].code).toBe(0);
    expect(target.requests.filter((r) => r.status === 400).length).toBeGreaterThan(1);
    expect(outputs.find(([name]) => name === 'read: a 400 repeating the request')?.[1].stdout).toMatch(/\*{4}/);
  });
});
