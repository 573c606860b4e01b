// The API key, basic and OAuth authenticators, built from manifest declarations (defaults filled in by the
// manifest's schema): the credentials each gives, the secrets each registers before giving them, and the
// declarations the format refuses.
import { describe, it, expect, afterEach } from '@jest/globals';
import type { Authenticator } from '../../../../engine/http/authenticator.js';
import { HttpRequester } from '../../../../engine/http/http-requester.js';
import { CompileContext } from '../../../../engine/manifest/compile-context.js';
import { validateManifestText } from '../../../../engine/manifest/manifest-file.js';
import { componentRegistry } from '../../../../engine/manifest/registry.js';
import { ENGINE_TESTS_DIR, compile, oneStreamManifest, startServer, testRuntime, thrown, toYaml, type Manifest, type TestRuntime, type TestServer } from '../../../helpers/index.js';

const REQUESTER_PATH = ['streams', 0, 'retriever', 'requester'];

/** The requester of a one-stream manifest with this authenticator, compiled as the CLI would. */
function requesterWith(authenticator: Manifest, test: TestRuntime): HttpRequester {
  const manifest = validateManifestText(toYaml(oneStreamManifest({ requester: { authenticator } })), 'manifest.yaml', ENGINE_TESTS_DIR);
  const context = new CompileContext(manifest.loaded, test.runtime, ENGINE_TESTS_DIR, componentRegistry);
  return context.build(manifest.definition.streams[0].retriever.requester, REQUESTER_PATH);
}

/** The authenticator itself, built from the same declaration. */
function authenticatorOf(authenticator: Manifest, test: TestRuntime): Authenticator {
  const manifest = validateManifestText(toYaml(oneStreamManifest({ requester: { authenticator } })), 'manifest.yaml', ENGINE_TESTS_DIR);
  const context = new CompileContext(manifest.loaded, test.runtime, ENGINE_TESTS_DIR, componentRegistry);
  return context.build(manifest.definition.streams[0].retriever.requester.authenticator, [...REQUESTER_PATH, 'authenticator']);
}

const config = { base: 'http://127.0.0.1:9', api_key: 'key-SECRET-1a2b', username: 'ana', password: 'pw-SECRET-3c4d' };

describe('ApiKeyAuthenticator', () => {
  it('puts the key in the named header (lower case), registered as a secret first; no query parameter', async () => {
    const test = testRuntime();
    const auth = authenticatorOf({ type: 'ApiKeyAuthenticator', api_token: '{{ config.api_key }}', inject_into: { inject_into: 'header', field_name: 'X-API-Key' } }, test);
    expect(test.secrets).toEqual([]);
    expect(await auth.headers({ config })).toEqual({ 'x-api-key': config.api_key });
    expect(await auth.queryParameters?.({ config })).toEqual({});
    expect(test.secrets).toEqual([config.api_key]);
  });

  it('puts the key in the named query parameter, registered as a secret first; no header', async () => {
    const test = testRuntime();
    const auth = authenticatorOf({ type: 'ApiKeyAuthenticator', api_token: 'k-{{ config.api_key }}', inject_into: { inject_into: 'request_parameter', field_name: 'api_key' } }, test);
    expect(await auth.headers({ config })).toEqual({});
    expect(test.secrets).toEqual([]);
    expect(await auth.queryParameters?.({ config })).toEqual({ api_key: `k-${config.api_key}` });
    expect(test.secrets).toEqual([`k-${config.api_key}`]);
  });

  it('an empty key sends nothing', async () => {
    const auth = authenticatorOf({ type: 'ApiKeyAuthenticator', api_token: '{{ config.missing }}', inject_into: { inject_into: 'request_parameter', field_name: 'api_key' } }, testRuntime());
    expect(await auth.queryParameters?.({ config })).toEqual({});
  });

  it('the format refuses a key injected into the JSON body, and a declaration without inject_into', () => {
    const body = thrown(() => compile(oneStreamManifest({ requester: { authenticator: { type: 'ApiKeyAuthenticator', api_token: 'x', inject_into: { inject_into: 'body_json', field_name: 'key' } } } })));
    expect(body.code).toBe('MANIFEST_INVALID');
    expect(body.message).toMatch(/authenticator\.inject_into\.inject_into/);
    expect(body.message).toMatch(/header.*request_parameter|request_parameter.*header/);
    const missing = thrown(() => compile(oneStreamManifest({ requester: { authenticator: { type: 'ApiKeyAuthenticator', api_token: 'x' } } })));
    expect(missing.message).toMatch(/inject_into/);
  });
});

