// The simulator's standardized data over HTTP: batch gets (ids=List(...), Rest.li 2.0 only, literal structure),
// single gets, unknown ids answered as LinkedIn does, the geo batch 429 switch, and a name for every id the lifetime
// follower and page statistics fixtures use.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { expectedLifetimeFollowerStatistics, expectedLifetimePageStatistics, startSimulator } from './linkedin-simulator.js';
import type { Simulator } from './linkedin-simulator.js';
import { standardizedName } from './api-standardized.js';

const NOW = Date.UTC(2026, 10, 29, 10, 0);
const ORGS = [2414183, 1035];
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ now: () => NOW, organizations: ORGS });
});
afterAll(() => sim.close());

async function get(path: string, restli2 = true): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { Authorization: 'Bearer sim-access-token', 'Linkedin-Version': '202610' };
  if (restli2) headers['X-Restli-Protocol-Version'] = '2.0.0';
  const res = await fetch(`${sim.apiBaseUrl}${path}`, { headers });
  return { status: res.status, json: await res.json() };
}

describe('standardized data', () => {
  it('geo batch get: results, statuses and errors keyed by id; unknown ids 404 under errors', async () => {
    const reply = await get('/geo?ids=List(103644278,101000007,5)');
    expect(reply.status).toBe(200);
    expect(reply.json.results['103644278']).toEqual({ id: 103644278, defaultLocalizedName: { locale: { language: 'en', country: 'US' }, value: 'United States' } });
    expect(reply.json.results['101000007'].defaultLocalizedName.value).toEqual(expect.any(String));
    expect(reply.json.results['5']).toBeUndefined();
    expect(reply.json.statuses).toEqual({ '103644278': 200, '101000007': 200, '5': 404 });
    expect(reply.json.errors['5'].status).toBe(404);
  });

  it('single gets name one id; an unknown one is 404', async () => {
    expect((await get('/geo/103644278')).json.defaultLocalizedName.value).toBe('United States');
    expect((await get('/geo/5')).status).toBe(404);
    expect((await get('/seniorities/3')).json).toEqual({ id: 3, name: { localized: { en_US: 'Entry' } }, $URN: 'urn:li:seniority:3' });
    expect((await get('/functions/99')).status).toBe(404);
  });

  it('industries, functions and seniorities batch gets answer the entries found as elements', async () => {
    const reply = await get('/functions?ids=List(1,26,27)');
    expect(reply.status).toBe(200);
    expect(reply.json.elements.map((e: any) => [e.id, e.name.localized.en_US])).toEqual([
      [1, 'Accounting'],
      [26, 'Customer Success and Support'],
    ]);
    expect((await get('/industries?ids=List(4)')).json.elements).toHaveLength(1);
  });

  it('is strict about the list: Rest.li 2.0 header, literal List( ), numbers, at most 150 ids', async () => {
    expect((await get('/geo?ids=List(1)', false)).status).toBe(400);
    expect((await get('/geo?ids=List%281%29')).status).toBe(400);
    expect((await get('/geo?ids[0]=1')).status).toBe(403);
    expect((await get('/industries?ids=List(urn%3Ali%3Aindustry%3A4)')).status).toBe(400);
    expect((await get('/industries')).status).toBe(400);
    const many = Array.from({ length: 151 }, (_, i) => 101000000 + i).join(',');
    expect((await get(`/geo?ids=List(${many})`)).status).toBe(400);
  });

  it('switch geoBatchRateLimited: the geo batch answers 429 while single gets and other batches still work', async () => {
    sim.switches.geoBatchRateLimited = true;
    try {
      const reply = await get('/geo?ids=List(103644278)');
      expect(reply.status).toBe(429);
      expect(reply.json.code).toBe('TOO_MANY_REQUESTS');
      expect((await get('/geo/103644278')).status).toBe(200);
      expect((await get('/seniorities?ids=List(1)')).status).toBe(200);
    } finally {
      sim.switches.geoBatchRateLimited = false;
    }
    expect(sim.requestCounts()['geo']).toBeGreaterThan(0);
  });

  it('names every id the lifetime follower and page statistics fixtures use, at the largest facet size', () => {
    const resources: Record<string, 'geo' | 'industries' | 'functions' | 'seniorities'> = { geo: 'geo', industry: 'industries', function: 'functions', seniority: 'seniorities' };
    const unnamed: string[] = [];
    let checked = 0;
    for (const org of ORGS) {
      for (const facetSize of [5, 100]) {
        const elements = [expectedLifetimeFollowerStatistics(org, facetSize), expectedLifetimePageStatistics(org, NOW, facetSize)] as Record<string, unknown>[];
        for (const element of elements) {
          for (const list of Object.values(element).filter(Array.isArray) as Record<string, unknown>[][]) {
            for (const item of list) {
              for (const value of Object.values(item)) {
                const urn = typeof value === 'string' ? /^urn:li:(geo|industry|function|seniority):(\d+)$/.exec(value) : null;
                if (!urn) continue;
                checked += 1;
                if (standardizedName(resources[urn[1]], Number(urn[2])) === undefined) unnamed.push(value as string);
              }
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(unnamed).toEqual([]);
  });
});
