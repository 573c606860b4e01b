// `validate` prints the requests a read would make. A header or query value built by a template from a secret (a
// basic-auth header, a signature) is masked like the secret itself, though its text contains no secret.
import { describe, expect, it } from '@jest/globals';
import { runInProcess, writeFiles, type Manifest } from '../../helpers/index.js';
import { accessConfig, genericManifest, writeGenericManifest } from '../generic-connector.js';

const TOKEN = 'validate-token-SECRET-4c2b';
const BASIC = Buffer.from(`admin:${TOKEN}`).toString('base64');

/** The generic manifest whose accounts requests carry values derived from the token, and one that is not. */
function manifest(): string {
  const value: Manifest = genericManifest();
  const accounts = value.streams.find((stream: Manifest) => stream.name === 'accounts');
  accounts.retriever.requester.request_headers = {
    'x-basic': "Basic {{ $base64encode('admin:' & config.credentials.access_token) }}",
    'x-account-list': '{{ config.account_ids }}',
  };
  accounts.retriever.requester.request_parameters = { sig: "{{ $uppercase(config.credentials.access_token) }}", plain: 'yes' };
  return writeGenericManifest(value);
}

describe('validate masks what is derived from secrets', () => {
  it('a header and a query value built from the token are ****; values from other fields are shown', async () => {
    const files = writeFiles({ 'config.json': accessConfig('http://127.0.0.1:9/api', {}, TOKEN) });
    const run = await runInProcess(['validate', '--manifest', manifest(), '--config', files['config.json'], '--streams', 'accounts', '--json'], {});
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout.trim()) as { requests: { url: string; headers: Record<string, string> }[] };
    const [request] = plan.requests;
    expect(request.headers['x-basic']).toBe('****');
    expect(request.headers['x-account-list']).toBe('acme, globex');
    expect(request.url).toBe('http://127.0.0.1:9/api/accounts?sig=****&plain=yes');
    for (const leak of [TOKEN, BASIC, BASIC.slice(0, 12), TOKEN.toUpperCase()]) expect(run.stdout + run.stderr).not.toContain(leak);
  });
});