describe('the requester sends an API key parameter with every request', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('added to the query as it is encoded, replacing one a next-page link repeats', async () => {
    server = await startServer(() => ({ body: { elements: [] } }));
    const test = testRuntime();
    const requester = requesterWith({ type: 'ApiKeyAuthenticator', api_token: 'a b&c', inject_into: { inject_into: 'request_parameter', field_name: 'api_key' } }, test);
    const context = { config: { base: server.url } };
    expect((await requester.prepare(context)).url).toBe(`${server.url}/items`);
    await requester.send(context);
    await requester.send(context, { url: `${server.url}/items?q=(a:b,c:d)&api_key=old&page=2` });
    expect(server.requests.map((request) => request.url)).toEqual(['/items?api_key=a%20b%26c', '/items?q=(a:b,c:d)&page=2&api_key=a%20b%26c']);
  });
});

describe('BasicHttpAuthenticator', () => {
  it('sends Basic base64(username:password), UTF-8; the password and the encoded pair are registered as secrets first', async () => {
    const test = testRuntime();
    const auth = authenticatorOf({ type: 'BasicHttpAuthenticator', username: '{{ config.username }}', password: '{{ config.password }}' }, test);
    const headers = await auth.headers({ config: { ...config, username: 'anaïs' } });
    const encoded = Buffer.from(`anaïs:${config.password}`, 'utf8').toString('base64');
    expect(headers).toEqual({ authorization: `Basic ${encoded}` });
    expect(test.secrets).toEqual([config.password, encoded]);
  });

  it('the password may be left out (an empty password): base64(username:)', async () => {
    const auth = authenticatorOf({ type: 'BasicHttpAuthenticator', username: '{{ config.api_key }}' }, testRuntime());
    expect(await auth.headers({ config })).toEqual({ authorization: `Basic ${Buffer.from(`${config.api_key}:`).toString('base64')}` });
  });
});

describe('OAuthAuthenticator grants', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const oauth = (extra: Manifest): Manifest => ({
    type: 'OAuthAuthenticator',
    token_refresh_endpoint: '{{ config.token_url }}',
    client_id: 'client-1',
    client_secret: '{{ config.client_secret }}',
    ...extra,
  });

  it('client_credentials: no refresh token, the scopes space-separated as scope, the extra fields (templates) after them', async () => {
    server = await startServer(() => ({ body: { access_token: 'cc-TOKEN-7e8f', expires_in: 3600 } }));
    const test = testRuntime();
    const auth = authenticatorOf(
      oauth({ grant_type: 'client_credentials', scopes: ['read', 'write:all'], refresh_request_body: { audience: 'https://{{ config.tenant }}.example', resource: 'r1' } }),
      test,
    );
    const headers = await auth.headers({ config: { token_url: `${server.url}/token`, client_secret: 'cs-SECRET-9a0b', tenant: 't1' } });
    expect(headers).toEqual({ authorization: 'Bearer cc-TOKEN-7e8f' });
    expect([...new URLSearchParams(server.requests[0].body)]).toEqual([
      ['grant_type', 'client_credentials'],
      ['client_id', 'client-1'],
      ['client_secret', 'cs-SECRET-9a0b'],
      ['scope', 'read write:all'],
      ['audience', 'https://t1.example'],
      ['resource', 'r1'],
    ]);
    expect(test.secrets).toEqual(['cs-SECRET-9a0b', 'cc-TOKEN-7e8f']);
  });

  it('refresh_token stays the default grant, and sends scope only when scopes are declared', async () => {
    server = await startServer(() => ({ body: { access_token: 'at-TOKEN-1234' } }));
    const context = { config: { token_url: `${server.url}/token`, client_secret: 'cs', refresh_token: 'rt-SECRET-5678' } };
    await authenticatorOf(oauth({ refresh_token: '{{ config.refresh_token }}' }), testRuntime()).headers(context);
    await authenticatorOf(oauth({ refresh_token: '{{ config.refresh_token }}', scopes: ['r_basic'] }), testRuntime()).headers(context);
    const forms = server.requests.map((request) => Object.fromEntries(new URLSearchParams(request.body)));
    expect(forms[0]).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-SECRET-5678', client_id: 'client-1', client_secret: 'cs' });
    expect(forms[1]).toEqual({ ...forms[0], scope: 'r_basic' });
  });

  it('the refresh_token grant without refresh_token, and extra fields replacing the grant\'s, are manifest errors naming where', () => {
    const missing = thrown(() => compile(oneStreamManifest({ requester: { authenticator: oauth({}) } })));
    expect(missing.code).toBe('MANIFEST_INVALID');
    expect(missing.message).toMatch(/streams\[0\]\.retriever\.requester\.authenticator .*needs refresh_token/);
    expect(missing.message).toMatch(/client_credentials/);
    const replacing = thrown(() => compile(oneStreamManifest({ requester: { authenticator: oauth({ grant_type: 'client_credentials', refresh_request_body: { grant_type: 'password' } }) } })));
    expect(replacing.code).toBe('MANIFEST_INVALID');
    expect(replacing.message).toMatch(/refresh_request_body\.grant_type .*would replace the "grant_type" field/);
  });
});
