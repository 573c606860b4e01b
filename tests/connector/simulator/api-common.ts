// What every /rest resource of the simulator shares: the request context, permission checks, finder and paging
// parameters, time interval rules, and paged answers.
import * as errors from './errors.js';
import type { ApiError } from './errors.js';
import type { RecordedRequest } from './faults.js';
import { addUtcMonths, DAY_MS } from './fixtures.js';
import type { Restatement } from './fixtures.js';
import type { AclEntry } from './page-fixtures.js';
import type { Post, PostsConfig } from './post-fixtures.js';
import type { TokenRegistry } from './oauth.js';
import { extractTimeIntervals, ParamInvalidError, splitRawQuery, UnpermittedFieldsError } from './restli.js';
import type { TimeIntervals } from './restli.js';

/** Behaviours a test switches on and off while the simulator runs (see SimulatorOptions.switches). */
export interface SimulatorSwitches {
  /** posts: each page holds about two thirds of `count` while more remain; the next link starts after it. */
  shortPostPages: boolean;
  /** posts: every page after the first starts this many posts before its `start`, repeating the previous page's tail. */
  overlappingPostPages: number;
  /** socialMetadata answers 403 ACCESS_DENIED (a token without r_organization_social_feed). */
  socialMetadataForbidden: boolean;
  /** Above 0: follower, share and page statistics of the last `restatedDays` final days (and the two not final) are revised. */
  statisticsRevision: number;
  /** How many final days a revision restates (default 7). */
  restatedDays: number;
  /** The geo batch get (geo?ids=List(...)) answers 429, its own daily limit reached; single geo gets still work. */
  geoBatchRateLimited: boolean;
}

export interface ApiContext {
  now: () => number;
  organizations: Set<number>;
  /** token -> orgs it administers; undefined: every token administers every org. */
  tokenOrganizations?: Record<string, number[]>;
  tokens: TokenRegistry;
  facetSize: number;
  statisticsPageSize?: number;
  /** Posts of an org as generated at the anchor (cached), and its configuration. */
  postsOf: (orgId: number) => Post[];
  postsConfigOf: (orgId: number) => PostsConfig;
  /** Edits (URN -> time) and deletions made through the simulator handle. */
  edited: Map<string, number>;
  deleted: Set<string>;
  switches: SimulatorSwitches;
  shareStatisticsBatchLimit: number;
  socialMetadataBatchLimit: number;
  /** The roles of a token for organizationAcls. */
  aclsOf: (token: string) => readonly AclEntry[];
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown> | string;
  headers?: Record<string, string>;
}

export interface Call {
  req: RecordedRequest;
  token: string;
  version: string;
  restli2: boolean;
}

const ORG_URN = /^urn:li:organization:(\d+)$/;

export function header(req: RecordedRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function missingFinder(resource: string, call: Call): ApiResponse {
  const q = call.req.query['q'];
  return q === undefined
    ? errors.badParam('q', `Finder parameter 'q' is required for ${resource}`, 'MISSING_REQUIRED_FIELD')
    : errors.badParam('q', `Unsupported finder '${q}' for ${resource}`, 'INVALID_VALUE_FOR_FIELD');
}

/** An `X-RestLi-Method` header is optional, but when sent it must name the method of the call. */
export function checkRestliMethod(call: Call, expected: 'FINDER' | 'BATCH_GET' | 'GET'): ApiError | undefined {
  const sent = header(call.req, 'x-restli-method');
  if (sent === undefined || sent.trim().toUpperCase() === expected) return undefined;
  return { status: 400, body: { status: 400, message: `X-RestLi-Method '${sent}' does not match the ${expected} request` } };
}

/** Permission and existence of an organization for this call; returns an error or the org id. */
export function authorize(ctx: ApiContext, call: Call, orgId: number, resource: string, method: string): ApiError | number {
  if (!ctx.organizations.has(orgId)) return errors.notFound(`Organization ${orgId} does not exist`);
  const admin = ctx.tokenOrganizations?.[call.token];
  if (ctx.tokenOrganizations !== undefined && !(admin ?? []).includes(orgId)) {
    return errors.accessDenied(resource, method, call.version);
  }
  return orgId;
}

export function orgFromUrn(value: string | undefined, field: string): ApiError | number {
  if (value === undefined || value === '') {
    return errors.badParam(field, `Required parameter '${field}' is missing`, 'MISSING_REQUIRED_FIELD');
  }
  const m = ORG_URN.exec(value);
  if (!m) return errors.badParam(field, `'${value}' is not a valid organization URN`);
  return Number(m[1]);
}

export function paging(call: Call): ApiError | { start: number; count?: number } {
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
export function nextHref(call: Call, start: number, count: number): string {
  const kept = splitRawQuery(call.req.rawQuery).filter(([n]) => n !== 'start' && n !== 'count');
  const parts = kept.map(([n, v]) => `${n}=${v}`);
  parts.push(`start=${start}`, `count=${count}`);
  return `${call.req.path}?${parts.join('&')}`;
}

export function nextLink(call: Call, start: number, count: number): { rel: string; href: string; type: string } {
  return { rel: 'next', href: nextHref(call, start, count), type: 'application/json' };
}

/** Runs a parser of Rest.li parameters, turning its errors into LinkedIn's answers. */
export function parsed<T>(parse: () => T): T | ApiError {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ParamInvalidError) return errors.paramInvalid(e.inputErrors);
    if (e instanceof UnpermittedFieldsError) return errors.unpermittedFields(e.message);
    throw e;
  }
}

export function isError(v: unknown): v is ApiError {
  return typeof v === 'object' && v !== null && 'status' in v && 'body' in v;
}

/** The time interval of a statistics finder, validated, or undefined for a lifetime request. */
export function timeInterval(call: Call): ApiError | undefined | { start: number; end: number; granularity: 'DAY' | 'MONTH' } {
  const interval = parsed(() => extractTimeIntervals(call.req.rawQuery, call.restli2));
  if (interval === undefined || isError(interval)) return interval;
  return validateInterval(interval);
}

/**
 * A statistics finder's answer. LinkedIn's statistics finders answer everything at once and echo the paging
 * parameters; with `statisticsPageSize` the simulator pages them by start/count instead.
 */
export function statisticsAnswer(ctx: ApiContext, call: Call, page: { start: number; count?: number }, elements: unknown[]): ApiResponse {
  if (ctx.statisticsPageSize === undefined) {
    return { status: 200, body: { paging: { start: page.start, count: page.count ?? 10, links: [] }, elements } };
  }
  const count = Math.min(page.count ?? ctx.statisticsPageSize, ctx.statisticsPageSize);
  const slice = elements.slice(page.start, page.start + count);
  const links = count > 0 && page.start + count < elements.length ? [nextLink(call, page.start + count, count)] : [];
  return { status: 200, body: { paging: { start: page.start, count, total: elements.length, links }, elements: slice } };
}

/** The restatement in force for the statistics answered now. */
export function restatement(ctx: ApiContext): Restatement | undefined {
  const { statisticsRevision, restatedDays } = ctx.switches;
  return statisticsRevision > 0 ? { revision: statisticsRevision, days: restatedDays, nowMs: ctx.now() } : undefined;
}

function isFirstOfMonth(ms: number): boolean {
  const d = new Date(ms);
  return d.getUTCDate() === 1 && ms % DAY_MS === 0;
}

export function validateInterval(i: TimeIntervals): ApiError | { start: number; end: number; granularity: 'DAY' | 'MONTH' } {
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
