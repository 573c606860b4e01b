// A real HTTP server simulating the LinkedIn Pages REST API (strict where LinkedIn is strict) and its OAuth
// token endpoint, with fault injection. See /work/shared/linkedin-api.md.
//
// Endpoints (all GET under /rest; Authorization and Linkedin-Version required; X-RestLi-Method optional but checked):
// - organizations/{id}, networkSizes/{urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER (camel case rejected with 400).
// - organizationalEntityFollowerStatistics / organizationalEntityShareStatistics?q=organizationalEntity
//   &organizationalEntity=<urn>[&timeIntervals=...]: lifetime or time-bound (whole UTC days, MONTH on the 1st,
//   under 14 months apart, data for the last 12 months). Options: facetSize, statisticsPageSize.
// - organizationalEntityShareStatistics with shares=List(...) and/or ugcPosts=List(...) (Rest.li 2.0): lifetime
//   figures per post (postShareStatisticsElement); a URN under the wrong parameter, of another org, unknown, deleted,
//   older than 12 months or without activity answers nothing. More than `shareStatisticsBatchLimit` (20) URNs: 400;
//   `List%28`: 400 PARAM_INVALID; `shares[0]=`: 403 "Unpermitted fields present in PARAMETER".
// - posts?q=author&author=<urn>[&sortBy=LAST_MODIFIED|CREATED][&start][&count]: newest first (sortPosts), count
//   clamped to 100, paging with total and a next link; `isDsc` is 400. Posts per org: `posts`,
//   `postsByOrganization` (count, months, videos; defaults in defaultPostsConfig), dated back from `postsAnchor`.
//   Switches shortPostPages and overlappingPostPages; editPost() and deletePost() change them while running.
// - socialMetadata?ids=List(...) (batch get): results/statuses/errors keyed by URN (expectedSocialMetadata); unknown
//   or deleted URNs 404 in errors; more than `socialMetadataBatchLimit` (50) ids: 400; switch
//   socialMetadataForbidden: 403.
// - videoAnalytics?q=entity&entity=<ugcPost urn>&type=<metric>[&aggregation=DAY|WEEK|ALL][&timeRange=(start:,end:)]:
//   expectedVideoAnalytics; `type` required, entity a ugcPost with a video (share or other content: 400).
// - organizationPageStatistics?q=organization&organization=<urn>[&timeIntervals=...]: lifetime
//   (expectedLifetimePageStatistics) or time-bound (expectedPageStatistics) under the statistics time rules;
//   q=organizationalEntity is 400.
// - organizationAcls?q=roleAssignee[&role][&state][&start][&count]: a token's roles (`acls`, default
//   defaultAclEntries of the orgs it administers), filtered by role and state when given.
// - geo, industries, functions, seniorities (standardized data, api-standardized.ts): ?ids=List(...) batch gets (at
//   most 150 ids) and /<id> single gets naming every id the statistics fixtures use; unknown ids 404 (in a geo
//   batch: under errors). Switch geoBatchRateLimited: the geo batch answers 429, single gets still work.
// Switch statisticsRevision (reviseStatistics()) restates the last `restatedDays` final days of the follower, share
// and page statistics. Every request is recorded with its endpoint; requestCounts() counts them per endpoint.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { endpointOf, handleApi } from './api.js';
import type { ApiContext, ApiResponse, SimulatorSwitches } from './api.js';
import { defaultFaultBody, expiredToken } from './errors.js';
import { FaultQueue } from './faults.js';
import type { Fault, RecordedRequest } from './faults.js';
import { DEFAULT_ORGANIZATION } from './fixtures.js';
import { TokenRegistry } from './oauth.js';
import type { OAuthOptions } from './oauth.js';
import { defaultAclEntries } from './page-fixtures.js';
import type { AclEntry } from './page-fixtures.js';
import { generatedPosts, resolvePostsConfig, sortPosts } from './post-fixtures.js';
import type { Post, PostsConfig } from './post-fixtures.js';
import { decodeQuery } from './restli.js';

export type { Fault, RecordedRequest } from './faults.js';
export type { OAuthOptions } from './oauth.js';
export type { SimulatorSwitches } from './api.js';
export { endpointOf, RESOURCES } from './api.js';
export * from './fixtures.js';
export * from './post-fixtures.js';
export * from './page-fixtures.js';
export { parseRestli2 } from './restli.js';
export type { RestliValue } from './restli.js';

