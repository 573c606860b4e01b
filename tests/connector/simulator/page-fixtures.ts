// Deterministic page statistics (GET /rest/organizationPageStatistics) and the roles a token holds on pages
// (GET /rest/organizationAcls). Every figure is a pure function of (org id, UTC day) or of the configuration.
import { DAY_MS, FUNCTIONS, SENIORITIES, STAFF_COUNT_RANGES, dataAvailability, mix, organizationUrn, restatementBump, timeBuckets } from './fixtures.js';
import type { Restatement, TimeRange } from './fixtures.js';

// ---------------------------------------------------------------------------------------------------------------
// Page statistics

export const PAGE_SECTIONS = ['overview', 'about', 'people', 'jobs', 'careers', 'lifeAt', 'insights', 'products'] as const;

const capitalised = (s: string): string => s[0].toUpperCase() + s.slice(1);

/** Every view key, in LinkedIn's order: the three totals, then per section `<s>PageViews`, `desktop<S>PageViews`, `mobile<S>PageViews`. */
export const PAGE_VIEW_KEYS: readonly string[] = [
  'allPageViews',
  'allDesktopPageViews',
  'allMobilePageViews',
  ...PAGE_SECTIONS.flatMap((s) => [`${s}PageViews`, `desktop${capitalised(s)}PageViews`, `mobile${capitalised(s)}PageViews`]),
];

/** The keys whose time-bound views also carry uniquePageViews: the three totals and each section's total. */
export const UNIQUE_PAGE_VIEW_KEYS: readonly string[] = ['allPageViews', 'allDesktopPageViews', 'allMobilePageViews', ...PAGE_SECTIONS.map((s) => `${s}PageViews`)];

export const CUSTOM_BUTTON_TYPES = ['VISIT_WEBSITE', 'LEARN_MORE', 'SIGN_UP', 'CONTACT_US', 'REGISTER'] as const;

export interface PageViewCount {
  pageViews: number;
  uniquePageViews?: number;
}

export interface PageClicks {
  desktopCustomButtonClickCounts: Array<{ customButtonType: string; clicks: number }>;
  mobileCustomButtonClickCounts: Array<{ customButtonType: string; clicks: number }>;
}

export interface DailyPageStatistics {
  views: Record<string, PageViewCount>;
  clicks: PageClicks;
}

/** Page views and custom button clicks of one org on the UTC day starting at `dayStartMs` (totals add up). */
export function dailyPageStatistics(orgId: number, dayStartMs: number, restated?: Restatement): DailyPageStatistics {
  const d = Math.floor(dayStartMs / DAY_MS);
  const bump = restatementBump(dayStartMs, restated);
  const views: Record<string, PageViewCount> = {};
  const totals = { all: 0, desktop: 0, mobile: 0 };
  const unique = (n: number, salt: number): number => Math.floor((n * (55 + (mix(orgId, d, 1100 + salt) % 40))) / 100);
  const sections: Record<string, PageViewCount> = {};
  PAGE_SECTIONS.forEach((s, k) => {
    const desktop = (mix(orgId, d, 1110 + k) % (k === 0 ? 400 : 60)) + 7 * bump;
    const mobile = mix(orgId, d, 1130 + k) % (k === 0 ? 300 : 40);
    totals.all += desktop + mobile;
    totals.desktop += desktop;
    totals.mobile += mobile;
    sections[`${s}PageViews`] = { pageViews: desktop + mobile, uniquePageViews: unique(desktop + mobile, k) };
    sections[`desktop${capitalised(s)}PageViews`] = { pageViews: desktop };
    sections[`mobile${capitalised(s)}PageViews`] = { pageViews: mobile };
  });
  views['allPageViews'] = { pageViews: totals.all, uniquePageViews: unique(totals.all, 20) };
  views['allDesktopPageViews'] = { pageViews: totals.desktop, uniquePageViews: unique(totals.desktop, 21) };
  views['allMobilePageViews'] = { pageViews: totals.mobile, uniquePageViews: unique(totals.mobile, 22) };
  Object.assign(views, sections);
  const clicks = (salt: number): Array<{ customButtonType: string; clicks: number }> =>
    CUSTOM_BUTTON_TYPES.slice(0, 1 + (mix(orgId, 1150) % CUSTOM_BUTTON_TYPES.length)).map((customButtonType, k) => ({
      customButtonType,
      clicks: (mix(orgId, d, salt + k) % 12) + bump,
    }));
  return { views, clicks: { desktopCustomButtonClickCounts: clicks(1160), mobileCustomButtonClickCounts: clicks(1170) } };
}

