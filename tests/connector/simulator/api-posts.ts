// /rest resources about posts: the posts finder, per-post share statistics, social metadata and video analytics.
import { authorize, checkRestliMethod, isError, missingFinder, nextLink, orgFromUrn, paging, parsed, statisticsAnswer } from './api-common.js';
import type { ApiContext, ApiResponse, Call } from './api-common.js';
import * as errors from './errors.js';
import type { ApiError } from './errors.js';
import { DAY_MS, organizationUrn } from './fixtures.js';
import {
  editedPost,
  expectedSocialMetadata,
  expectedVideoAnalytics,
  isVideoPost,
  parsePostUrn,
  postShareStatisticsElement,
  sortPosts,
  VIDEO_METRICS,
} from './post-fixtures.js';
import type { Post, PostsSort, VideoMetric } from './post-fixtures.js';
import { extractList, extractTimeRange } from './restli.js';

const POST_URN = /^urn:li:(share|ugcPost):\d+$/;

/** The org's posts as they are now (edits applied, deletions removed), newest first by `sortBy`. */
export function currentPosts(ctx: ApiContext, orgId: number, sortBy: PostsSort = 'LAST_MODIFIED'): Post[] {
  return sortPosts(ctx.postsOf(orgId), sortBy, { edited: ctx.edited, deleted: ctx.deleted });
}

/** The post a URN names as it is now, or undefined (unknown, deleted, or of an org that does not exist). */
export function findPost(ctx: ApiContext, urn: string): Post | undefined {
  const key = parsePostUrn(urn);
  if (key === undefined || !ctx.organizations.has(key.orgId) || ctx.deleted.has(urn)) return undefined;
  const post = ctx.postsOf(key.orgId)[key.index] as Post | undefined;
  if (post?.id !== urn) return undefined;
  const at = ctx.edited.get(urn);
  return at === undefined ? post : editedPost(post, at);
}

export function posts(ctx: ApiContext, call: Call): ApiResponse {
  const method = checkRestliMethod(call, 'FINDER');
  if (method) return method;
  const query = call.req.query;
  if (query['q'] !== 'author') return missingFinder('posts', call);
  if (query['isDsc'] !== undefined) return errors.badParam('isDsc', "Parameter 'isDsc' is deprecated and no longer supported", 'UNSUPPORTED_PARAMETER');
  const org = orgFromUrn(query['author'], 'author');
  if (typeof org !== 'number') return org;
  const sortBy = query['sortBy'] ?? 'LAST_MODIFIED';
  if (sortBy !== 'LAST_MODIFIED' && sortBy !== 'CREATED') return errors.badParam('sortBy', `Unsupported sortBy '${sortBy}'; expected LAST_MODIFIED or CREATED`);
  const viewContext = query['viewContext'];
  if (viewContext !== undefined && viewContext !== 'AUTHOR' && viewContext !== 'READER') {
    return errors.badParam('viewContext', `Unsupported viewContext '${viewContext}'; expected AUTHOR or READER`);
  }
  const page = paging(call);
  if ('status' in page) return page;
  const count = Math.min(page.count ?? 10, 100);
  const ok = authorize(ctx, call, org, 'posts', 'FINDER-author');
  if (typeof ok !== 'number') return ok;

  const all = currentPosts(ctx, org, sortBy);
  const short = ctx.switches.shortPostPages && page.start + count < all.length;
  const size = short ? Math.max(1, Math.floor((count * 2) / 3)) : count;
  const overlap = page.start > 0 ? Math.max(0, Math.min(ctx.switches.overlappingPostPages, size - 1)) : 0;
  const from = Math.max(0, page.start - overlap);
  const elements = all.slice(from, from + size);
  const end = from + elements.length;
  const links = count > 0 && end < all.length ? [nextLink(call, end, count)] : [];
  return { status: 200, body: { paging: { start: page.start, count, total: all.length, links }, elements } };
}

/** organizationalEntityShareStatistics with shares=List(...) and/or ugcPosts=List(...): lifetime figures per post. */
export function postShareStatistics(ctx: ApiContext, call: Call, org: number, page: { start: number; count?: number }): ApiResponse {
  const lists: Array<['share' | 'ugcPost', string[]]> = [];
  for (const [name, type] of [['shares', 'share'], ['ugcPosts', 'ugcPost']] as const) {
    const list = parsed(() => extractList(call.req.rawQuery, name, call.restli2));
    if (isError(list)) return list;
    if (list === undefined) continue;
    const bad = list.find((urn) => !POST_URN.test(urn));
    if (bad !== undefined) return errors.badParam(name, `'${bad}' is not a share or ugcPost URN`);
    lists.push([type, list]);
  }
  if (Object.keys(call.req.query).some((n) => n.startsWith('timeIntervals'))) {
    return errors.badParam('timeIntervals', 'timeIntervals together with shares or ugcPosts is not supported by this simulator', 'UNSUPPORTED_PARAMETER');
  }
  const total = lists.reduce((n, [, list]) => n + list.length, 0);
  if (total > ctx.shareStatisticsBatchLimit) {
    return errors.badParam(lists[0][0] === 'share' ? 'shares' : 'ugcPosts', `At most ${ctx.shareStatisticsBatchLimit} posts per request, got ${total}`);
  }
  const seen = new Set<string>();
  const elements: unknown[] = [];
  for (const [type, list] of lists) {
    for (const urn of list) {
      // The URN type picks the parameter: a ugcPost under shares (or a share under ugcPosts) answers nothing.
      if (seen.has(urn) || !urn.startsWith(`urn:li:${type}:`)) continue;
      seen.add(urn);
      const post = findPost(ctx, urn);
      if (post?.author !== organizationUrn(org)) continue;
      const element = postShareStatisticsElement(post, ctx.now());
      if (element !== undefined) elements.push(element);
    }
  }
  return statisticsAnswer(ctx, call, page, elements);
}

