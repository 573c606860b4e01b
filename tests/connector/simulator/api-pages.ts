// /rest resources about pages: page statistics and the roles a token holds on pages.
import { authorize, checkRestliMethod, isError, missingFinder, nextLink, orgFromUrn, paging, restatement, statisticsAnswer, timeInterval } from './api-common.js';
import type { ApiContext, ApiResponse, Call } from './api-common.js';
import * as errors from './errors.js';
import { ACL_ROLES, ACL_STATES, expectedAcls, expectedLifetimePageStatistics, expectedPageStatistics } from './page-fixtures.js';

export function pageStatistics(ctx: ApiContext, call: Call): ApiResponse {
  const method = checkRestliMethod(call, 'FINDER');
  if (method) return method;
  const q = call.req.query['q'];
  if (q === 'organizationalEntity') {
    return errors.badParam('q', "Unsupported finder 'organizationalEntity' for organizationPageStatistics; the finder is q=organization", 'INVALID_VALUE_FOR_FIELD');
  }
  if (q !== 'organization') return missingFinder('organizationPageStatistics', call);
  const org = orgFromUrn(call.req.query['organization'], 'organization');
  if (typeof org !== 'number') return org;
  const page = paging(call);
  if ('status' in page) return page;
  const ok = authorize(ctx, call, org, 'organizationPageStatistics', 'FINDER-organization');
  if (typeof ok !== 'number') return ok;
  const interval = timeInterval(call);
  if (isError(interval)) return interval;
  const revised = restatement(ctx);
  const elements =
    interval === undefined
      ? [expectedLifetimePageStatistics(org, ctx.now(), ctx.facetSize, revised)]
      : expectedPageStatistics(org, interval.start, interval.end, interval.granularity, ctx.now(), revised);
  return statisticsAnswer(ctx, call, page, elements);
}

export function organizationAcls(ctx: ApiContext, call: Call): ApiResponse {
  const method = checkRestliMethod(call, 'FINDER');
  if (method) return method;
  const query = call.req.query;
  if (query['q'] !== 'roleAssignee') return missingFinder('organizationAcls', call);
  const role = query['role'];
  if (role !== undefined && !(ACL_ROLES as readonly string[]).includes(role)) {
    return errors.badParam('role', `Unsupported role '${role}'; expected one of ${ACL_ROLES.join(', ')}`);
  }
  const state = query['state'];
  if (state !== undefined && !(ACL_STATES as readonly string[]).includes(state)) {
    return errors.badParam('state', `Unsupported state '${state}'; expected one of ${ACL_STATES.join(', ')}`);
  }
  const page = paging(call);
  if ('status' in page) return page;
  const count = page.count ?? 10;
  const all = expectedAcls(call.token, ctx.aclsOf(call.token), { role, state });
  const elements = all.slice(page.start, page.start + count);
  const links = count > 0 && page.start + count < all.length ? [nextLink(call, page.start + count, count)] : [];
  return { status: 200, body: { paging: { start: page.start, count, total: all.length, links }, elements } };
}
