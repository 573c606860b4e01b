// The /rest resources of the simulated LinkedIn Pages API. Pure request -> response logic (no sockets).
import { authorize, isError, missingFinder, orgFromUrn, paging, restatement, statisticsAnswer, timeInterval } from './api-common.js';
import type { ApiContext, ApiResponse, Call } from './api-common.js';
import { organizationAcls, pageStatistics } from './api-pages.js';
import { posts, postShareStatistics, socialMetadata, videoAnalytics } from './api-posts.js';
import { standardizedData, STANDARDIZED_RESOURCES, type StandardizedResource } from './api-standardized.js';
import * as errors from './errors.js';
import type { RecordedRequest } from './faults.js';
import {
  expectedFollowerGains,
  expectedLifetimeFollowerStatistics,
  expectedLifetimeShareStatistics,
  expectedNetworkSize,
  expectedOrganization,
  expectedShareStatistics,
} from './fixtures.js';
import { checkVersion } from './versions.js';

export type { ApiContext, ApiResponse, SimulatorSwitches } from './api-common.js';

/** The resources the simulator serves: the first path segment after /rest. */
export const RESOURCES = [
  'organizations',
  'networkSizes',
  'organizationalEntityFollowerStatistics',
  'organizationalEntityShareStatistics',
  'posts',
  'socialMetadata',
  'videoAnalytics',
  'organizationPageStatistics',
  'organizationAcls',
  ...STANDARDIZED_RESOURCES,
] as const;

/** The endpoint a request counts against: its resource under /rest, 'oauth' for the token endpoint, else 'other'. */
export function endpointOf(path: string): string {
  if (path.startsWith('/oauth/')) return 'oauth';
  const m = /^\/rest\/([^/?]+)/.exec(path);
  return m !== null && (RESOURCES as readonly string[]).includes(m[1]) ? m[1] : 'other';
}

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
  if (resource === undefined || !(RESOURCES as readonly string[]).includes(resource) || rest.length > 0) {
    return errors.notFound(`No resource found for path ${req.path}`);
  }
  if (req.method !== 'GET') {
    return { status: 405, body: { status: 405, message: `Method ${req.method} is not allowed on ${resource}` } };
  }
  if (resource === 'organizations') return key === undefined ? missingFinder(resource, call) : organization(ctx, call, key);
  if (resource === 'networkSizes') return key === undefined ? errors.notFound(`No resource found for path ${req.path}`) : networkSize(ctx, call, key);
  if ((STANDARDIZED_RESOURCES as readonly string[]).includes(resource)) return standardizedData(ctx, call, resource as StandardizedResource, key);
  if (key !== undefined) return errors.notFound(`No resource found for path ${req.path}`);
  switch (resource) {
    case 'organizationalEntityFollowerStatistics':
    case 'organizationalEntityShareStatistics':
      return statistics(ctx, call, resource);
    case 'posts':
      return posts(ctx, call);
    case 'socialMetadata':
      return socialMetadata(ctx, call);
    case 'videoAnalytics':
      return videoAnalytics(ctx, call);
    case 'organizationPageStatistics':
      return pageStatistics(ctx, call);
    case 'organizationAcls':
      return organizationAcls(ctx, call);
  }
  return errors.notFound(`No resource found for path ${req.path}`);
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
  // Since 2026 /rest rejects the camel-case CompanyFollowedByMember too.
  if (edgeType !== 'COMPANY_FOLLOWED_BY_MEMBER') {
    return errors.badParam('edgeType', `Unsupported edgeType '${edgeType}'; expected COMPANY_FOLLOWED_BY_MEMBER`);
  }
  const ok = authorize(ctx, call, org, 'networkSizes', 'GET');
  if (typeof ok !== 'number') return ok;
  return { status: 200, body: { firstDegreeSize: expectedNetworkSize(org) } };
}

/** Whether a share statistics request asks for posts (shares / ugcPosts, in any syntax) rather than the organization. */
function asksForPosts(call: Call): boolean {
  return Object.keys(call.req.query).some((n) => /^(shares|ugcPosts)(\[|$)/.test(n));
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
  const followers = resource === 'organizationalEntityFollowerStatistics';
  if (!followers && asksForPosts(call)) return postShareStatistics(ctx, call, org, page);

  const interval = timeInterval(call);
  if (isError(interval)) return interval;
  const revised = restatement(ctx);
  let elements: unknown[];
  if (interval === undefined) {
    elements = followers ? [expectedLifetimeFollowerStatistics(org, ctx.facetSize)] : [expectedLifetimeShareStatistics(org, ctx.now(), revised)];
  } else {
    const generate = followers ? expectedFollowerGains : expectedShareStatistics;
    elements = generate(org, interval.start, interval.end, interval.granularity, ctx.now(), revised);
  }
  return statisticsAnswer(ctx, call, page, elements);
}
