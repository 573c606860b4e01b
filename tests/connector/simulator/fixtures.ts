// Deterministic LinkedIn Pages data for the simulator. Every figure is a pure function of (org id, UTC day) or
// (org id, index), so tests can compute the records they expect without talking to the simulator.

export const DAY_MS = 86_400_000;
export const DEFAULT_ORGANIZATION = 2414183;

/** 32-bit deterministic hash of a list of non-negative integers (FNV-1a style mixing + murmur3 finaliser). */
export function mix(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const n = Math.floor(Math.abs(p));
    const lo = n % 0x1_0000_0000;
    const hi = Math.floor(n / 0x1_0000_0000);
    for (const word of [lo, hi]) {
      h = Math.imul(h ^ (word & 0xffff), 0x01000193);
      h = Math.imul(h ^ (word >>> 16), 0x01000193);
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function organizationUrn(orgId: number): string {
  return `urn:li:organization:${orgId}`;
}

/** Start of the UTC day containing `ms`. */
export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Adds calendar months to a UTC timestamp (Date.UTC semantics: day overflow rolls into the next month). */
export function addUtcMonths(ms: number, months: number): number {
  const d = new Date(ms);
  return Date.UTC(
    d.getUTCFullYear(),
    d.getUTCMonth() + months,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/**
 * The range [start, end) for which time-bound statistics exist at `nowMs`: from the same calendar day 12 months
 * before today (UTC midnight) up to the start of today's UTC day.
 */
export function dataAvailability(nowMs: number): { start: number; end: number } {
  const end = utcDayStart(nowMs);
  return { start: addUtcMonths(end, -12), end };
}

// ---------------------------------------------------------------------------------------------------------------
// Daily figures

export interface FollowerGains {
  organicFollowerGain: number;
  paidFollowerGain: number;
}

export interface ShareStatistics {
  uniqueImpressionsCount: number;
  shareCount: number;
  engagement: number;
  clickCount: number;
  likeCount: number;
  impressionCount: number;
  commentCount: number;
}

export interface LifetimeShareStatistics extends ShareStatistics {
  shareMentionsCount: number;
  commentMentionsCount: number;
}

function dayIndex(dayStartMs: number): number {
  return Math.floor(dayStartMs / DAY_MS);
}

/**
 * Restated days: LinkedIn revises daily statistics for a few days after the fact. While `revision` is above 0, the
 * figures of the UTC days in [today - (days + 2), today) at `nowMs` (the last `days` final days and the two days
 * that are not final yet) are raised by `revision` (counts) or `7 * revision` (impressions, page views); revision 0
 * is the original figures. Bumping the revision between two syncs makes those days' figures change.
 */
export interface Restatement {
  revision: number;
  days: number;
  nowMs: number;
}

/** How much the figures of the day starting at `dayStartMs` are raised under `r` (0: not restated). */
export function restatementBump(dayStartMs: number, r?: Restatement): number {
  if (r === undefined || r.revision === 0) return 0;
  const today = utcDayStart(r.nowMs);
  return dayStartMs >= today - (r.days + 2) * DAY_MS && dayStartMs < today ? r.revision : 0;
}

/** Follower gains of one org on the UTC day starting at `dayStartMs`. */
export function dailyFollowerGains(orgId: number, dayStartMs: number, restated?: Restatement): FollowerGains {
  const d = dayIndex(dayStartMs);
  const organic = 2 + (mix(orgId, d, 1) % 40) + restatementBump(dayStartMs, restated);
  const paid = mix(orgId, d, 2) % 5 === 0 ? 1 + (mix(orgId, d, 3) % 6) : 0;
  return { organicFollowerGain: organic, paidFollowerGain: paid };
}

/** Engagement ratio the way LinkedIn defines it: (clicks + likes + comments + shares) / impressions. */
export function engagementOf(s: Omit<ShareStatistics, 'engagement' | 'uniqueImpressionsCount'>): number {
  return s.impressionCount === 0 ? 0 : (s.clickCount + s.likeCount + s.commentCount + s.shareCount) / s.impressionCount;
}

/** Share statistics of one org on the UTC day starting at `dayStartMs`. */
export function dailyShareStatistics(orgId: number, dayStartMs: number, restated?: Restatement): ShareStatistics {
  const d = dayIndex(dayStartMs);
  const bump = restatementBump(dayStartMs, restated);
  const impressionCount = 150 + (mix(orgId, d, 10) % 3000) + 7 * bump;
  const uniqueImpressionsCount = Math.floor((impressionCount * (45 + (mix(orgId, d, 11) % 45))) / 100);
  const clickCount = (mix(orgId, d, 12) % (Math.floor(impressionCount / 20) + 1)) + bump;
  const likeCount = mix(orgId, d, 13) % (Math.floor(impressionCount / 30) + 1);
  const commentCount = mix(orgId, d, 14) % (Math.floor(impressionCount / 150) + 1);
  const shareCount = mix(orgId, d, 15) % (Math.floor(impressionCount / 300) + 1);
  return sharesInOrder({ uniqueImpressionsCount, shareCount, clickCount, likeCount, impressionCount, commentCount });
}

function sharesInOrder(s: Omit<ShareStatistics, 'engagement'>): ShareStatistics {
  return {
    uniqueImpressionsCount: s.uniqueImpressionsCount,
    shareCount: s.shareCount,
    engagement: engagementOf(s),
    clickCount: s.clickCount,
    likeCount: s.likeCount,
    impressionCount: s.impressionCount,
    commentCount: s.commentCount,
  };
}

/** Sum of daily follower gains over the whole UTC days in [startMs, endMs). */
export function followerGainsBetween(orgId: number, startMs: number, endMs: number, restated?: Restatement): FollowerGains {
  const out: FollowerGains = { organicFollowerGain: 0, paidFollowerGain: 0 };
  for (let t = startMs; t < endMs; t += DAY_MS) {
    const g = dailyFollowerGains(orgId, t, restated);
    out.organicFollowerGain += g.organicFollowerGain;
    out.paidFollowerGain += g.paidFollowerGain;
  }
  return out;
}

/** Sum of daily share statistics over the whole UTC days in [startMs, endMs); engagement recomputed from the sums. */
export function shareStatisticsBetween(orgId: number, startMs: number, endMs: number, restated?: Restatement): ShareStatistics {
  const sum = { uniqueImpressionsCount: 0, shareCount: 0, clickCount: 0, likeCount: 0, impressionCount: 0, commentCount: 0 };
  for (let t = startMs; t < endMs; t += DAY_MS) {
    const s = dailyShareStatistics(orgId, t, restated);
    sum.uniqueImpressionsCount += s.uniqueImpressionsCount;
    sum.shareCount += s.shareCount;
    sum.clickCount += s.clickCount;
    sum.likeCount += s.likeCount;
    sum.impressionCount += s.impressionCount;
    sum.commentCount += s.commentCount;
  }
  return sharesInOrder(sum);
}

// ---------------------------------------------------------------------------------------------------------------
// Buckets of time-bound requests

export interface TimeRange {
  start: number;
  end: number;
}

/**
 * The buckets a (validated) time-bound request returns: each DAY / calendar MONTH bucket lying fully inside
 * [startMs, endMs) and, when `nowMs` is given, fully inside the data availability range at that time.
 */
export function timeBuckets(startMs: number, endMs: number, granularity: 'DAY' | 'MONTH', nowMs?: number): TimeRange[] {
  const avail = nowMs === undefined ? { start: -Infinity, end: Infinity } : dataAvailability(nowMs);
  const out: TimeRange[] = [];
  let t = startMs;
  for (;;) {
    const next = granularity === 'DAY' ? t + DAY_MS : addUtcMonths(t, 1);
    if (next > endMs) break;
    if (t >= avail.start && next <= avail.end) out.push({ start: t, end: next });
    t = next;
  }
  return out;
}

export interface FollowerGainsElement {
  organizationalEntity: string;
  timeRange: TimeRange;
  followerGains: FollowerGains;
}

export interface ShareStatisticsElement {
  organizationalEntity: string;
  timeRange: TimeRange;
  totalShareStatistics: ShareStatistics;
}

/** Elements of the time-bound follower statistics finder, exactly as the simulator returns them. */
export function expectedFollowerGains(
  orgId: number,
  startMs: number,
  endMs: number,
  granularity: 'DAY' | 'MONTH',
  nowMs?: number,
  restated?: Restatement,
): FollowerGainsElement[] {
  return timeBuckets(startMs, endMs, granularity, nowMs).map((r) => ({
    organizationalEntity: organizationUrn(orgId),
    timeRange: { start: r.start, end: r.end },
    followerGains: followerGainsBetween(orgId, r.start, r.end, restated),
  }));
}

/** Elements of the time-bound share statistics finder, exactly as the simulator returns them. */
export function expectedShareStatistics(
  orgId: number,
  startMs: number,
  endMs: number,
  granularity: 'DAY' | 'MONTH',
  nowMs?: number,
  restated?: Restatement,
): ShareStatisticsElement[] {
  return timeBuckets(startMs, endMs, granularity, nowMs).map((r) => ({
    organizationalEntity: organizationUrn(orgId),
    timeRange: { start: r.start, end: r.end },
    totalShareStatistics: shareStatisticsBetween(orgId, r.start, r.end, restated),
  }));
}

export function expectedDailyFollowerGains(orgId: number, startMs: number, endMs: number, nowMs?: number, restated?: Restatement): FollowerGainsElement[] {
  return expectedFollowerGains(orgId, startMs, endMs, 'DAY', nowMs, restated);
}
export function expectedMonthlyFollowerGains(orgId: number, startMs: number, endMs: number, nowMs?: number, restated?: Restatement): FollowerGainsElement[] {
  return expectedFollowerGains(orgId, startMs, endMs, 'MONTH', nowMs, restated);
}
export function expectedDailyShareStatistics(orgId: number, startMs: number, endMs: number, nowMs?: number, restated?: Restatement): ShareStatisticsElement[] {
  return expectedShareStatistics(orgId, startMs, endMs, 'DAY', nowMs, restated);
}
export function expectedMonthlyShareStatistics(orgId: number, startMs: number, endMs: number, nowMs?: number, restated?: Restatement): ShareStatisticsElement[] {
  return expectedShareStatistics(orgId, startMs, endMs, 'MONTH', nowMs, restated);
}

// ---------------------------------------------------------------------------------------------------------------
// Lifetime statistics

/** Lifetime (rolling 12 months at `nowMs`) share statistics element. */
export function expectedLifetimeShareStatistics(
  orgId: number,
  nowMs: number,
  restated?: Restatement,
): { organizationalEntity: string; totalShareStatistics: LifetimeShareStatistics } {
  const avail = dataAvailability(nowMs);
  const s = shareStatisticsBetween(orgId, avail.start, avail.end, restated);
  return {
    organizationalEntity: organizationUrn(orgId),
    totalShareStatistics: {
      uniqueImpressionsCount: s.uniqueImpressionsCount,
      shareCount: s.shareCount,
      shareMentionsCount: mix(orgId, 400) % 60,
      engagement: s.engagement,
      clickCount: s.clickCount,
      likeCount: s.likeCount,
      impressionCount: s.impressionCount,
      commentMentionsCount: mix(orgId, 401) % 40,
      commentCount: s.commentCount,
    },
  };
}

/** `firstDegreeSize` of networkSizes for the org. */
export function expectedNetworkSize(orgId: number): number {
  return 5000 + (mix(orgId, 100) % 95000);
}

export interface FollowerCounts {
  organicFollowerCount: number;
  paidFollowerCount: number;
}

export const SENIORITIES = Array.from({ length: 10 }, (_, i) => `urn:li:seniority:${i + 1}`);
export const FUNCTIONS = Array.from({ length: 26 }, (_, i) => `urn:li:function:${i + 1}`);
export const STAFF_COUNT_RANGES = [
  'SIZE_1',
  'SIZE_2_TO_10',
  'SIZE_11_TO_50',
  'SIZE_51_TO_200',
  'SIZE_201_TO_500',
  'SIZE_501_TO_1000',
  'SIZE_1001_TO_5000',
  'SIZE_5001_TO_10000',
  'SIZE_10001_OR_MORE',
];

interface FacetDef {
  array: string;
  key: string;
  values: (orgId: number, n: number) => string[];
}

function rotated(list: string[], by: number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.min(n, list.length); i++) out.push(list[(i + by) % list.length]);
  return out;
}

/** The seven facets of lifetime follower statistics, in LinkedIn's order. Capped facets stop at their natural size. */
export const FOLLOWER_FACETS: readonly FacetDef[] = [
  { array: 'followerCountsByAssociationType', key: 'associationType', values: (_o, n) => rotated(['EMPLOYEE'], 0, n) },
  { array: 'followerCountsBySeniority', key: 'seniority', values: (o, n) => rotated(SENIORITIES, mix(o, 501) % 10, n) },
  {
    array: 'followerCountsByIndustry',
    key: 'industry',
    values: (o, n) => Array.from({ length: n }, (_, i) => `urn:li:industry:${1 + (mix(o, 502) % 40) + i * 3}`),
  },
  { array: 'followerCountsByFunction', key: 'function', values: (o, n) => rotated(FUNCTIONS, mix(o, 503) % 26, n) },
  {
    array: 'followerCountsByStaffCountRange',
    key: 'staffCountRange',
    values: (o, n) => rotated(STAFF_COUNT_RANGES, mix(o, 504) % 9, n),
  },
  {
    array: 'followerCountsByGeoCountry',
    key: 'geo',
    values: (o, n) => Array.from({ length: n }, (_, i) => `urn:li:geo:${101000000 + (mix(o, 505) % 1000) + i * 7919}`),
  },
  {
    array: 'followerCountsByGeo',
    key: 'geo',
    values: (o, n) => Array.from({ length: n }, (_, i) => `urn:li:geo:${90000000 + (mix(o, 506) % 1000) + i * 104729}`),
  },
];

/** The single element of the lifetime follower statistics finder. Entries of each facet sorted by organic count desc. */
export function expectedLifetimeFollowerStatistics(orgId: number, facetSize = 5): Record<string, unknown> {
  const total = expectedNetworkSize(orgId);
  const element: Record<string, unknown> = { organizationalEntity: organizationUrn(orgId) };
  FOLLOWER_FACETS.forEach((facet, f) => {
    const values = facet.values(orgId, facetSize);
    const entries = values.map((value, i) => {
      const organic = Math.floor(total / (i + 2)) + (mix(orgId, 600 + f, i) % 97);
      const paid = mix(orgId, 700 + f, i) % 4 === 0 ? mix(orgId, 800 + f, i) % 50 : 0;
      return { [facet.key]: value, followerCounts: { organicFollowerCount: organic, paidFollowerCount: paid } };
    });
    entries.sort(
      (a, b) =>
        (b.followerCounts).organicFollowerCount - (a.followerCounts).organicFollowerCount,
    );
    element[facet.array] = entries;
  });
  return element;
}

// ---------------------------------------------------------------------------------------------------------------
// Organization lookup

const COMPANY_NAMES = [
  ['Northwind Analytics', 'northwind-analytics'],
  ['Contoso Robotics', 'contoso-robotics'],
  ['Fabrikam Foods', 'fabrikam-foods'],
  ['Tailspin Aeronautics', 'tailspin-aeronautics'],
  ['Wingtip Outfitters', 'wingtip-outfitters'],
  ['Adatum Health', 'adatum-health'],
  ['Litware Learning', 'litware-learning'],
  ['Proseware Studios', 'proseware-studios'],
] as const;

const CITIES = [
  { city: 'Sunnyvale', geographicArea: 'CA', country: 'US', postalCode: '94085', geo: 'urn:li:geo:106233382' },
  { city: 'Dublin', geographicArea: 'Dublin', country: 'IE', postalCode: 'D02 X525', geo: 'urn:li:geo:105178154' },
  { city: 'Toronto', geographicArea: 'ON', country: 'CA', postalCode: 'M5V 2T6', geo: 'urn:li:geo:100025096' },
  { city: 'Munich', geographicArea: 'Bavaria', country: 'DE', postalCode: '80331', geo: 'urn:li:geo:100477049' },
];

const ORG_TYPES = ['PUBLIC_COMPANY', 'PRIVATELY_HELD', 'NON_PROFIT', 'SELF_OWNED', 'PARTNERSHIP'];

/** Optional parts of an organization; which are present depends on the org id (the default org has all). */
export type OrganizationPart =
  | 'logoV2'
  | 'foundedOn'
  | 'specialties'
  | 'alternativeNames'
  | 'groups'
  | 'locations'
  | 'website'
  | 'description'
  | 'industries'
  | 'staffCountRange';

const PARTS: OrganizationPart[] = [
  'logoV2',
  'foundedOn',
  'specialties',
  'alternativeNames',
  'groups',
  'locations',
  'website',
  'description',
  'industries',
  'staffCountRange',
];

export function organizationParts(orgId: number): Set<OrganizationPart> {
  if (orgId === DEFAULT_ORGANIZATION) return new Set(PARTS);
  const mask = mix(orgId, 200);
  return new Set(PARTS.filter((_, i) => ((mask >>> (2 * i)) & 3) !== 0));
}

const EN_US = { country: 'US', language: 'en' };

/** The organization object of GET /rest/organizations/{id}. Empty fields are omitted. */
export function expectedOrganization(orgId: number): Record<string, unknown> {
  const parts = organizationParts(orgId);
  const [name, vanity] = COMPANY_NAMES[mix(orgId, 201) % COMPANY_NAMES.length];
  const created = Date.UTC(2008, 0, 1) + (mix(orgId, 202) % 3000) * DAY_MS + (mix(orgId, 203) % DAY_MS);
  const modified = created + (1 + (mix(orgId, 204) % 2000)) * DAY_MS;
  const place = CITIES[mix(orgId, 205) % CITIES.length];
  const staff = STAFF_COUNT_RANGES[3 + (mix(orgId, 206) % 6)];
  const org: Record<string, unknown> = {};

  org['vanityName'] = `${vanity}-${orgId}`;
  org['localizedName'] = name;
  if (parts.has('website')) {
    const url = `https://www.${vanity.replace(/-/g, '')}.example.com`;
    org['website'] = { localized: { en_US: url }, preferredLocale: EN_US };
    org['localizedWebsite'] = url;
  }
  if (parts.has('foundedOn')) org['foundedOn'] = { year: 1950 + (mix(orgId, 207) % 70) };
  if (parts.has('groups')) org['groups'] = [`urn:li:group:${100000 + (mix(orgId, 208) % 900000)}`];
  if (parts.has('description')) {
    const text = `${name} is a simulated organization used to test LinkedIn Pages connectors.`;
    org['description'] = { localized: { en_US: text }, preferredLocale: EN_US };
    org['localizedDescription'] = text;
  }
  org['versionTag'] = String(mix(orgId, 209));
  org['organizationType'] = ORG_TYPES[mix(orgId, 210) % ORG_TYPES.length];
  org['defaultLocale'] = EN_US;
  if (parts.has('alternativeNames')) {
    org['alternativeNames'] = [{ localized: { en_US: `${name.split(' ')[0]} Inc.` }, preferredLocale: EN_US }];
  }
  if (parts.has('specialties')) {
    const specialties = ['Data', 'Cloud', 'Analytics', 'Logistics', 'Design'].slice(0, 1 + (mix(orgId, 211) % 4));
    org['specialties'] = specialties.map((s) => ({ localized: { en_US: s }, preferredLocale: EN_US }));
    org['localizedSpecialties'] = specialties;
  }
  if (parts.has('staffCountRange')) org['staffCountRange'] = staff;
  if (parts.has('industries')) org['industries'] = [`urn:li:industry:${1 + (mix(orgId, 212) % 150)}`];
  org['name'] = { localized: { en_US: name }, preferredLocale: EN_US };
  org['primaryOrganizationType'] = 'NONE';
  if (parts.has('locations')) {
    org['locations'] = [
      {
        locationType: 'HEADQUARTERS',
        address: {
          geographicArea: place.geographicArea,
          country: place.country,
          city: place.city,
          line1: `${1 + (mix(orgId, 213) % 999)} Example Street`,
          postalCode: place.postalCode,
        },
        staffCountRange: staff,
        streetAddressFieldState: 'SET',
        geoLocation: place.geo,
      },
    ];
  }
  org['lastModified'] = { actor: `urn:li:person:sim${mix(orgId, 214) % 100000}`, time: modified };
  org['id'] = orgId;
  org['autoCreated'] = false;
  org['created'] = { actor: `urn:li:person:sim${mix(orgId, 215) % 100000}`, time: created };
  if (parts.has('logoV2')) {
    const size = 200 + (mix(orgId, 216) % 200);
    org['logoV2'] = {
      cropped: `urn:li:digitalmediaAsset:C4D0BAQ${mix(orgId, 217).toString(36)}`,
      original: `urn:li:digitalmediaAsset:C4D0BAQ${mix(orgId, 218).toString(36)}`,
      cropInfo: { x: 0, width: size, y: 0, height: size },
    };
  }
  return org;
}