export function socialMetadata(ctx: ApiContext, call: Call): ApiResponse {
  const method = checkRestliMethod(call, 'BATCH_GET');
  if (method) return method;
  if (ctx.switches.socialMetadataForbidden) return errors.accessDenied('socialMetadata', 'BATCH_GET', call.version);
  const ids = parsed(() => extractList(call.req.rawQuery, 'ids', call.restli2));
  if (isError(ids)) return ids;
  if (ids === undefined) return errors.badParam('ids', "Required parameter 'ids' is missing", 'MISSING_REQUIRED_FIELD');
  if (ids.length > ctx.socialMetadataBatchLimit) return errors.badParam('ids', `At most ${ctx.socialMetadataBatchLimit} ids per request, got ${ids.length}`);
  const results: Record<string, unknown> = {};
  const statuses: Record<string, number> = {};
  const failures: Record<string, unknown> = {};
  for (const id of ids) {
    const post = findPost(ctx, id);
    const allowed = post === undefined ? undefined : authorize(ctx, call, parsePostUrn(id)!.orgId, 'socialMetadata', 'BATCH_GET');
    if (post === undefined) {
      statuses[id] = 404;
      failures[id] = { status: 404, message: `Not found: ${id}` };
    } else if (typeof allowed !== 'number') {
      statuses[id] = 403;
      failures[id] = { status: 403, message: `Not enough permissions to access: ${id}` };
    } else {
      statuses[id] = 200;
      results[id] = expectedSocialMetadata(post);
    }
  }
  return { status: 200, body: { results, statuses, errors: failures } };
}

function invalidTimeRange(reason: string): ApiError {
  return { status: 400, body: { status: 400, message: `Invalid timeRange parameter: ${reason}` } };
}

export function videoAnalytics(ctx: ApiContext, call: Call): ApiResponse {
  const method = checkRestliMethod(call, 'FINDER');
  if (method) return method;
  const query = call.req.query;
  if (query['q'] !== 'entity') return missingFinder('videoAnalytics', call);
  const entity = query['entity'];
  if (entity === undefined || entity === '') return errors.requiredParameter('entity');
  const type = query['type'];
  if (type === undefined || type === '') return errors.requiredParameter('type');
  if (!(VIDEO_METRICS as readonly string[]).includes(type)) return errors.badParam('type', `Unsupported type '${type}'; expected one of ${VIDEO_METRICS.join(', ')}`);
  const aggregation = query['aggregation'] ?? 'ALL';
  if (aggregation !== 'DAY' && aggregation !== 'WEEK' && aggregation !== 'ALL') {
    return errors.badParam('aggregation', `Unsupported aggregation '${aggregation}'; expected DAY, WEEK or ALL`);
  }
  const range = parsed(() => extractTimeRange(call.req.rawQuery, call.restli2));
  if (isError(range)) return range;
  if (range !== undefined) {
    if (range.start === undefined || range.end === undefined) return invalidTimeRange('start and end are required');
    if (range.start % DAY_MS !== 0 || range.end % DAY_MS !== 0) return invalidTimeRange('start and end must be at UTC midnight (whole days)');
    if (range.end <= range.start) return invalidTimeRange('end must be after start');
  }
  if (entity.startsWith('urn:li:share:')) return errors.badParam('entity', `Shares are not supported; '${entity}' must be a ugcPost with a video`);
  const key = parsePostUrn(entity);
  if (!/^urn:li:ugcPost:\d+$/.test(entity)) return errors.badParam('entity', `'${entity}' is not a ugcPost URN`);
  const post = findPost(ctx, entity);
  if (key === undefined || post === undefined) return errors.notFound(`Not found: ${entity}`);
  const ok = authorize(ctx, call, key.orgId, 'videoAnalytics', 'FINDER-entity');
  if (typeof ok !== 'number') return ok;
  if (!isVideoPost(post)) return errors.badParam('entity', `'${entity}' is not a video post (its content.media.id is not a urn:li:video)`);
  const elements = expectedVideoAnalytics(post, type as VideoMetric, aggregation, ctx.now(), range as { start: number; end: number } | undefined);
  return { status: 200, body: { paging: { start: 0, count: 10, links: [] }, elements } };
}
