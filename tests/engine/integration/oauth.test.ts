// OAuth 2.0 refresh-token authentication through the CLI (in this process, fake clock) against the generic API's
// token endpoint: one refresh per read, a 401 mid-read renewing the token, renewal before expiry, a rotated refresh
// token handed back in a CONTROL message, refusals by the token endpoint, and no secret in any output.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { catalog, FakeClock, records, runInProcess, TEST_NOW, traces, writeFiles, type RunResult } from '../../helpers/index.js';
import { expectedItems, startGenericApi, TOKEN_PATH, type GenericApi, type GenericApiOptions } from '../generic-api.js';
import { genericManifest, STREAMS, writeGenericManifest } from '../generic-connector.js';

// Recognisable secrets: none may ever show up in any output but the CONTROL message that must carry the config.
const CLIENT_ID = 'client-id-SECRET-41c7';
const CLIENT_SECRET = 'client-secret-SECRET-0d9e';
const REFRESH_TOKEN = 'refresh-token-SECRET-b35a';

const manifest = writeGenericManifest();
const apis: GenericApi[] = [];
afterEach(async () => {
  await Promise.all(apis.splice(0).map((api) => api.close()));
});

async function oauthApi(clock: FakeClock, oauth: Partial<GenericApiOptions['oauth']> = {}, extra: GenericApiOptions = {}): Promise<GenericApi> {
  const api = await startGenericApi({
    now: () => clock.now(),
    tokens: [],
    oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshTokens: [REFRESH_TOKEN], ...oauth },
    ...extra,
  });
  apis.push(api);
  return api;
}

const oauthConfig = (api: GenericApi, credentials: Record<string, string> = {}) => ({
  base_url: api.apiUrl,
  token_url: api.tokenUrl,
  account_ids: 'acme, globex',
  start_date: '2026-11-01',
  credentials: { auth_method: 'oauth', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token: REFRESH_TOKEN, ...credentials },
});

async function run(command: 'read' | 'check', clock: FakeClock, config: object, streams = STREAMS, manifestPath = manifest): Promise<RunResult> {
  const files = writeFiles({ 'config.json': config, 'catalog.json': catalog(streams, (name) => (name === 'daily_metrics' ? 'incremental' : 'full_refresh')) });
  const args = [command, '--manifest', manifestPath, '--config', files['config.json'], ...(command === 'read' ? ['--catalog', files['catalog.json']] : [])];
  return runInProcess(args, { clock });
}

const tokenCalls = (api: GenericApi) => api.requests.filter((r) => r.path === TOKEN_PATH);
const apiCalls = (api: GenericApi) => api.requests.filter((r) => r.path.startsWith('/api/'));
const bearer = (request: { headers: Record<string, unknown> }) => String(request.headers.authorization).replace(/^Bearer /, '');