/** Sum of daily page statistics over the whole UTC days in [startMs, endMs). */
export function pageStatisticsBetween(orgId: number, startMs: number, endMs: number, restated?: Restatement): DailyPageStatistics {
  let out: DailyPageStatistics | undefined;
  for (let t = startMs; t < endMs; t += DAY_MS) {
    const day = dailyPageStatistics(orgId, t, restated);
    if (out === undefined) {
      out = structuredClone(day);
      continue;
    }
    for (const [key, v] of Object.entries(day.views)) {
      const acc = out.views[key];
      acc.pageViews += v.pageViews;
      if (acc.uniquePageViews !== undefined) acc.uniquePageViews += v.uniquePageViews ?? 0;
    }
    for (const side of ['desktopCustomButtonClickCounts', 'mobileCustomButtonClickCounts'] as const) {
      day.clicks[side].forEach((c, k) => (out!.clicks[side][k].clicks += c.clicks));
    }
  }
  return out ?? { views: Object.fromEntries(PAGE_VIEW_KEYS.map((k) => [k, { pageViews: 0 }])), clicks: { desktopCustomButtonClickCounts: [], mobileCustomButtonClickCounts: [] } };
}

export interface PageStatisticsElement {
  organization: string;
  timeRange: TimeRange;
  totalPageStatistics: DailyPageStatistics;
}

/** Elements of the time-bound page statistics finder (same buckets as the follower and share finders). */
export function expectedPageStatistics(
  orgId: number,
  startMs: number,
  endMs: number,
  granularity: 'DAY' | 'MONTH',
  nowMs?: number,
  restated?: Restatement,
): PageStatisticsElement[] {
  return timeBuckets(startMs, endMs, granularity, nowMs).map((r) => ({
    organization: organizationUrn(orgId),
    timeRange: { start: r.start, end: r.end },
    totalPageStatistics: pageStatisticsBetween(orgId, r.start, r.end, restated),
  }));
}

/** Views with pageViews only (the lifetime shape). */
function lifetimeViews(views: Record<string, PageViewCount>, share = 1): Record<string, { pageViews: number }> {
  return Object.fromEntries(PAGE_VIEW_KEYS.map((k) => [k, { pageViews: Math.floor(views[k].pageViews * share) }]));
}

interface PageFacet {
  array: string;
  key: string;
  values: (orgId: number, n: number) => string[];
  allPageViewsOnly: boolean;
}

/** The facets of lifetime page statistics; industry and geo facets carry only allPageViews. */
export const PAGE_FACETS: readonly PageFacet[] = [
  { array: 'pageStatisticsBySeniority', key: 'seniority', values: (o, n) => SENIORITIES.slice(0, n), allPageViewsOnly: false },
  { array: 'pageStatisticsByFunction', key: 'function', values: (o, n) => FUNCTIONS.slice(0, n), allPageViewsOnly: false },
  {
    array: 'pageStatisticsByIndustryV2',
    key: 'industryV2',
    values: (o, n) => Array.from({ length: n }, (_, i) => `urn:li:industry:${1 + (mix(o, 1200) % 40) + i * 3}`),
    allPageViewsOnly: true,
  },
  { array: 'pageStatisticsByStaffCountRange', key: 'staffCountRange', values: (o, n) => STAFF_COUNT_RANGES.slice(0, n), allPageViewsOnly: false },
  {
    array: 'pageStatisticsByGeo',
    key: 'geo',
    values: (o, n) => Array.from({ length: n }, (_, i) => `urn:li:geo:${90000000 + (mix(o, 1201) % 1000) + i * 104729}`),
    allPageViewsOnly: true,
  },
  {
    array: 'pageStatisticsByGeoCountry',
    key: 'geo',
    values: (o, n) => Array.from({ length: n }, (_, i) => `urn:li:geo:${101000000 + (mix(o, 1202) % 1000) + i * 7919}`),
    allPageViewsOnly: true,
  },
];

