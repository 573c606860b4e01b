// The requests the connector's manifest plans (nothing is sent): Rest.li 2.0 parameters, headers, URNs in paths.
import { describe, it, expect } from '@jest/globals';
import { testRuntime } from '../../helpers/index.js';
import { compileConnector } from '../linkedin.js';

describe('requests of the real manifest', () => {
  it('a time-bound statistics request carries the Rest.li 2.0 time range and an encoded URN', async () => {
    const { runtime } = testRuntime();
    const connector = compileConnector(undefined, runtime);
    const stream = connector.streams.find((s) => s.name === 'follower_statistics_time_bound')!;
    const config = {
      org_id: '2414183',
      credentials: { auth_method: 'access_token', access_token: 'tok' },
      api_base_url: 'http://api.test/rest',
      api_version: '202610',
      time_granularity_type: 'DAY',
      lookback_days: 7,
    };
    const planned = [];
    for await (const request of stream.plan(config)) planned.push(request);
    // 12 months in one request: LinkedIn accepts ranges under 14 months.
    expect(planned).toHaveLength(1);
    const first = planned[0];
    const start = Date.UTC(2025, 10, 30);
    const end = Date.UTC(2026, 10, 27);
    expect(first.partition).toEqual({ organization_id: '2414183' });
    expect(first.slice).toEqual({ start_time: start, end_time: end });
    expect(first.request.url).toBe(
      'http://api.test/rest/organizationalEntityFollowerStatistics?q=organizationalEntity' +
        '&organizationalEntity=urn%3Ali%3Aorganization%3A2414183' +
        `&timeIntervals=(timeGranularityType:DAY,timeRange:(start:${start},end:${end}))`,
    );
    expect(first.request.headers).toEqual({ 'linkedin-version': '202610', 'x-restli-protocol-version': '2.0.0' });
  });

  it('a {{ }} value in the path is encoded as one segment', async () => {
    const { runtime } = testRuntime();
    const stream = compileConnector(undefined, runtime).streams.find((s) => s.name === 'total_follower_count')!;
    const planned = [];
    for await (const request of stream.plan({ org_id: '7', api_base_url: 'http://api.test/rest' })) planned.push(request);
    expect(planned.map((p) => p.request.url)).toEqual([
      'http://api.test/rest/networkSizes/urn:li:organization:7?edgeType=COMPANY_FOLLOWED_BY_MEMBER',
    ]);
  });
});