export interface SimulatorOptions {
  /** Epoch ms "current time" of the simulated API; default Date.now. */
  now?: () => number;
  /** Org ids that exist; default [2414183]. */
  organizations?: number[];
  /** Valid bearer tokens; default ['sim-access-token']. */
  accessTokens?: string[];
  /** token -> orgs it is ADMINISTRATOR of (others: 403). Default: every token admin of every org. */
  tokenOrganizations?: Record<string, number[]>;
  /** Entries per facet array in follower and page statistics (default 5). */
  facetSize?: number;
  /** If set, statistics finders page their elements by start/count with this max count. */
  statisticsPageSize?: number;
  /** Number of posts of every org for /rest/posts (default: defaultPostsConfig, 300 for 2414183 and 40 for others). */
  posts?: number;
  /** Per org: number of posts, months they span, number of video posts (over `posts` and the defaults). */
  postsByOrganization?: Record<number, Partial<PostsConfig>>;
  /** Epoch ms the posts are dated back from (its UTC day; default `now()` at start). */
  postsAnchor?: number;
  /** Most post URNs one per-post share statistics request may carry (default 20). */
  shareStatisticsBatchLimit?: number;
  /** Most ids one socialMetadata request may carry (default 50). */
  socialMetadataBatchLimit?: number;
  /** token -> its roles for organizationAcls (default: defaultAclEntries of the orgs it administers). */
  acls?: Record<string, AclEntry[]>;
  /** Initial switches (all off by default; restatedDays 7). */
  switches?: Partial<SimulatorSwitches>;
  /** Added delay per response (default 0). */
  latencyMs?: number;
  oauth?: OAuthOptions;
  /** Port to listen on (default 0: any free port). */
  port?: number;
}