/**
 * The single element of the lifetime page statistics finder: totals over the last 12 months at `nowMs`, and per
 * facet value a share of them (entry i gets 1/(i+2)); `pageStatisticsByTargetedContent` is always empty.
 */
export function expectedLifetimePageStatistics(orgId: number, nowMs: number, facetSize = 5, restated?: Restatement): Record<string, unknown> {
  const avail = dataAvailability(nowMs);
  const total = pageStatisticsBetween(orgId, avail.start, avail.end, restated);
  const element: Record<string, unknown> = {
    organization: organizationUrn(orgId),
    totalPageStatistics: { views: lifetimeViews(total.views), clicks: total.clicks },
  };
  for (const facet of PAGE_FACETS) {
    element[facet.array] = facet.values(orgId, facetSize).map((value, i) => {
      const views = lifetimeViews(total.views, 1 / (i + 2));
      return { [facet.key]: value, pageStatistics: { views: facet.allPageViewsOnly ? { allPageViews: views['allPageViews'] } : views } };
    });
  }
  element['pageStatisticsByTargetedContent'] = [];
  return element;
}

// ---------------------------------------------------------------------------------------------------------------
// Organization ACLs

export const ACL_ROLES = ['ADMINISTRATOR', 'CONTENT_ADMINISTRATOR', 'DIRECT_SPONSORED_CONTENT_POSTER', 'RECRUITING_POSTER', 'LEAD_GEN_FORMS_MANAGER', 'ANALYST', 'CURATOR'] as const;
export const ACL_STATES = ['APPROVED', 'REQUESTED', 'REVOKED'] as const;
export type AclRole = (typeof ACL_ROLES)[number];
export type AclState = (typeof ACL_STATES)[number];

/** One configured role of a token: the org id, the role and its state. */
export interface AclEntry {
  organization: number;
  role: AclRole;
  state: AclState;
}

export interface AclElement {
  organization: string;
  roleAssignee: string;
  role: AclRole;
  state: AclState;
}

/** Roles every token holds besides its administered pages: none of them is an approved ADMINISTRATOR role. */
export const OTHER_ACL_ENTRIES: readonly AclEntry[] = [
  { organization: 90000001, role: 'CONTENT_ADMINISTRATOR', state: 'APPROVED' },
  { organization: 90000002, role: 'ADMINISTRATOR', state: 'REQUESTED' },
  { organization: 90000003, role: 'ADMINISTRATOR', state: 'REVOKED' },
  { organization: 90000004, role: 'RECRUITING_POSTER', state: 'APPROVED' },
  { organization: 90000005, role: 'DIRECT_SPONSORED_CONTENT_POSTER', state: 'APPROVED' },
];

/** Default roles of a token: an approved ADMINISTRATOR role on each page it administers, then OTHER_ACL_ENTRIES. */
export function defaultAclEntries(administered: readonly number[]): AclEntry[] {
  return [...administered.map((organization) => ({ organization, role: 'ADMINISTRATOR' as const, state: 'APPROVED' as const })), ...OTHER_ACL_ENTRIES];
}

/** The member a token belongs to. */
export function roleAssigneeOf(token: string): string {
  let h = 0;
  for (const c of token) h = mix(h, c.charCodeAt(0));
  return `urn:li:person:sim${h.toString(36)}`;
}

/** Elements of organizationAcls?q=roleAssignee for a token's entries, filtered by role and state when given. */
export function expectedAcls(token: string, entries: readonly AclEntry[], filter: { role?: string; state?: string } = {}): AclElement[] {
  return entries
    .filter((e) => (filter.role === undefined || e.role === filter.role) && (filter.state === undefined || e.state === filter.state))
    .map((e) => ({ organization: organizationUrn(e.organization), roleAssignee: roleAssigneeOf(token), role: e.role, state: e.state }));
}
