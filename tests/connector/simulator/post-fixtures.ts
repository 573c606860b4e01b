// Deterministic posts of the simulated organizations and everything measured per post: lifetime share statistics,
// social metadata (reactions, comment counts) and video analytics. Every figure is a pure function of (org id, post
// index, anchor day, now), so tests can compute exactly what the simulator answers.
import { addUtcMonths, DAY_MS, DEFAULT_ORGANIZATION, dataAvailability, engagementOf, mix, organizationUrn, utcDayStart } from './fixtures.js';

// ---------------------------------------------------------------------------------------------------------------
// Posts

/** How many posts an organization has, spread over how many months before the anchor day, how many of them videos. */
export interface PostsConfig {
  count: number;
  months: number;
  videos: number;
}

/** 300 posts over 12 months with 20 videos for the default organization; 40 posts with 4 videos for every other. */
export function defaultPostsConfig(orgId: number): PostsConfig {
  return orgId === DEFAULT_ORGANIZATION ? { count: 300, months: 12, videos: 20 } : { count: 40, months: 12, videos: 4 };
}

/** The configuration of one org: its default, then `count` for every org (the `posts` option), then per-org overrides. */
export function resolvePostsConfig(orgId: number, count?: number, overrides?: Partial<PostsConfig>): PostsConfig {
  const base = defaultPostsConfig(orgId);
  if (count !== undefined) {
    base.count = count;
    base.videos = Math.min(base.videos, count);
  }
  const out = { ...base, ...overrides };
  if (!(out.count >= 0) || !(out.months > 0) || !(out.videos >= 0) || out.videos > out.count) {
    throw new Error(`invalid posts configuration for organization ${orgId}: ${JSON.stringify(out)}`);
  }
  return out;
}

export type PostContent =
  | Record<string, never>
  | { media: { id: string; title?: string; altText?: string } }
  | { article: { source: string; title: string; description: string; thumbnail: string; thumbnailAltText: string } }
  | { multiImage: { images: Array<{ id: string; altText: string }> } }
  | {
      poll: {
        question: string;
        options: Array<{ text: string }>;
        settings: { duration: string; voteSelectionType: string; isVoterVisibleToAuthor: boolean };
        uniqueVotersCount: number;
      };
    }
  | { carousel: { cards: Array<{ media: { id: string; title: string }; landingPage: string }> } };

/** One element of GET /rest/posts?q=author. Optional fields are omitted when absent, as LinkedIn does. */
export interface Post {
  id: string;
  author: string;
  commentary: string;
  visibility: string;
  distribution: { feedDistribution: string; thirdPartyDistributionChannels: string[]; targetEntities?: Array<Record<string, string[]>> };
  lifecycleState: string;
  lifecycleStateInfo: { isEditedByAuthor: boolean; contentStatus?: string; reviewStatus?: string };
  isReshareDisabledByAuthor: boolean;
  createdAt: number;
  publishedAt: number;
  lastModifiedAt: number;
  content?: PostContent;
  adContext?: { isDsc: boolean; dscAdAccount: string; dscAdType: string; dscName: string; dscStatus: string };
  reshareContext?: { parent: string; root: string };
  container?: string;
  contentCallToActionLabel?: string;
  contentLandingPage?: string;
}

export type PostsSort = 'LAST_MODIFIED' | 'CREATED';

const SENTENCES = [
  'We are hiring across engineering and design.',
  'Our quarterly report is out now.',
  'Thank you to everyone who joined our webinar!',
  'Meet the team behind our newest product.',
  'Five lessons from a year of building in public.',
  'Join us at the conference next week.',
];
const HASHTAGS = ['hiring', 'analytics', 'product', 'teamwork', 'events'];

/** URN digits: '7', the org id on 9 digits, the post index on 9 digits (19 digits in all). */
export function postUrn(orgId: number, index: number, type: 'share' | 'ugcPost'): string {
  return `urn:li:${type}:7${String(orgId % 1_000_000_000).padStart(9, '0')}${String(index).padStart(9, '0')}`;
}

/** The org and index a post URN of the simulator encodes, or undefined for any other URN. */
export function parsePostUrn(urn: string): { type: 'share' | 'ugcPost'; orgId: number; index: number } | undefined {
  const m = /^urn:li:(share|ugcPost):7(\d{9})(\d{9})$/.exec(urn);
  if (!m) return undefined;
  return { type: m[1] as 'share' | 'ugcPost', orgId: Number(m[2]), index: Number(m[3]) };
}