export interface Simulator {
  url: string;
  apiBaseUrl: string;
  tokenUrl: string;
  requests: RecordedRequest[];
  /** Requests received so far per endpoint (see RecordedRequest.endpoint). */
  requestCounts(): Record<string, number>;
  /** Behaviours to switch while running; changes apply to the next request. */
  switches: SimulatorSwitches;
  /** Bumps statisticsRevision (restating the last restatedDays final days) and returns the new revision. */
  reviseStatistics(): number;
  /** The epoch ms the posts are dated back from. */
  postsAnchor: number;
  /** An org's posts as they are now, newest first by lastModifiedAt. */
  postsOf(orgId: number): Post[];
  /** Edits a post: its lastModifiedAt becomes `atMs` (default now()). Throws for an unknown post. */
  editPost(urn: string, atMs?: number): void;
  /** Deletes a post: it vanishes from every endpoint. Throws for an unknown post. */
  deletePost(urn: string): void;
  addFault(f: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export const DEFAULT_ACCESS_TOKEN = 'sim-access-token';
export const TOKEN_PATH = '/oauth/v2/accessToken';

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const postsAnchor = options.postsAnchor ?? now();
  const postsCache = new Map<number, Post[]>();
  const ctx: ApiContext = {
    now,
    organizations: new Set(options.organizations ?? [DEFAULT_ORGANIZATION]),
    tokenOrganizations: options.tokenOrganizations,
    tokens: new TokenRegistry(options.accessTokens ?? [DEFAULT_ACCESS_TOKEN], options.oauth, now),
    facetSize: options.facetSize ?? 5,
    statisticsPageSize: options.statisticsPageSize,
    postsOf: (orgId) => {
      let list = postsCache.get(orgId);
      if (list === undefined) {
        list = generatedPosts(orgId, ctx.postsConfigOf(orgId), postsAnchor);
        postsCache.set(orgId, list);
      }
      return list;
    },
    postsConfigOf: (orgId) => resolvePostsConfig(orgId, options.posts, options.postsByOrganization?.[orgId]),
    edited: new Map(),
    deleted: new Set(),
    switches: { shortPostPages: false, overlappingPostPages: 0, socialMetadataForbidden: false, statisticsRevision: 0, restatedDays: 7, geoBatchRateLimited: false, ...options.switches },
    shareStatisticsBatchLimit: options.shareStatisticsBatchLimit ?? 20,
    socialMetadataBatchLimit: options.socialMetadataBatchLimit ?? 50,
    aclsOf: (token) => options.acls?.[token] ?? defaultAclEntries(options.tokenOrganizations?.[token] ?? [...ctx.organizations]),
  };
  for (const orgId of ctx.organizations) ctx.postsConfigOf(orgId);
  if (ctx.statisticsPageSize !== undefined && !(ctx.statisticsPageSize > 0)) {
    throw new Error('statisticsPageSize must be positive');
  }
  const latencyMs = options.latencyMs ?? 0;
  const faults = new FaultQueue();
  const requests: RecordedRequest[] = [];

  // Cancellable delays, so 'slow' faults and latency never keep close() waiting.
  let closed = false;
  const pending = new Set<{ timer: NodeJS.Timeout; resolve: (completed: boolean) => void }>();
  const delay = (ms: number): Promise<boolean> => {
    if (closed) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          pending.delete(entry);
          resolve(true);
        }, ms),
        resolve,
      };
      pending.add(entry);
    });
  };

  const send = (
    res: http.ServerResponse,
    record: RecordedRequest,
    status: number,
    body: string,
    contentType: string,
    extraHeaders: Record<string, string> = {},
  ): void => {
    if (closed || res.destroyed || res.headersSent) return;
    record.status = status;
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      'X-RestLi-Protocol-Version': '2.0.0',
      'X-Li-Uuid': randomUUID(),
      ...extraHeaders,
    });
    res.end(body);
  };

  const respond = (res: http.ServerResponse, record: RecordedRequest, r: ApiResponse): void => {
    const json = typeof r.body !== 'string';
    send(res, record, r.status, json ? JSON.stringify(r.body) : (r.body as string), json ? 'application/json' : 'text/plain', r.headers);
  };

  /** The normal answer to a request (no faults). */
  const answer = (record: RecordedRequest): ApiResponse => {
    if (record.path === TOKEN_PATH) {
      const contentType = record.headers['content-type'];
      const r = ctx.tokens.handle(record.method, Array.isArray(contentType) ? contentType[0] : contentType, record.body);
      return { status: r.status, body: r.body, headers: { 'Cache-Control': 'no-store' } };
    }
    if (record.path === '/rest' || record.path.startsWith('/rest/')) return handleApi(ctx, record);
    return { status: 404, body: { status: 404, serviceErrorCode: 0, code: 'NOT_FOUND', message: `No route for ${record.path}` } };
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const rawQuery = q === -1 ? '' : url.slice(q + 1);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      endpoint: endpointOf(path),
      rawQuery,
      query: decodeQuery(rawQuery),
      headers: { ...req.headers },
      body: Buffer.concat(chunks).toString('utf8'),
      status: 0,
    };
    requests.push(record);

    const fault = faults.take(record);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (!(await delay(latencyMs))) return;
    if (fault?.kind === 'slow' && !(await delay(fault.delayMs ?? 1000))) return;

    if (fault?.kind === 'status') {
      const status = fault.status!;
      const fallback = defaultFaultBody(status);
      const body = fault.body ?? fallback.body;
      const contentType = fault.body === undefined ? fallback.contentType : guessContentType(fault.body);
      send(res, record, status, body, contentType, fault.headers);
      return;
    }
    if (fault?.kind === 'expired_token') {
      respond(res, record, { ...expiredToken(), headers: fault.headers });
      return;
    }
    const normal = answer(record);
    if (fault?.kind === 'truncated') {
      const full = typeof normal.body === 'string' ? normal.body : JSON.stringify(normal.body);
      send(res, record, 200, full.slice(0, Math.floor(full.length / 2)), 'application/json', fault.headers);
      return;
    }
    if (fault?.kind === 'reshape' && typeof normal.body !== 'string') {
      respond(res, record, { ...normal, body: fault.reshape!(structuredClone(normal.body)) as Record<string, unknown> });
      return;
    }
    respond(res, record, fault?.kind === 'slow' && fault.headers ? { ...normal, headers: { ...normal.headers, ...fault.headers } } : normal);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (closed || res.headersSent || res.destroyed) return;
      const message = err instanceof Error ? err.message : String(err);
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 500, message: `simulator bug: ${message}` }));
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const knownPost = (urn: string): void => {
    const owner = [...ctx.organizations].find((orgId) => ctx.postsOf(orgId).some((p) => p.id === urn));
    if (owner === undefined || ctx.deleted.has(urn)) throw new Error(`no post ${urn} in the simulator`);
  };
  const url = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    apiBaseUrl: `${url}/rest`,
    tokenUrl: `${url}${TOKEN_PATH}`,
    requests,
    requestCounts: () => {
      const counts: Record<string, number> = {};
      for (const r of requests) counts[r.endpoint] = (counts[r.endpoint] ?? 0) + 1;
      return counts;
    },
    switches: ctx.switches,
    reviseStatistics: () => ++ctx.switches.statisticsRevision,
    postsAnchor,
    postsOf: (orgId) => sortPosts(ctx.postsOf(orgId), 'LAST_MODIFIED', { edited: ctx.edited, deleted: ctx.deleted }),
    editPost: (urn, atMs) => {
      knownPost(urn);
      ctx.edited.set(urn, atMs ?? now());
    },
    deletePost: (urn) => {
      knownPost(urn);
      ctx.deleted.add(urn);
    },
    addFault: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const entry of pending) {
          clearTimeout(entry.timer);
          entry.resolve(false);
        }
        pending.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function guessContentType(body: string): string {
  const t = body.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) return 'application/json';
  if (t.startsWith('<')) return 'text/html; charset=utf-8';
  return 'text/plain; charset=utf-8';
}
