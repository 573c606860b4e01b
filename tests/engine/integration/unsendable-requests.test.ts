// Requests the config makes unsendable (a URL that is not http(s), a header value with a line break or a character
// outside Latin-1) are config errors naming where the manifest declares them, found by check, never sent.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeClock, runInProcess, TEST_NOW, writeFiles } from '../../helpers/index.js';
import { startGenericApi, type GenericApi } from '../generic-api.js';
import { accessConfig, writeGenericManifest } from '../generic-connector.js';

const clock = new FakeClock(TEST_NOW);
let api: GenericApi;
let manifest: string;
beforeAll(async () => {
  api = await startGenericApi({ now: () => clock.now() });
  manifest = writeGenericManifest();
});
afterAll(() => api.close());

async function check(config: Record<string, unknown>) {
  const files = writeFiles({ 'config.json': config });
  const before = api.requests.length;
  const run = await runInProcess(['check', '--manifest', manifest, '--config', files['config.json']], { clock });
  const [status] = run.messages.filter((m) => m.type === 'CONNECTION_STATUS');
  return { status: status.connectionStatus as { status: string; message: string }, requests: api.requests.length - before, clockSleeps: clock.sleeps.length };
}

describe('unsendable requests', () => {
  it.each([
    ['ftp://', 'ftp://127.0.0.1/api', /uses ftp:, not http or https.*url_base \(.*:\d+:\d+\)/],
    ['not a URL', 'not a url', /is not a URL.*url_base \(.*:\d+:\d+\)/],
  ])('a base URL %s: check FAILS naming url_base and its manifest location, nothing sent, no retry', async (_name, base, pattern) => {
    const sleeps = clock.sleeps.length;
    const result = await check(accessConfig(base));
    expect(result.status.status).toBe('FAILED');
    expect(result.status.message).toMatch(pattern);
    expect(result.requests).toBe(0);
    expect(clock.sleeps.length).toBe(sleeps);
  });

  it.each([
    ['a CR/LF', 'token\r\nX-Injected: yes'],
    ['a character outside Latin-1', 'tökén-€'],
  ])('an access token with %s: check FAILS naming the header, nothing sent, no retry', async (_name, token) => {
    const sleeps = clock.sleeps.length;
    const result = await check(accessConfig(api.apiUrl, {}, token));
    expect(result.status.status).toBe('FAILED');
    expect(result.status.message).toMatch(/"authorization" header would carry a line break or a character HTTP headers cannot/);
    expect(result.status.message).not.toContain('token');
    expect(result.requests).toBe(0);
    expect(clock.sleeps.length).toBe(sleeps);
  });
});
