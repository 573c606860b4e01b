// The generic API itself: it serves what the engine tests expect of it, and refuses what a wrong manifest would send.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_TOKEN, expectedItems, expectedMetrics, expectedProjects, startGenericApi, type GenericApi } from './generic-api.js';

let api: GenericApi;
const NOW = Date.UTC(2026, 10, 29, 10);

beforeAll(async () => {
  api = await startGenericApi({
    now: () => NOW,
    items: 7,
    projects: { initech: 0 },
    oauth: { clientId: 'cid', clientSecret: 'csecret', refreshTokens: ['rt-1'], rotate: true, tokenCallLimit: 2 },
  });
});
afterAll(() => api.close());

async function get(path: string, token: string | null = DEFAULT_TOKEN) {
  const response = await fetch(`${api.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function refresh(refreshToken: string, clientSecret = 'csecret') {
  const response = await fetch(api.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'cid', client_secret: clientSecret, refresh_token: refreshToken }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('the generic API', () => {
  it('pages items by offset and limit, with the total', async () => {
    expect(await get('/api/items?offset=5&limit=5')).toEqual({ status: 200, body: { items: expectedItems(7).slice(5), total: 7 } });
  });

  it('pages items by page number, from 1', async () => {
    const { body } = await get('/api/items/pages?page=2&per_page=3');
    expect(body).toEqual({ items: expectedItems(7).slice(3, 6), page: 2, pages: 3 });
  });

  it('pages items by an opaque cursor, null after the last page', async () => {
    const first = await get('/api/items/feed?limit=4');
    expect(first.body.items).toEqual(expectedItems(4));
    const second = await get(`/api/items/feed?limit=4&cursor=${first.body.next_cursor}`);
    expect(second.body).toEqual({ items: expectedItems(7).slice(4), next_cursor: null });
    expect((await get('/api/items/feed?cursor=bogus')).status).toBe(400);
  });

  it('serves the projects of each account, and 404 for an unknown one', async () => {
    expect((await get('/api/accounts')).body.accounts.map((a: { id: string }) => a.id)).toEqual(['acme', 'globex', 'initech']);
    expect((await get('/api/accounts/acme/projects')).body.projects).toEqual(expectedProjects('acme', 2));
    expect((await get('/api/accounts/initech/projects')).body.projects).toEqual([]);
    expect((await get('/api/accounts/nope/projects')).status).toBe(404);
  });

  it('serves daily metrics for whole past days only, at most 31 a request', async () => {
    expect((await get('/api/accounts/acme/metrics?since=2026-11-01&until=2026-11-04')).body.metrics).toEqual(
      expectedMetrics('acme', '2026-11-01', '2026-11-04'),
    );
    expect(expectedMetrics('acme', '2026-11-01', '2026-11-04').map((m) => m.day)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    for (const query of ['since=2026-11-01', 'since=2026-11-01&until=2026-11-01', 'since=2026-09-01&until=2026-11-01', 'since=2026-11-28&until=2026-11-30', 'since=1.11.2026&until=2026-11-02']) {
      expect([query, (await get(`/api/accounts/acme/metrics?${query}`)).status]).toEqual([query, 400]);
    }
  });

  it('refuses unknown parameters, page sizes beyond its limit, and requests without a valid token', async () => {
    expect((await get('/api/items?start=0')).body.message).toContain('unknown parameter "start"');
    expect((await get('/api/items?limit=51')).status).toBe(400);
    expect((await get('/api/items', null)).status).toBe(401);
    expect((await get('/api/items', 'wrong')).body.error).toBe('invalid_token');
  });

  it('issues access tokens for a refresh token, rotating it, and lets each make a limited number of calls', async () => {
    expect((await refresh('rt-1', 'wrong')).body.error).toBe('invalid_client');
    const granted = await refresh('rt-1');
    expect(granted.status).toBe(200);
    expect(granted.body.refresh_token).not.toBe('rt-1');
    expect((await refresh('rt-1')).body.error).toBe('invalid_grant');
    const token = granted.body.access_token as string;
    expect(api.issuedTokens).toContain(token);
    expect((await get('/api/accounts', token)).status).toBe(200);
    expect((await get('/api/accounts', token)).status).toBe(200);
    expect(await get('/api/accounts', token)).toEqual({ status: 401, body: { error: 'token_expired', message: 'the access token has expired' } });
  });

  it('answers injected faults to matching requests only, as many times as asked', async () => {
    api.addFault({ match: '/accounts', status: 429, headers: { 'Retry-After': '3' }, times: 2 });
    expect((await get('/api/items')).status).toBe(200);
    expect((await get('/api/accounts')).status).toBe(429);
    expect((await get('/api/accounts')).status).toBe(429);
    expect((await get('/api/accounts')).status).toBe(200);
    api.addFault({ match: '/api/items', status: 400, echoAuthorization: true });
    expect(await get('/api/items')).toEqual({ status: 400, body: { error: 'fault', authorization: `Bearer ${DEFAULT_TOKEN}` } });
    api.addFault({ reset: true });
    await expect(get('/api/items')).rejects.toThrow();
    api.clearFaults();
  });
});
