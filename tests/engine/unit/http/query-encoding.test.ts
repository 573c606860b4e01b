import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { encodeQuery } from '../../../engine/http/query-encoding.js';
import { compile, REAL_MANIFEST_PATH, testRuntime } from '../support.js';

describe('form encoding', () => {
  it('percent-encodes keys and values', () => {
    expect(encodeQuery({ q: 'a b&c=d/é', 'odd key': 'x' }, 'form')).toBe('q=a%20b%26c%3Dd%2F%C3%A9&odd%20key=x');
  });

  it('writes numbers and booleans as text', () => {
    expect(encodeQuery({ start: 0, count: 100, exact: true }, 'form')).toBe('start=0&count=100&exact=true');
  });

  it('flattens objects into dotted keys', () => {
    expect(
      encodeQuery({ timeIntervals: { timeGranularityType: 'DAY', timeRange: { start: 1, end: 2 } } }, 'form'),
    ).toBe('timeIntervals.timeGranularityType=DAY&timeIntervals.timeRange.start=1&timeIntervals.timeRange.end=2');
  });

  it('repeats the key for each array item', () => {
    expect(encodeQuery({ ids: ['urn:li:organization:1', 'urn:li:organization:2'] }, 'form')).toBe(
      'ids=urn%3Ali%3Aorganization%3A1&ids=urn%3Ali%3Aorganization%3A2',
    );
  });

  it('omits null and undefined, at the top and inside objects and arrays', () => {
    expect(encodeQuery({ a: null, b: undefined, c: { d: null, e: 1 }, f: [null, 2] }, 'form')).toBe('c.e=1&f=2');
  });

  it('keeps empty strings', () => {
    expect(encodeQuery({ a: '' }, 'form')).toBe('a=');
  });

  it('nothing to send gives an empty string', () => {
    expect(encodeQuery({}, 'form')).toBe('');
  });
});

describe('restli2 encoding', () => {
  it('writes objects as (key:value,...) with the structure literal', () => {
    expect(
      encodeQuery({ timeIntervals: { timeRange: { start: 1, end: 2 }, timeGranularityType: 'DAY' } }, 'restli2'),
    ).toBe('timeIntervals=(timeRange:(start:1,end:2),timeGranularityType:DAY)');
  });

  it('encodes URN leaves', () => {
    expect(encodeQuery({ q: 'organizationalEntity', organizationalEntity: 'urn:li:organization:1' }, 'restli2')).toBe(
      'q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A1',
    );
  });

  it('writes arrays as List(...) with each item encoded', () => {
    expect(encodeQuery({ ids: ['urn:li:organization:1', 'urn:li:organization:2'] }, 'restli2')).toBe(
      'ids=List(urn%3Ali%3Aorganization%3A1,urn%3Ali%3Aorganization%3A2)',
    );
  });

  it('nests lists in objects and objects in lists', () => {
    expect(encodeQuery({ x: { ids: [1, 2], inner: [{ a: 'b' }] } }, 'restli2')).toBe('x=(ids:List(1,2),inner:List((a:b)))');
  });

  it("encodes Rest.li's reserved characters inside leaves: ( ) , : ' and spaces", () => {
    expect(encodeQuery({ q: "a(b)c,d:e'f g" }, 'restli2')).toBe('q=a%28b%29c%2Cd%3Ae%27f%20g');
    expect(encodeQuery({ q: { "k'ey": 'v!*' } }, 'restli2')).toBe('q=(k%27ey:v%21%2A)');
  });

  it('omits null fields of objects and null parameters', () => {
    expect(encodeQuery({ a: null, b: { c: null, d: 'x' } }, 'restli2')).toBe('b=(d:x)');
  });

  it('empty object and empty list', () => {
    expect(encodeQuery({ o: {}, l: [] }, 'restli2')).toBe('o=()&l=List()');
  });
});

describe('requests of the real manifest', () => {
  const manifest = readFileSync(REAL_MANIFEST_PATH, 'utf8');

  it('a time-bound statistics request carries the Rest.li 2.0 time range and an encoded URN', async () => {
    const { runtime } = testRuntime();
    const connector = compile(manifest, runtime);
    const stream = connector.streams.find((s) => s.name === 'follower_statistics_time_bound')!;
    const config = {
      org_id: '2414183',
      credentials: { auth_method: 'access_token', access_token: 'tok' },
      api_base_url: 'http://api.test/rest',
      api_version: '202610',
      time_granularity_type: 'DAY',
    };
    const planned = [];
    for await (const request of stream.plan(config)) planned.push(request);
    expect(planned).toHaveLength(13);
    const first = planned[0];
    const start = Date.UTC(2025, 10, 30);
    const end = Date.UTC(2025, 11, 30);
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
    const stream = compile(manifest, runtime).streams.find((s) => s.name === 'total_follower_count')!;
    const planned = [];
    for await (const request of stream.plan({ org_id: '7', api_base_url: 'http://api.test/rest' })) planned.push(request);
    expect(planned.map((p) => p.request.url)).toEqual([
      'http://api.test/rest/networkSizes/urn:li:organization:7?edgeType=COMPANY_FOLLOWED_BY_MEMBER',
    ]);
  });
});