describe('OAuth 2.0 refresh-token authentication', () => {
  it('one refresh for a whole read of every stream, with the form-encoded refresh grant; every call carries the issued token', async () => {
    const clock = new FakeClock(TEST_NOW);
    const api = await oauthApi(clock);
    const result = await run('read', clock, oauthConfig(api));
    expect({ code: result.code, errors: traces(result.messages, 'ERROR') }).toEqual({ code: 0, errors: [] });
    expect(records(result.messages, 'items_by_offset')).toEqual(expectedItems());
    const calls = tokenCalls(api);
    expect(calls).toHaveLength(1);
    expect(calls[0].method).toBe('POST');
    expect(calls[0].headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(calls[0].body))).toEqual({
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      refresh_token: REFRESH_TOKEN,
    });
    expect(apiCalls(api).length).toBeGreaterThan(10);
    expect(new Set(apiCalls(api).map(bearer))).toEqual(new Set(api.issuedTokens));
    expect(apiCalls(api).every((r) => r.status === 200)).toBe(true);
    // No rotation, so no CONTROL message.
    expect(result.messages.filter((m) => m.type === 'CONTROL')).toEqual([]);
  });

  it('a 401 mid-read renews the token and sends the refused request again: each expired token renewed once, nothing lost', async () => {
    const clock = new FakeClock(TEST_NOW);
    // Every issued token works for 4 calls, then the API answers 401.
    const api = await oauthApi(clock, { tokenCallLimit: 4 });
    const result = await run('read', clock, oauthConfig(api), ['items_by_offset', 'items_by_page', 'daily_metrics']);
    expect({ code: result.code, errors: traces(result.messages, 'ERROR') }).toEqual({ code: 0, errors: [] });
    const calls = apiCalls(api);
    const refused = calls.filter((r) => r.status === 401);
    expect(refused.length).toBeGreaterThan(0);
    expect(calls.filter((r) => r.status === 200)).toHaveLength(calls.length - refused.length);
    // One refresh per token that expired (concurrent refusals of one token share it), not one per refused call.
    expect(tokenCalls(api)).toHaveLength(new Set(calls.map(bearer)).size);
    expect(tokenCalls(api).length).toBeGreaterThan(1);
    // Every refused request was sent again, with a newer token, and answered.
    for (const request of refused) {
      const again = calls.find((r) => r !== request && r.url === request.url && r.status === 200 && api.issuedTokens.indexOf(bearer(r)) > api.issuedTokens.indexOf(bearer(request)));
      expect(again).toBeDefined();
    }
    expect(records(result.messages, 'items_by_offset')).toEqual(expectedItems());
    expect(records(result.messages, 'items_by_page')).toEqual(expectedItems());
    expect(records(result.messages, 'daily_metrics')).toHaveLength(28 * 2);
  });

  it('renews the token before expires_in runs out, without waiting for a 401', async () => {
    const clock = new FakeClock(TEST_NOW);
    // Tokens live 600 s; the engine renews 300 s before. A 429 asking for 400 s moves the clock past that point.
    const api = await oauthApi(clock, { expiresIn: 600 });
    api.addFault({ match: '/api/items/pages', status: 429, headers: { 'Retry-After': '400' } });
    const result = await run('read', clock, oauthConfig(api), ['items_by_offset', 'items_by_page']);
    expect(result.code).toBe(0);
    expect(clock.sleeps).toEqual([400_000]);
    expect(tokenCalls(api)).toHaveLength(2);
    expect(apiCalls(api).filter((r) => r.status === 401)).toEqual([]);
    const pages = apiCalls(api).filter((r) => r.path === '/api/items/pages');
    expect(bearer(pages.at(-1)!)).toBe(api.issuedTokens[1]);
    expect(bearer(pages[0])).toBe(api.issuedTokens[0]);
  });

  it('hands a rotated refresh token back in one CONTROL message with the whole updated config; the next run uses it', async () => {
    const clock = new FakeClock(TEST_NOW);
    const api = await oauthApi(clock, { rotate: true });
    const config = oauthConfig(api);
    const result = await run('read', clock, config, ['accounts', 'projects']);
    expect(result.code).toBe(0);
    const controls = result.messages.filter((m) => m.type === 'CONTROL');
    expect(controls).toHaveLength(1);
    expect(controls[0].control.type).toBe('CONNECTOR_CONFIG');
    const updated = controls[0].control.connectorConfig.config;
    expect(updated.credentials.refresh_token).not.toBe(REFRESH_TOKEN);
    expect(api.refreshTokens()).toEqual([updated.credentials.refresh_token]);
    expect(updated).toEqual({ ...config, credentials: { ...config.credentials, refresh_token: updated.credentials.refresh_token } });
    // The CONTROL message is the only place the new refresh token appears.
    const otherLines = result.stdout.split('\n').filter((line) => !line.startsWith('{"type":"CONTROL"'));
    expect(otherLines.join('\n')).not.toContain(updated.credentials.refresh_token);

    const next = await run('read', clock, updated, ['accounts']);
    expect(next.code).toBe(0);
    expect(records(next.messages, 'accounts')).toHaveLength(3);
    const stale = await run('check', clock, config);
    expect(stale.messages[0].connectionStatus.status).toBe('FAILED');
  });

  it('check and read write a rotated refresh token into their --config file: check then read with the same file both succeed', async () => {
    const clock = new FakeClock(TEST_NOW);
    const api = await oauthApi(clock, { rotate: true });
    const config = oauthConfig(api);
    const files = writeFiles({ 'config.json': config, 'catalog.json': catalog(['accounts']) });
    const path = files['config.json'];
    const inFile = () => JSON.parse(readFileSync(path, 'utf8')) as ReturnType<typeof oauthConfig>;
    const outputs: RunResult[] = [];

    const checked = await runInProcess(['check', '--manifest', manifest, '--config', path], { clock });
    outputs.push(checked);
    expect(checked.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status).toBe('SUCCEEDED');
    const [control] = checked.messages.filter((m) => m.type === 'CONTROL');
    expect(api.refreshTokens()).toEqual([control.control.connectorConfig.config.credentials.refresh_token]);
    // The whole config, with the token the endpoint now accepts, readable by its owner only; no temporary file left.
    expect(inFile()).toEqual({ ...config, credentials: { ...config.credentials, refresh_token: api.refreshTokens()[0] } });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(`${path}.tmp`)).toBe(false);

    for (const args of [['read', '--catalog', files['catalog.json']], ['check']]) {
      const before = inFile().credentials.refresh_token;
      const result = await runInProcess([args[0], '--manifest', manifest, '--config', path, ...args.slice(1)], { clock });
      outputs.push(result);
      expect({ command: args[0], code: result.code, errors: traces(result.messages, 'ERROR') }).toEqual({ command: args[0], code: 0, errors: [] });
      expect(inFile().credentials.refresh_token).not.toBe(before);
      expect(api.refreshTokens()).toEqual([inFile().credentials.refresh_token]);
    }
    expect(records(outputs[1].messages, 'accounts')).toHaveLength(3);
    const secrets = [CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, ...api.issuedTokens, ...api.refreshTokens()];
    for (const result of outputs) {
      const text = `${result.stdout.split('\n').filter((line) => !line.startsWith('{"type":"CONTROL"')).join('\n')}\n${result.stderr}`;
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });

  it.each([
    ['a wrong client secret', { client_secret: 'wrong-SECRET-5e5e' }, /invalid_client/],
    ['a revoked refresh token', { refresh_token: 'revoked-SECRET-6f6f' }, /invalid_grant/],
  ])('%s: check FAILS saying why (exit 0); read ends with a config error (exit 1), no API call made', async (_name, credentials, pattern) => {
    const clock = new FakeClock(TEST_NOW);
    const api = await oauthApi(clock);
    const checked = await run('check', clock, oauthConfig(api, credentials));
    expect(checked.code).toBe(0);
    expect(checked.messages).toHaveLength(1);
    expect(checked.messages[0].connectionStatus.status).toBe('FAILED');
    expect(checked.messages[0].connectionStatus.message).toMatch(pattern);
    const read = await run('read', clock, oauthConfig(api, credentials), ['accounts']);
    expect(read.code).toBe(1);
    const [error] = traces(read.messages, 'ERROR');
    expect(error.error.failure_type).toBe('config_error');
    expect(error.error.message).toMatch(pattern);
    expect(apiCalls(api)).toEqual([]);
  });

  it('retries a token endpoint answering 5xx, with backoff', async () => {
    const clock = new FakeClock(TEST_NOW);
    const api = await oauthApi(clock);
    api.addFault({ match: TOKEN_PATH, status: 503, times: 2 });
    const result = await run('read', clock, oauthConfig(api), ['accounts']);
    expect(result.code).toBe(0);
    expect(tokenCalls(api).map((r) => r.status)).toEqual([503, 503, 200]);
    expect(clock.sleeps).toEqual([5000, 10000]);
  });

  it('a token endpoint 5xx with Retry-After waits as long as it says, with the default error handler of the authenticator', async () => {
    const clock = new FakeClock(TEST_NOW);
    const api = await oauthApi(clock);
    api.addFault({ match: TOKEN_PATH, status: 500, headers: { 'Retry-After': '1' }, times: 2 });
    const result = await run('read', clock, oauthConfig(api), ['accounts']);
    expect(result.code).toBe(0);
    expect(tokenCalls(api).map((r) => r.status)).toEqual([500, 500, 200]);
    expect(clock.sleeps).toEqual([1000, 1000]);
  });
});

