// The /rest resources of the simulated LinkedIn Pages API. Pure request -> response logic (no sockets).
import * as errors from './errors.js';
import type { ApiError } from './errors.js';
import type { RecordedRequest } from './faults.js';
import {
  addUtcMonths,
  DAY_MS,
  expectedFollowerGains,
  expectedLifetimeFollowerStatistics,
  expectedLifetimeShareStatistics,
  expectedNetworkSize,
  expectedOrganization,
  expectedPosts,
  expectedShareStatistics,
} from './fixtures.js';
import type { TokenRegistry } from './oauth.js';
import { extractTimeIntervals, ParamInvalidError, splitRawQuery } from './restli.js';
import type { TimeIntervals } from './restli.js';
import { checkVersion } from './versions.js';

export interface ApiContext {
  now: () => number;
  organizations: Set<number>;
  /** token -> orgs it administers; undefined: every token administers every org. */
  tokenOrganizations?: Record<string, number[]>;
  tokens: TokenRegistry;
  facetSize: number;
  statisticsPageSize?: number;
  posts: number;
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown> | string;
  headers?: Record<string, string>;
}

interface Call {
  req: RecordedRequest;
  token: string;
  version: string;
  restli2: boolean;
}

const ORG_URN = /^urn:li:organization:(\d+)$/;

