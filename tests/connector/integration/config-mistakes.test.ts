// Config values that cannot work (a URL that is not one, a token no HTTP header can carry, an org_id of megabytes,
// a token URL at the wrong path): check and validate report a config error naming the field, in a short message,
// before any request (or, for the wrong path, at the token endpoint's first answer).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeClock, runInProcess, TEST_NOW, traces, writeFiles } from '../../helpers/index.js';
import { accessTokenConfig } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const clock = new FakeClock(TEST_NOW);
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ now: () => clock.now(), organizations: [2414183] });
});
afterAll(() => sim.close());

const token = (access_token: string) => ({ credentials: { auth_method: 'access_token', access_token } });

async function check(config: Record<string, unknown>) {
  const files = writeFiles({ 'config.json': config });
  const before = sim.requests.length;
  const run = await runInProcess(['check', '--config', files['config.json']], { clock });
  const validated = await runInProcess(['validate', '--config', files['config.json']], { clock });
  return { run, validated, requests: sim.requests.length - before };
}

describe('config mistakes are config errors naming the field', () => {
  it.each([
    ['api_base_url', 'not a URL', { api_base_url: 'not a url' }],
    ['api_base_url', 'empty', { api_base_url: '' }],
    ['api_base_url', 'ftp://', { api_base_url: 'ftp://example.com/rest' }],
    ['oauth_token_url', 'not a URL', { oauth_token_url: 'linkedin token' }],
    ['oauth_token_url', 'ftp://', { oauth_token_url: 'ftp://example.com/token' }],
    ['credentials.access_token', 'with CR/LF', token('abc\r\nX-Injected: 1')],
    ['credentials.access_token', 'with non-Latin-1 characters', token('tökén-€')],
    ['org_id', '2 MB long', { org_id: '1'.repeat(2_000_000) }],
  ])('%s %s: check FAILED and validate refuse it, no request, a short message', async (field, _what, extra) => {
    const { run, validated, requests } = await check(accessTokenConfig(sim.apiBaseUrl, extra));
    const [status] = run.messages.filter((m) => m.type === 'CONNECTION_STATUS');
    const message = status?.connectionStatus.message ?? traces(run.messages, 'ERROR')[0]?.error.message;
    expect(message).toContain(`"${field}"`);
    expect(message.length).toBeLessThan(400);
    expect(run.stdout.length).toBeLessThan(2000);
    expect(validated.code).toBe(1);
    expect(validated.stderr).toContain(`"${field}"`);
    expect(validated.stderr.length).toBeLessThan(400);
    expect(requests).toBe(0);
  });

  it('oauth_token_url at a wrong path: check FAILS naming oauth_token_url, as a config error, without retries', async () => {
    const config = {
      org_id: '2414183',
      credentials: { auth_method: 'oAuth2.0', client_id: 'cid', client_secret: 'csecret', refresh_token: 'rt' },
      api_base_url: sim.apiBaseUrl,
      oauth_token_url: `${sim.tokenUrl}/wrong`,
    };
    const files = writeFiles({ 'config.json': config });
    const before = sim.requests.length;
    const run = await runInProcess(['check', '--config', files['config.json']], { clock });
    const [status] = run.messages.filter((m) => m.type === 'CONNECTION_STATUS');
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(status.connectionStatus.message).toMatch(/oauth_token_url is not LinkedIn's token endpoint/);
    expect(sim.requests.length - before).toBe(1);
  });
});
