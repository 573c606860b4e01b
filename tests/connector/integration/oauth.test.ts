import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { FakeClock, TEST_NOW, records, runInProcess, traces, writeFiles, type RunResult } from '../../helpers/index.js';
import { ALL_STREAMS, catalogFor, connectorManifest, streamNamed, writeConnectorManifest } from '../linkedin.js';
import { startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

// Recognisable secrets: none of them may ever show up in any output.
const CLIENT_ID = 'client-id-SECRET-1f4a';
const CLIENT_SECRET = 'client-secret-SECRET-9c2e';
const REFRESH_TOKEN = 'refresh-token-SECRET-77ab';
const ACCESS_TOKEN = 'access-token-SECRET-5d0c';

const oauthConfig = (sim: Simulator, credentials: Record<string, string> = {}) => ({
  org_id: '2414183',
  credentials: { auth_method: 'oAuth2.0', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token: REFRESH_TOKEN, ...credentials },
  api_base_url: sim.apiBaseUrl,
  oauth_token_url: sim.tokenUrl,
});

const tokenCalls = (sim: Simulator, from = 0) => sim.requests.slice(from).filter((r) => r.path.startsWith('/oauth'));

async function withSimulator(options: Parameters<typeof startSimulator>[0], run: (sim: Simulator, clock: FakeClock) => Promise<void>) {
  const clock = new FakeClock(TEST_NOW);
  const sim = await startSimulator({ now: () => clock.now(), ...options });
  try {
    await run(sim, clock);
  } finally {
    await sim.close();
  }
}

const oauthSim = (extra: Record<string, unknown> = {}) => ({
  accessTokens: [ACCESS_TOKEN],
  oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshTokens: [REFRESH_TOKEN], ...extra },
});

async function read(sim: Simulator, clock: FakeClock, config: object, streams = ALL_STREAMS): Promise<RunResult> {
  const files = writeFiles({ 'config.json': config, 'catalog.json': catalogFor(streams) });
  return runInProcess(['read', '--config', files['config.json'], '--catalog', files['catalog.json']], { clock });
}

async function check(sim: Simulator, clock: FakeClock, config: object): Promise<RunResult> {
  const files = writeFiles({ 'config.json': config });
  return runInProcess(['check', '--config', files['config.json']], { clock });
}