/** Indexes of the video posts: spread evenly over the list. */
export function videoIndexes(config: PostsConfig): Set<number> {
  const out = new Set<number>();
  for (let v = 0; v < config.videos; v++) out.add(Math.floor(((v + 0.5) * config.count) / config.videos));
  return out;
}

function assetId(orgId: number, index: number, salt: number): string {
  return `C4D${(mix(orgId, index, salt) % 0x7fffffff).toString(36).toUpperCase()}${index.toString(36)}`;
}

function contentOf(orgId: number, i: number, variant: number): PostContent | undefined {
  switch (variant) {
    case 0:
      return undefined;
    case 1:
      return {};
    case 2:
    case 8:
      return { media: { id: `urn:li:image:${assetId(orgId, i, 1)}`, altText: 'Our team at the office' } };
    case 3:
      return { media: { id: `urn:li:document:${assetId(orgId, i, 2)}`, title: 'Quarterly report' } };
    case 4:
    case 9:
      return {
        article: {
          source: `https://blog.example.com/posts/${orgId}/${i}`,
          title: 'What we learned this quarter',
          description: 'A look back at the last three months.',
          thumbnail: `urn:li:image:${assetId(orgId, i, 3)}`,
          thumbnailAltText: 'Chart of the quarter',
        },
      };
    case 5:
      return {
        multiImage: {
          images: Array.from({ length: 2 + (mix(orgId, i, 4) % 3) }, (_, k) => ({ id: `urn:li:image:${assetId(orgId, i, 10 + k)}`, altText: `Photo ${k + 1}` })),
        },
      };
    case 6:
      return {
        poll: {
          question: 'Which topic should our next webinar cover?',
          options: [{ text: 'Data' }, { text: 'Cloud' }, { text: 'Design' }],
          settings: { duration: 'THREE_DAYS', voteSelectionType: 'SINGLE_VOTE', isVoterVisibleToAuthor: true },
          uniqueVotersCount: mix(orgId, i, 5) % 300,
        },
      };
    default:
      return {
        carousel: {
          cards: [0, 1, 2].map((k) => ({
            media: { id: `urn:li:image:${assetId(orgId, i, 20 + k)}`, title: `Card ${k + 1}` },
            landingPage: `https://www.example.com/products/${k + 1}`,
          })),
        },
      };
  }
}

/**
 * Post `i` (0 is the newest by creation) of an org. Creation times are spread evenly over `config.months` calendar
 * months before `anchorMs`'s UTC day; a few posts were edited later (lastModifiedAt after publishedAt, still before
 * the anchor day).
 */