describe('secrets never appear in any output', () => {
  it('drives failure paths with recognisable secrets and finds none in stdout or stderr, issued tokens included', async () => {
    const clock = new FakeClock(TEST_NOW);
    const api = await oauthApi(clock);
    const rotating = await oauthApi(clock, { rotate: true });
    const outputs: { name: string; text: string }[] = [];
    // CONTROL messages are the one place a config travels, by design: they hand the rotated token to the platform.
    const capture = (name: string, result: RunResult) =>
      outputs.push({ name, text: `${result.stdout.split('\n').filter((line) => !line.startsWith('{"type":"CONTROL"')).join('\n')}\n${result.stderr}` });

    const faults: [string, object][] = [
      ['401', { status: 401, body: { error: 'invalid_token' }, times: Infinity }],
      ['403', { status: 403, times: Infinity }],
      ['429 after retries', { status: 429, times: Infinity }],
      ['500 after retries', { status: 500, times: Infinity }],
      ['token endpoint 500 after retries', { status: 500, match: TOKEN_PATH, times: Infinity }],
      ['reset connections', { reset: true, times: Infinity }],
      ['an error body repeating the access token', { status: 400, echoAuthorization: true, match: '/api/', times: Infinity }],
    ];
    for (const [name, fault] of faults) {
      api.clearFaults();
      api.addFault(fault);
      capture(`${name} (read)`, await run('read', clock, oauthConfig(api), ['accounts']));
      capture(`${name} (check)`, await run('check', clock, oauthConfig(api)));
    }
    api.clearFaults();
    capture('invalid_client', await run('read', clock, oauthConfig(api, { client_secret: `${CLIENT_SECRET}-x` }), ['accounts']));
    capture('invalid_grant', await run('read', clock, oauthConfig(api, { refresh_token: `${REFRESH_TOKEN}-x` }), ['accounts']));
    const rotation = await run('read', clock, oauthConfig(rotating), ['accounts']);
    expect(rotation.messages.filter((m) => m.type === 'CONTROL')).toHaveLength(1);
    capture('rotation', rotation);
    capture('a config the spec refuses', await run('read', clock, { ...oauthConfig(api), start_date: 'yesterday' }, ['accounts']));
    capture('a complete read', await run('read', clock, oauthConfig(api)));

    // A transformation that fails with secrets in its message.
    const crashing = genericManifest();
    crashing.streams[3].transformations = [
      { type: 'AddFields', fields: [{ path: ['x'], value: "{{ $error('crash with ' & config.credentials.client_secret & ' ' & config.credentials.refresh_token) }}" }] },
    ];
    const crash = await run('read', clock, oauthConfig(api), ['accounts'], writeGenericManifest(crashing));
    expect(traces(crash.messages, 'ERROR')[0].error.message).toMatch(/crash with \*{4} \*{4}/);
    capture('a crashing transformation', crash);
    capture('validate', await runInProcess(['validate', '--json', '--manifest', manifest, '--config', writeFiles({ 'c.json': oauthConfig(api) })['c.json']], { clock }));

    const issued = [...api.issuedTokens, ...rotating.issuedTokens, ...rotating.refreshTokens()];
    expect(api.issuedTokens.length).toBeGreaterThan(0);
    const secrets = [CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, `${CLIENT_SECRET}-x`, `${REFRESH_TOKEN}-x`, ...issued];
    expect(outputs.length).toBeGreaterThan(15);
    for (const { name, text } of outputs) {
      for (const secret of secrets) {
        if (text.includes(secret) || text.includes(encodeURIComponent(secret))) throw new Error(`the secret ${secret.slice(0, 8)}... appears in the output of "${name}"`);
      }
    }
  });

  it.each([
    ['a 400 (its message quotes the body)', 400],
    ['a 500 after every retry (its internal message quotes the body)', 500],
  ])('%s: an access token the error body repeats across the 300-character cut leaves no part of it in read or sync', async (_name, status) => {
    const clock = new FakeClock(TEST_NOW);
    const api = await oauthApi(clock);
    // Padded so that the issued token (`at-` and 24 hex digits) starts 10 characters before the excerpt's cut.
    const padding = { padding: 'x'.repeat(236) };
    const premise = JSON.stringify({ error: 'fault', ...padding, authorization: `Bearer at-${'0'.repeat(24)}` });
    expect(premise.indexOf('at-0')).toBe(290);
    api.addFault({ status, echoAuthorization: true, body: padding, match: '/api/', times: Infinity });

    const read = await run('read', clock, oauthConfig(api), ['accounts']);
    expect(read.code).toBe(1);
    const [error] = traces(read.messages, 'ERROR');
    expect(error.error.internal_message).toContain('"authorization":"Bearer ****"');
    const files = writeFiles({ 'config.json': oauthConfig(api) });
    const sync = await runInProcess(['sync', '--manifest', manifest, '--config', files['config.json'], '--output', join(files.dir, 'out'), '--streams', 'accounts'], { clock });
    expect(sync.code).toBe(1);
    if (status === 400) expect(sync.stderr).toContain('"authorization":"Bearer ****"');

    const [token] = api.issuedTokens;
    expect(token).toHaveLength(27);
    expect(api.requests.filter((r) => r.status === status).length).toBeGreaterThan(1);
    for (const output of [read.stdout + read.stderr, sync.stdout + sync.stderr]) {
      for (let length = 6; length <= token.length; length++) expect(output).not.toContain(token.slice(0, length));
    }
  });
});