describe('OAuth 2.0 refresh-token authentication', () => {
  it('a full read of every stream refreshes exactly once, with the form-encoded refresh grant', async () => {
    await withSimulator(oauthSim(), async (sim, clock) => {
      const run = await read(sim, clock, oauthConfig(sim));
      expect(run.code).toBe(0);
      expect(records(run.messages).length).toBeGreaterThan(700);
      const calls = tokenCalls(sim);
      expect(calls).toHaveLength(1);
      expect(calls[0].headers['content-type']).toContain('application/x-www-form-urlencoded');
      expect(Object.fromEntries(new URLSearchParams(calls[0].body))).toEqual({
        grant_type: 'refresh_token',
        refresh_token: REFRESH_TOKEN,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      });
      expect(run.messages.filter((m) => m.type === 'CONTROL')).toHaveLength(0);
    });
  });

  it('completes when access tokens expire after a few calls: each refused token renewed once, the request retried', async () => {
    await withSimulator(oauthSim({ tokenCallLimit: 5 }), async (sim, clock) => {
      const run = await read(sim, clock, oauthConfig(sim));
      expect(run.code).toBe(0);
      const apiCalls = sim.requests.filter((r) => r.path.startsWith('/rest'));
      const refused = apiCalls.filter((r) => r.status === 401);
      expect(refused.length).toBeGreaterThan(0);
      // Every refused call was retried once with a fresh token, and the data is complete.
      expect(apiCalls.filter((r) => r.status === 200)).toHaveLength(apiCalls.length - refused.length);
      expect(records(run.messages, 'follower_statistics_time_bound')).toHaveLength(362);
      expect(tokenCalls(sim).length).toBeGreaterThan(1);
      // One refresh per expired token, not one per refused request.
      const tokensUsed = new Set(apiCalls.map((r) => r.headers.authorization));
      expect(tokenCalls(sim)).toHaveLength(tokensUsed.size);
    });
  });

  it('renews the access token before expires_in runs out, without waiting for a 401', async () => {
    await withSimulator(oauthSim({ expiresIn: 600 }), async (sim, clock) => {
      // A 429 asking for a 400 s wait moves the clock past the renewal point (600 s less the 300 s margin).
      sim.addFault({ kind: 'status', status: 429, headers: { 'Retry-After': '400' }, match: 'networkSizes' });
      const run = await read(sim, clock, oauthConfig(sim), ['organization_lookup', 'total_follower_count']);
      expect(run.code).toBe(0);
      expect(clock.sleeps).toEqual([400_000]);
      expect(tokenCalls(sim)).toHaveLength(2);
      expect(sim.requests.filter((r) => r.status === 401)).toHaveLength(0);
      const [beforeWait, afterWait] = [sim.requests[1], sim.requests.at(-1)!].map((r) => r.headers.authorization);
      expect(afterWait).not.toBe(beforeWait);
    });
  });

  it('hands a rotated refresh token back in a CONTROL message with the full updated config', async () => {
    await withSimulator(oauthSim({ rotate: true }), async (sim, clock) => {
      const config = oauthConfig(sim);
      const run = await read(sim, clock, config, ['organization_lookup', 'total_follower_count']);
      expect(run.code).toBe(0);
      const controls = run.messages.filter((m) => m.type === 'CONTROL');
      expect(controls).toHaveLength(1);
      const updated = controls[0].control.connectorConfig.config;
      expect(controls[0].control.type).toBe('CONNECTOR_CONFIG');
      expect(updated.credentials.refresh_token).not.toBe(REFRESH_TOKEN);
      expect(updated).toEqual({ ...config, credentials: { ...config.credentials, refresh_token: updated.credentials.refresh_token } });
      // The new token works for the next run; the old one no longer does.
      const next = await read(sim, clock, updated, ['organization_lookup']);
      expect(next.code).toBe(0);
      const stale = await check(sim, clock, config);
      expect(stale.messages[0].connectionStatus.status).toBe('FAILED');
    });
  });

  it.each([
    ['a wrong client secret', { client_secret: 'wrong-SECRET-0000' }, /client ID and client secret/],
    ['a revoked refresh token', { refresh_token: 'revoked-SECRET-1111' }, /invalid_grant[\s\S]*create a new one/],
  ])('%s: check FAILS with what to do (exit 0); read ends with a config error (exit 1)', async (_name, credentials, pattern) => {
    await withSimulator(oauthSim(), async (sim, clock) => {
      const checked = await check(sim, clock, oauthConfig(sim, credentials));
      expect(checked.code).toBe(0);
      expect(checked.messages).toHaveLength(1);
      expect(checked.messages[0].connectionStatus.status).toBe('FAILED');
      expect(checked.messages[0].connectionStatus.message).toMatch(pattern);
      const run = await read(sim, clock, oauthConfig(sim, credentials), ['organization_lookup']);
      expect(run.code).toBe(1);
      const [error] = traces(run.messages, 'ERROR');
      expect(error.error.failure_type).toBe('config_error');
      expect(error.error.message).toMatch(pattern);
    });
  });

  it('retries 5xx from the token endpoint', async () => {
    await withSimulator(oauthSim(), async (sim, clock) => {
      sim.addFault({ kind: 'status', status: 503, match: '/oauth', times: 2 });
      const run = await read(sim, clock, oauthConfig(sim), ['organization_lookup']);
      expect(run.code).toBe(0);
      expect(tokenCalls(sim)).toHaveLength(3);
      expect(clock.sleeps).toEqual([5000, 10000]);
    });
  });

  it('a token endpoint 5xx with Retry-After waits as long as it says', async () => {
    await withSimulator(oauthSim(), async (sim, clock) => {
      sim.addFault({ kind: 'status', status: 500, match: '/oauth', times: 2, headers: { 'Retry-After': '1' } });
      const run = await read(sim, clock, oauthConfig(sim), ['organization_lookup']);
      expect(run.code).toBe(0);
      expect(tokenCalls(sim)).toHaveLength(3);
      expect(clock.sleeps).toEqual([1000, 1000]);
    });
  });
});