export function generatedPost(orgId: number, i: number, config: PostsConfig, anchorMs: number, videos = videoIndexes(config)): Post {
  const anchor = utcDayStart(anchorMs);
  const step = (anchor - addUtcMonths(anchor, -config.months)) / (config.count + 1);
  const jitter = Math.max(1, Math.floor(Math.min(step / 2, 3_600_000)));
  const createdAt = Math.floor(anchor - (i + 1) * step) + (mix(orgId, 940, i) % jitter);
  const publishedAt = createdAt + (mix(orgId, 941, i) % 60_000);
  const edited = mix(orgId, 942, i) % 4 === 0;
  const lastModifiedAt = edited ? Math.min(anchor - 1, publishedAt + 60_000 + (mix(orgId, 943, i) % (5 * DAY_MS))) : publishedAt;
  const video = videos.has(i);
  const type = video || mix(orgId, 944, i) % 3 === 0 ? 'ugcPost' : 'share';
  const dsc = !video && mix(orgId, 945, i) % 25 === 0;
  const reshare = !video && !dsc && mix(orgId, 946, i) % 15 === 0;

  let commentary = SENTENCES[mix(orgId, 947, i) % SENTENCES.length];
  if (mix(orgId, 948, i) % 3 === 0) commentary += ' Congratulations to @[Contoso Robotics](urn:li:organization:1035)!';
  if (mix(orgId, 949, i) % 2 === 0) {
    const tag = HASHTAGS[mix(orgId, 950, i) % HASHTAGS.length];
    commentary += ` {hashtag|\\#|${tag}} {hashtag|\\#|linkedin}`;
  }

  const post: Post = {
    id: postUrn(orgId, i, type),
    author: organizationUrn(orgId),
    commentary,
    visibility: mix(orgId, 951, i) % 20 === 0 ? 'LOGGED_IN' : 'PUBLIC',
    distribution: { feedDistribution: dsc ? 'NONE' : 'MAIN_FEED', thirdPartyDistributionChannels: [] },
    lifecycleState: 'PUBLISHED',
    lifecycleStateInfo: { isEditedByAuthor: edited },
    isReshareDisabledByAuthor: mix(orgId, 952, i) % 10 === 0,
    createdAt,
    publishedAt,
    lastModifiedAt,
  };
  if (mix(orgId, 953, i) % 7 === 0) post.distribution.targetEntities = [{ geoLocations: ['urn:li:geo:103644278'], seniorities: ['urn:li:seniority:4'] }];
  if (mix(orgId, 954, i) % 6 === 0) post.lifecycleStateInfo.contentStatus = 'ACTIVE';
  if (mix(orgId, 955, i) % 12 === 0) post.lifecycleStateInfo.reviewStatus = 'APPROVED';
  if (video) {
    post.content = { media: { id: `urn:li:video:C5505AQ${assetId(orgId, i, 30)}`, title: 'Product tour' } };
  } else if (reshare) {
    const parent = postUrn(1035, mix(orgId, 956, i) % 40, 'share');
    post.reshareContext = { parent, root: parent };
  } else {
    const content = contentOf(orgId, i, mix(orgId, 957, i) % 10);
    if (content !== undefined) post.content = content;
  }
  if (dsc) {
    post.adContext = {
      isDsc: true,
      dscAdAccount: `urn:li:sponsoredAccount:${500000000 + (mix(orgId, 958, i) % 1000000)}`,
      dscAdType: 'STANDARD',
      dscName: `Campaign ${i}`,
      dscStatus: 'ACTIVE',
    };
    post.contentCallToActionLabel = 'LEARN_MORE';
    post.contentLandingPage = `https://www.example.com/campaigns/${i}`;
  }
  if (mix(orgId, 959, i) % 40 === 0) post.container = `urn:li:organizationBrand:${1000000 + (mix(orgId, 960, i) % 1000000)}`;
  return post;
}

/** Every generated post of an org in creation order, newest first (before edits and deletions of a running simulator). */
export function generatedPosts(orgId: number, config: PostsConfig, anchorMs: number): Post[] {
  const videos = videoIndexes(config);
  return Array.from({ length: config.count }, (_, i) => generatedPost(orgId, i, config, anchorMs, videos));
}

/** Edits and deletions made while the simulator runs: post URN -> edit time, and deleted URNs. */
export interface PostChanges {
  edited?: ReadonlyMap<string, number> | Record<string, number>;
  deleted?: Iterable<string>;
}

/** A post after an edit at `editedAtMs`: modified then, marked edited by its author. */
export function editedPost(post: Post, editedAtMs: number): Post {
  return { ...post, lastModifiedAt: editedAtMs, lifecycleStateInfo: { ...post.lifecycleStateInfo, isEditedByAuthor: true } };
}