function header(req: RecordedRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Entry point for every request whose path starts with /rest. */
export function handleApi(ctx: ApiContext, req: RecordedRequest): ApiResponse {
  // 1. authentication
  const auth = header(req, 'authorization');
  const bearer = auth === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  if (!bearer) return errors.emptyToken();
  const tokenState = ctx.tokens.use(bearer);
  if (tokenState === 'invalid') return errors.invalidToken();
  if (tokenState === 'expired') return errors.expiredToken();

  // 2. version
  const version = checkVersion(req.headers['linkedin-version'], ctx.now());
  if (!version.ok) {
    if (version.reason === 'missing') return errors.missingVersion();
    if (version.reason === 'malformed') return errors.malformedVersion(String(header(req, 'linkedin-version')));
    return errors.nonexistentVersion(version.normalised!);
  }
  const restli2 = (header(req, 'x-restli-protocol-version') ?? '').trim() === '2.0.0';
  const call: Call = { req, token: bearer, version: version.normalised, restli2 };

  // 3. routing
  let segments: string[];
  try {
    segments = req.path
      .slice('/rest'.length)
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    return errors.notFound(`No resource found for path ${req.path}`);
  }
  const [resource, key, ...rest] = segments;
  const known = ['organizations', 'networkSizes', 'organizationalEntityFollowerStatistics', 'organizationalEntityShareStatistics', 'posts'];
  if (resource === undefined || !known.includes(resource) || rest.length > 0) {
    return errors.notFound(`No resource found for path ${req.path}`);
  }
  if (req.method !== 'GET') {
    return { status: 405, body: { status: 405, message: `Method ${req.method} is not allowed on ${resource}` } };
  }
  switch (resource) {
    case 'organizations':
      return key === undefined ? missingFinder(resource, call) : organization(ctx, call, key);
    case 'networkSizes':
      return key === undefined ? errors.notFound(`No resource found for path ${req.path}`) : networkSize(ctx, call, key);
    case 'organizationalEntityFollowerStatistics':
    case 'organizationalEntityShareStatistics':
      return key === undefined ? statistics(ctx, call, resource) : errors.notFound(`No resource found for path ${req.path}`);
    case 'posts':
      return key === undefined ? posts(ctx, call) : errors.notFound(`No resource found for path ${req.path}`);
  }
  return errors.notFound(`No resource found for path ${req.path}`);
}

function missingFinder(resource: string, call: Call): ApiResponse {
  const q = call.req.query['q'];
  return q === undefined
    ? errors.badParam('q', `Finder parameter 'q' is required for ${resource}`, 'MISSING_REQUIRED_FIELD')
    : errors.badParam('q', `Unsupported finder '${q}' for ${resource}`, 'INVALID_VALUE_FOR_FIELD');
}

/** Permission and existence of an organization for this call; returns an error or the org id. */
function authorize(ctx: ApiContext, call: Call, orgId: number, resource: string, method: string): ApiError | number {
  if (!ctx.organizations.has(orgId)) return errors.notFound(`Organization ${orgId} does not exist`);
  const admin = ctx.tokenOrganizations?.[call.token];
  if (ctx.tokenOrganizations !== undefined && !(admin ?? []).includes(orgId)) {
    return errors.accessDenied(resource, method, call.version);
  }
  return orgId;
}

function orgFromUrn(value: string | undefined, field: string): ApiError | number {
  if (value === undefined || value === '') {
    return errors.badParam(field, `Required parameter '${field}' is missing`, 'MISSING_REQUIRED_FIELD');
  }
  const m = ORG_URN.exec(value);
  if (!m) return errors.badParam(field, `'${value}' is not a valid organization URN`);
  return Number(m[1]);
}

function organization(ctx: ApiContext, call: Call, key: string): ApiResponse {
  if (!/^\d+$/.test(key)) {
    return errors.badParam('id', `Organization id must be a number, got '${key}'`);
  }
  const id = Number(key);
  const ok = authorize(ctx, call, id, 'organizations', 'GET');
  if (typeof ok !== 'number') return ok;
  return { status: 200, body: expectedOrganization(id) };
}

function networkSize(ctx: ApiContext, call: Call, key: string): ApiResponse {
  const org = orgFromUrn(key, 'id');
  if (typeof org !== 'number') return org;
  const edgeType = call.req.query['edgeType'];
  if (edgeType === undefined) {
    return errors.badParam('edgeType', "Required parameter 'edgeType' is missing", 'MISSING_REQUIRED_FIELD');
  }
  if (edgeType !== 'COMPANY_FOLLOWED_BY_MEMBER') {
    return errors.badParam('edgeType', `Unsupported edgeType '${edgeType}'; expected COMPANY_FOLLOWED_BY_MEMBER`);
  }
  const ok = authorize(ctx, call, org, 'networkSizes', 'GET');
  if (typeof ok !== 'number') return ok;
  return { status: 200, body: { firstDegreeSize: expectedNetworkSize(org) } };
}

function paging(call: Call): ApiError | { start: number; count?: number } {
  const out: { start: number; count?: number } = { start: 0 };
  for (const name of ['start', 'count'] as const) {
    const v = call.req.query[name];
    if (v === undefined) continue;
    if (!/^\d+$/.test(v)) return errors.badParam(name, `'${name}' must be a non-negative integer, got '${v}'`);
    out[name] = Number(v);
  }
  return out;
}

/** Same query, with start/count replaced; other parameters are kept exactly as they were sent. */
function nextHref(call: Call, start: number, count: number): string {
  const kept = splitRawQuery(call.req.rawQuery).filter(([n]) => n !== 'start' && n !== 'count');
  const parts = kept.map(([n, v]) => `${n}=${v}`);
  parts.push(`start=${start}`, `count=${count}`);
  return `${call.req.path}?${parts.join('&')}`;
}

function statistics(ctx: ApiContext, call: Call, resource: string): ApiResponse {
  const q = call.req.query['q'];
  if (q !== 'organizationalEntity') return missingFinder(resource, call);
  const org = orgFromUrn(call.req.query['organizationalEntity'], 'organizationalEntity');
  if (typeof org !== 'number') return org;
  const page = paging(call);
  if ('status' in page) return page;
  const ok = authorize(ctx, call, org, resource, `FINDER-${q}`);
  if (typeof ok !== 'number') return ok;

  let interval: TimeIntervals | undefined;
  try {
    interval = extractTimeIntervals(call.req.rawQuery, call.restli2);
  } catch (e) {
    if (e instanceof ParamInvalidError) return errors.paramInvalid(e.inputErrors);
    throw e;
  }
  const followers = resource === 'organizationalEntityFollowerStatistics';
  let elements: Array<Record<string, unknown>>;
  if (interval === undefined) {
    elements = followers
      ? [expectedLifetimeFollowerStatistics(org, ctx.facetSize)]
      : [expectedLifetimeShareStatistics(org, ctx.now())];
  } else {
    const checked = validateInterval(interval);
    if ('status' in checked) return checked;
    const generate = followers ? expectedFollowerGains : expectedShareStatistics;
    elements = generate(org, checked.start, checked.end, checked.granularity, ctx.now()) as unknown as Array<
      Record<string, unknown>
    >;
  }

  if (ctx.statisticsPageSize === undefined) {
    // LinkedIn's statistics finders answer everything at once and echo the paging parameters.
    return {
      status: 200,
      body: { paging: { start: page.start, count: page.count ?? 10, links: [] }, elements },
    };
  }
  const count = Math.min(page.count ?? ctx.statisticsPageSize, ctx.statisticsPageSize);
  const slice = elements.slice(page.start, page.start + count);
  const links =
    count > 0 && page.start + count < elements.length
      ? [{ rel: 'next', href: nextHref(call, page.start + count, count), type: 'application/json' }]
      : [];
  return {
    status: 200,
    body: { paging: { start: page.start, count, total: elements.length, links }, elements: slice },
  };
}

function isFirstOfMonth(ms: number): boolean {
  const d = new Date(ms);
  return d.getUTCDate() === 1 && ms % DAY_MS === 0;
}

function validateInterval(i: TimeIntervals): ApiError | { start: number; end: number; granularity: 'DAY' | 'MONTH' } {
  if (i.granularity === undefined) return errors.invalidTimeIntervals('timeGranularityType is required');
  if (i.granularity !== 'DAY' && i.granularity !== 'MONTH') {
    return errors.invalidTimeIntervals(`unsupported timeGranularityType '${i.granularity}' (DAY or MONTH)`);
  }
  if (i.start === undefined) return errors.invalidTimeIntervals('timeRange.start is required');
  if (i.end === undefined) return errors.invalidTimeIntervals('timeRange.end is required');
  const { start, end } = i;
  if (end <= start) return errors.invalidTimeIntervals(`timeRange.end (${end}) must be after timeRange.start (${start})`);
  if (i.granularity === 'DAY') {
    if (start % DAY_MS !== 0 || end % DAY_MS !== 0) {
      return errors.invalidTimeIntervals('DAY granularity requires timeRange.start and timeRange.end at UTC midnight');
    }
    if (end - start < DAY_MS) return errors.invalidTimeIntervals('DAY granularity requires at least one whole day');
  } else {
    if (!isFirstOfMonth(start) || !isFirstOfMonth(end)) {
      return errors.invalidTimeIntervals(
        'MONTH granularity requires timeRange.start and timeRange.end on the first day of a month at UTC midnight',
      );
    }
    if (end < addUtcMonths(start, 1)) return errors.invalidTimeIntervals('MONTH granularity requires at least one whole month');
  }
  if (end >= addUtcMonths(start, 14)) {
    return errors.invalidTimeIntervals('timeRange.start and timeRange.end must be less than 14 months apart');
  }
  return { start, end, granularity: i.granularity };
}

function posts(ctx: ApiContext, call: Call): ApiResponse {
  const q = call.req.query['q'];
  if (q !== 'author') return missingFinder('posts', call);
  const org = orgFromUrn(call.req.query['author'], 'author');
  if (typeof org !== 'number') return org;
  const page = paging(call);
  if ('status' in page) return page;
  const count = page.count ?? 10;
  if (count > 100) return errors.badParam('count', `'count' must be at most 100, got ${count}`);
  const ok = authorize(ctx, call, org, 'posts', `FINDER-${q}`);
  if (typeof ok !== 'number') return ok;
  const all = expectedPosts(org, ctx.posts, ctx.now());
  const elements = all.slice(page.start, page.start + count);
  const links =
    count > 0 && page.start + count < all.length
      ? [
          {
            rel: 'next',
            href: `/rest/posts?q=author&author=${encodeURIComponent(`urn:li:organization:${org}`)}&start=${page.start + count}&count=${count}`,
            type: 'application/json',
          },
        ]
      : [];
  return { status: 200, body: { paging: { start: page.start, count, total: all.length, links }, elements } };
}