describe('secrets never appear in any output', () => {
  const sims: Simulator[] = [];
  let sim: Simulator;
  const clock = new FakeClock(TEST_NOW);
  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), ...oauthSim() });
    sims.push(sim);
  });
  afterAll(async () => Promise.all(sims.map((s) => s.close())));
  beforeEach(() => sim.clearFaults());

  const outputs: { name: string; text: string }[] = [];
  // CONTROL messages are the one place a config travels, by design: they hand the rotated token to the platform.
  const capture = (name: string, run: RunResult) =>
    outputs.push({ name, text: `${run.stdout.split('\n').filter((line) => !line.startsWith('{"type":"CONTROL"')).join('\n')}\n${run.stderr}` });

  it('drives every failure path with recognisable secrets, and finds none of them in stdout or stderr', async () => {
    const accessConfig = { org_id: '2414183', credentials: { auth_method: 'access_token', access_token: ACCESS_TOKEN }, api_base_url: sim.apiBaseUrl };
    const oneStream = ['organization_lookup'];
    const faults: [string, object][] = [
      ['401', { kind: 'expired_token', times: Infinity }],
      ['403', { kind: 'status', status: 403, times: Infinity }],
      ['426', { kind: 'status', status: 426, times: Infinity }],
      ['429 after retries', { kind: 'status', status: 429, times: Infinity }],
      ['5xx after retries', { kind: 'status', status: 502, times: Infinity }],
      ['token endpoint 5xx after retries', { kind: 'status', status: 500, match: '/oauth', times: Infinity }],
    ];
    for (const [name, fault] of faults) {
      sim.clearFaults();
      sim.addFault(fault as { kind: 'status' });
      capture(`${name} (OAuth)`, await read(sim, clock, oauthConfig(sim), oneStream));
      capture(`${name} (access token)`, await read(sim, clock, accessConfig, oneStream));
      capture(`${name} (check)`, await check(sim, clock, oauthConfig(sim)));
    }
    sim.clearFaults();
    capture('token endpoint invalid_client', await read(sim, clock, oauthConfig(sim, { client_secret: `${CLIENT_SECRET}-x` }), oneStream));
    capture('token endpoint invalid_grant', await read(sim, clock, oauthConfig(sim, { refresh_token: `${REFRESH_TOKEN}-x` }), oneStream));
    const rotating = await startSimulator({ now: () => clock.now(), ...oauthSim({ rotate: true }) });
    sims.push(rotating);
    const rotation = await read(rotating, clock, oauthConfig(rotating), oneStream);
    expect(rotation.messages.filter((m) => m.type === 'CONTROL')).toHaveLength(1);
    capture('rotation', rotation);
    capture('invalid config', await check(sim, clock, { ...oauthConfig(sim), org_id: 12 }));
    capture('invalid config (read)', await read(sim, clock, { ...accessConfig, start_date: 'yesterday' }, oneStream));

    // A broken manifest and a transformation that crashes with a secret in its message.
    const manifest = connectorManifest();
    const crashing = structuredClone(manifest);
    streamNamed(crashing, 'total_follower_count').transformations.push({
      type: 'AddFields',
      fields: [{ path: ['crash'], value: "{{ $error('crash with ' & config.credentials.access_token & ' ' & config.credentials.client_secret) }}" }],
    });
    expect(crashing).not.toEqual(manifest);
    const broken = structuredClone(manifest);
    expect(broken.definitions.authenticator.authenticators.access_token.type).toBe('BearerAuthenticator');
    broken.definitions.authenticator.authenticators.access_token.type = 'BearerAuth';
    const files = writeFiles({
      'access.json': accessConfig,
      'oauth.json': oauthConfig(sim),
      'catalog.json': catalogFor(['total_follower_count']),
    });
    files['crash.yaml'] = writeConnectorManifest(join(files.dir, 'crash.yaml'), crashing);
    files['broken.yaml'] = writeConnectorManifest(join(files.dir, 'broken.yaml'), broken);
    for (const config of ['access.json', 'oauth.json']) {
      const crash = await runInProcess(['read', '--manifest', files['crash.yaml'], '--config', files[config], '--catalog', files['catalog.json']], { clock });
      expect(traces(crash.messages, 'ERROR')[0].error.message).toMatch(/crash with \s?\*{4}/);
      capture(`crash in a transformation (${config})`, crash);
      capture(`broken manifest (${config})`, await runInProcess(['check', '--manifest', files['broken.yaml'], '--config', files[config]], { clock }));
    }

    const issued = sim.requests
      .map((r) => String(r.headers.authorization ?? '').replace(/^Bearer /, ''))
      .filter((token) => token.length > 8);
    const secrets = [CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN, `${CLIENT_SECRET}-x`, `${REFRESH_TOKEN}-x`, ...new Set(issued)];
    expect(issued.length).toBeGreaterThan(0);
    expect(outputs.length).toBeGreaterThan(20);
    for (const { name, text } of outputs) {
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`the secret ${secret.slice(0, 6)}... appears in the output of "${name}"`);
      }
    }
  });
});