/** Posts newest first by the sort key (ties: URN descending), with edits applied and deletions removed. */
export function sortPosts(posts: Post[], sortBy: PostsSort = 'LAST_MODIFIED', changes: PostChanges = {}): Post[] {
  const edited = changes.edited instanceof Map ? changes.edited : new Map(Object.entries(changes.edited ?? {}));
  const deleted = new Set(changes.deleted ?? []);
  const key = (p: Post): number => (sortBy === 'CREATED' ? p.createdAt : p.lastModifiedAt);
  return posts
    .filter((p) => !deleted.has(p.id))
    .map((p) => {
      const at = edited.get(p.id);
      return at === undefined ? p : editedPost(p, at);
    })
    .sort((a, b) => key(b) - key(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/**
 * The full answer of /rest/posts for an org, in the order the simulator pages it. `config` is the org's posts
 * configuration or just its post count; `anchorMs` is the simulator's posts anchor (its "now" at start).
 */
export function expectedPosts(
  orgId: number,
  config: number | Partial<PostsConfig>,
  anchorMs: number,
  options: { sortBy?: PostsSort } & PostChanges = {},
): Post[] {
  const resolved = typeof config === 'number' ? resolvePostsConfig(orgId, config) : resolvePostsConfig(orgId, undefined, config);
  return sortPosts(generatedPosts(orgId, resolved, anchorMs), options.sortBy, options);
}

// ---------------------------------------------------------------------------------------------------------------
// Per-post lifetime statistics (organizationalEntityShareStatistics with shares=List(...) / ugcPosts=List(...))

export interface PostShareStatistics {
  clickCount: number;
  commentCount: number;
  engagement: number;
  impressionCount: number;
  likeCount: number;
  shareCount: number;
  uniqueImpressionsCount?: number;
}

export interface PostShareStatisticsElement {
  organizationalEntity: string;
  share?: string;
  ugcPost?: string;
  totalShareStatistics: PostShareStatistics;
}

/** Posts without any activity (left out of a statistics answer, and empty in socialMetadata). */
export function hasNoActivity(post: Post): boolean {
  const key = parsePostUrn(post.id)!;
  return mix(key.orgId, 970, key.index) % 9 === 0;
}

/**
 * Lifetime statistics of a post at `nowMs`, or undefined when LinkedIn answers nothing for it: published more than
 * 12 months before now, or without any activity. Impressions grow over the first two weeks after publication.
 */
export function postShareStatistics(post: Post, nowMs: number): PostShareStatistics | undefined {
  if (post.publishedAt < dataAvailability(nowMs).start || hasNoActivity(post)) return undefined;
  const { orgId, index } = parsePostUrn(post.id)!;
  const ageDays = Math.max(0, Math.floor((nowMs - post.publishedAt) / DAY_MS));
  const impressionCount = Math.floor(((100 + (mix(orgId, 971, index) % 5000)) * Math.min(ageDays + 1, 14)) / 14);
  const clickCount = mix(orgId, 972, index) % (Math.floor(impressionCount / 15) + 1);
  const likeCount = mix(orgId, 973, index) % 31 === 0 ? -1 : mix(orgId, 974, index) % (Math.floor(impressionCount / 25) + 1);
  const commentCount = mix(orgId, 975, index) % (Math.floor(impressionCount / 120) + 1);
  const shareCount = mix(orgId, 976, index) % (Math.floor(impressionCount / 250) + 1);
  const out: PostShareStatistics = {
    clickCount,
    commentCount,
    engagement: engagementOf({ clickCount, likeCount, commentCount, shareCount, impressionCount }),
    impressionCount,
    likeCount,
    shareCount,
  };
  if (mix(orgId, 977, index) % 3 !== 0) out.uniqueImpressionsCount = Math.floor((impressionCount * (50 + (mix(orgId, 978, index) % 40))) / 100);
  return out;
}

/** The element of a post's statistics, keyed `share` or `ugcPost` by its URN type, or undefined (nothing answered). */
export function postShareStatisticsElement(post: Post, nowMs: number): PostShareStatisticsElement | undefined {
  const stats = postShareStatistics(post, nowMs);
  if (stats === undefined) return undefined;
  const type = parsePostUrn(post.id)!.type;
  return { organizationalEntity: post.author, [type]: post.id, totalShareStatistics: stats };
}

// ---------------------------------------------------------------------------------------------------------------
// Social metadata (GET /rest/socialMetadata?ids=List(...))

export const REACTION_TYPES = ['LIKE', 'PRAISE', 'EMPATHY', 'INTEREST', 'APPRECIATION', 'ENTERTAINMENT', 'MAYBE'] as const;
export type ReactionType = (typeof REACTION_TYPES)[number];

export interface SocialMetadata {
  entity: string;
  commentsState: 'OPEN' | 'CLOSED';
  commentSummary: { count: number; topLevelCount: number };
  reactionSummaries: Partial<Record<ReactionType, { reactionType: ReactionType; count: number }>>;
}

/** Reactions and comment counts of a post; types without reactions are missing from the map. */
export function expectedSocialMetadata(post: Post): SocialMetadata {
  const { orgId, index } = parsePostUrn(post.id)!;
  const quiet = hasNoActivity(post);
  const count = quiet ? 0 : mix(orgId, 980, index) % 40;
  const topLevelCount = count === 0 ? 0 : 1 + (mix(orgId, 981, index) % count);
  const reactionSummaries: SocialMetadata['reactionSummaries'] = {};
  if (!quiet) {
    REACTION_TYPES.forEach((reactionType, k) => {
      const n = reactionType === 'MAYBE' ? (mix(orgId, 982, index) % 50 === 0 ? 1 : 0) : mix(orgId, 983 + k, index) % (k === 0 ? 200 : 15);
      if (n > 0) reactionSummaries[reactionType] = { reactionType, count: n };
    });
  }
  return {
    entity: post.id,
    commentsState: mix(orgId, 990, index) % 10 === 0 ? 'CLOSED' : 'OPEN',
    commentSummary: { count, topLevelCount },
    reactionSummaries,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Video analytics (GET /rest/videoAnalytics?q=entity)

export const VIDEO_METRICS = ['VIDEO_VIEW', 'VIEWER', 'TIME_WATCHED', 'TIME_WATCHED_FOR_VIDEO_VIEWS'] as const;
export type VideoMetric = (typeof VIDEO_METRICS)[number];
export type VideoAggregation = 'DAY' | 'WEEK' | 'ALL';

export interface VideoAnalyticsElement {
  entity: string;
  type: VideoMetric;
  value: number;
  timeRange: { start: number; end: number };
}

/** Whether the post is a ugcPost whose media is a video (the only entities videoAnalytics accepts). */
export function isVideoPost(post: Post): boolean {
  return post.id.startsWith('urn:li:ugcPost:') && post.content !== undefined && 'media' in post.content && post.content.media.id.startsWith('urn:li:video:');
}

/**
 * The UTC days [start, end) with video data at `nowMs`: from the day of publication to the end of yesterday; views
 * and viewers only for the last 6 months.
 */
export function videoDataDays(post: Post, metric: VideoMetric, nowMs: number): { start: number; end: number } {
  const today = utcDayStart(nowMs);
  const published = utcDayStart(post.publishedAt);
  const limited = metric === 'VIDEO_VIEW' || metric === 'VIEWER';
  return { start: limited ? Math.max(published, addUtcMonths(today, -6)) : published, end: today };
}

/** The value of one metric of a video post on the UTC day starting at `dayStartMs` (views decay with age). */
export function dailyVideoValue(post: Post, metric: VideoMetric, dayStartMs: number): number {
  const { orgId, index } = parsePostUrn(post.id)!;
  const age = Math.max(0, Math.floor((dayStartMs - utcDayStart(post.publishedAt)) / DAY_MS));
  const day = Math.floor(dayStartMs / DAY_MS);
  const views = Math.floor(((20 + (mix(orgId, 1000, index) % 300)) * 10) / (age + 10)) + (mix(orgId, 1001, index, day) % 4);
  const watched = views * (3000 + (mix(orgId, 1002, index) % 40000));
  switch (metric) {
    case 'VIDEO_VIEW':
      return views;
    case 'VIEWER':
      return Math.floor((views * 4) / 5);
    case 'TIME_WATCHED':
      return watched;
    default:
      return Math.floor((watched * 9) / 10);
  }
}

/**
 * Elements of videoAnalytics for a video post. With `range` (whole UTC days, end exclusive): DAY gives one element
 * per day with data in the range, WEEK one per 7-day bucket from range.start (buckets fully inside the range, with
 * data), ALL one element over the range. Without `range`: DAY gives the latest 10 days with data, WEEK the 7-day
 * buckets from the first day with data up to today, ALL one element over every day with data.
 */
export function expectedVideoAnalytics(
  post: Post,
  metric: VideoMetric,
  aggregation: VideoAggregation,
  nowMs: number,
  range?: { start: number; end: number },
): VideoAnalyticsElement[] {
  const data = videoDataDays(post, metric, nowMs);
  const from = range === undefined ? data.start : range.start;
  const to = range === undefined ? data.end : range.end;
  const sum = (s: number, e: number): number | undefined => {
    let total: number | undefined;
    for (let t = Math.max(s, data.start); t < Math.min(e, data.end); t += DAY_MS) total = (total ?? 0) + dailyVideoValue(post, metric, t);
    return total;
  };
  const element = (start: number, end: number, value: number): VideoAnalyticsElement => ({ entity: post.id, type: metric, value, timeRange: { start, end } });
  const out: VideoAnalyticsElement[] = [];
  if (aggregation === 'ALL') {
    const value = sum(from, to);
    return value === undefined ? [] : [element(from, to, value)];
  }
  const width = aggregation === 'DAY' ? DAY_MS : 7 * DAY_MS;
  for (let t = from; t + width <= to; t += width) {
    const value = sum(t, t + width);
    if (value !== undefined) out.push(element(t, t + width, value));
  }
  return range === undefined && aggregation === 'DAY' ? out.slice(-10) : out;
}
