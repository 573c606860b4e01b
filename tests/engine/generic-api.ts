// A small JSON API on 127.0.0.1 (port 0) for the engine tests: items paged three ways (offset, page number,
// cursor), accounts and their projects (a parent and a child resource), daily metrics filtered by date, bearer
// tokens and an OAuth 2.0 refresh-token endpoint, and switchable faults (any status, resets, delays). It is strict:
// a parameter it does not know, a page size beyond its limit or a date range it does not serve is a 400, so a
// manifest that sends the wrong request fails instead of passing by luck. The data is computed, so tests can state
// what a read must return. Not a helper: a server, as tests/connector/simulator/ is for the connector.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { listenOnLoopback, receive } from '../helpers/index.js';

export const DAY_MS = 86_400_000;
/** The bearer token the API accepts unless told otherwise. */
export const DEFAULT_TOKEN = 'generic-api-token';
export const TOKEN_PATH = '/oauth/token';

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  /** Refresh tokens the endpoint accepts. */
  refreshTokens: string[];
  /** Seconds an issued access token lives (default 3600). */
  expiresIn?: number;
  /** Each refresh returns a new refresh token; the one used stops working. */
  rotate?: boolean;
  /** An issued access token is refused (401) after this many API calls. */
  tokenCallLimit?: number;
  /**
   * The endpoint also grants client_credentials (client ID and secret alone), when the request asks for exactly this
   * space-separated `scope` and carries the form fields of `body`; else it answers 400 invalid_scope or invalid_request.
   */
  clientCredentials?: { scope: string; body?: Record<string, string> };
}

export interface GenericApiOptions {
  /** "Now" of the API in epoch ms (default Date.now): metrics exist for whole days before today (UTC). */
  now?: () => number;
  /** How many items /api/items serves (default 23). */
  items?: number;
  /** Account ids (default acme, globex, initech). */
  accounts?: string[];
  /** Projects per account (default 2; a record gives some accounts another number). */
  projects?: number | Record<string, number>;
  /** Bearer tokens always accepted (default [DEFAULT_TOKEN]). */
  tokens?: string[];
  oauth?: OAuthOptions;
  /** Largest page size a request may ask for (default 50). */
  maxPageSize?: number;
  /** Most days one metrics request may span (default 31). */
  maxDays?: number;
  /** Delay before every answer, in ms (default 0). */
  latencyMs?: number;
  /**
   * The API takes this key instead of bearer tokens: in the header `header`, or in the query parameter `parameter`
   * (which the routes then do not see). A missing or wrong key is a 401 invalid_api_key.
   */
  apiKey?: { key: string; header?: string; parameter?: string };
  /** The API takes these HTTP basic credentials instead of bearer tokens; others are a 401 invalid_credentials. */
  basicAuth?: { username: string; password: string };
}

export interface ApiRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Status answered (0 while pending, and for a reset). */
  status: number;
}

export interface Fault {
  /** A substring of the request's path and query, or a predicate; default every request. */
  match?: string | ((request: ApiRequest) => boolean);
  /** How many matching requests it affects (default 1; Infinity allowed). */
  times?: number;
  /** Answer this status instead (with `body`, default a JSON error, and `headers`). */
  status?: number;
  /**
   * With `status`: a body that repeats the request's Authorization header, as some error pages do; the fields of
   * `body` (an object) come before the header's copy.
   */
  echoAuthorization?: boolean;
  body?: unknown;
  headers?: Record<string, string>;
  /** With `status`: the body also repeats these request headers, and `url` the path and query, as some error pages do. */
  echo?: string[];
  /** Destroy the connection instead of answering. */
  reset?: boolean;
  /** Wait this long before answering (normally, unless `status` is given too). */
  delayMs?: number;
}

export interface GenericApi {
  url: string;
  /** The API's base URL (`${url}/api`). */
  apiUrl: string;
  tokenUrl: string;
  requests: ApiRequest[];
  /** Access tokens issued by the token endpoint, in order. */
  issuedTokens: string[];
  /** Refresh tokens the token endpoint accepts now. */
  refreshTokens(): string[];
  /** API requests being answered right now, and the most there were at once since the last reset. */
  inFlight(): number;
  maxInFlight(): number;
  resetInFlight(): void;
  addFault(fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// The data

export interface Item {
  id: number;
  name: string;
  color: string;
}
export interface Account {
  id: string;
  name: string;
  created: string;
}
export interface Project {
  id: string;
  account_id: string;
  title: string;
}
export interface Metric {
  account_id: string;
  day: string;
  views: number;
  clicks: number;
}

const COLORS = ['red', 'green', 'blue'];
export const DEFAULT_ACCOUNTS = ['acme', 'globex', 'initech'];

/** Items 1..count. */
export function expectedItems(count = 23): Item[] {
  return Array.from({ length: count }, (_, i) => ({ id: i + 1, name: `item-${i + 1}`, color: COLORS[i % COLORS.length] }));
}

/**
 * The answer of /api/items/batch?ids=1,2,99, keyed by id as batch APIs often answer: each item found (in another
 * shape, camelCase and nested, and without its id) under `results`, every id's status under `statuses`, and the
 * ids not found under `errors`.
 */
export function itemBatch(items: Item[], ids: string[]) {
  const results: Record<string, unknown> = {};
  const statuses: Record<string, number> = {};
  const errors: Record<string, unknown> = {};
  for (const id of ids) {
    const item = items.find((candidate) => String(candidate.id) === id);
    statuses[id] = item ? 200 : 404;
    if (item) results[id] = { itemName: item.name, colorInfo: { mainColor: item.color } };
    else errors[id] = { code: 'not_found', message: `no item ${id}` };
  }
  return { results, statuses, errors };
}

export function expectedAccount(id: string): Account {
  return { id, name: `${id[0].toUpperCase()}${id.slice(1)} Inc.`, created: '2020-01-01' };
}

export function expectedProjects(accountId: string, count: number): Project[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${accountId}-p${i + 1}`, account_id: accountId, title: `Project ${i + 1} of ${accountId}` }));
}

/** A small deterministic number from text. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) % 1000;
}

export const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

export function expectedMetric(accountId: string, day: string): Metric {
  return { account_id: accountId, day, views: hash(`${accountId}/${day}/views`), clicks: hash(`${accountId}/${day}/clicks`) % 100 };
}

/** The metrics of an account for the days from `since` (included) to `until` (excluded), YYYY-MM-DD. */
export function expectedMetrics(accountId: string, since: string, until: string): Metric[] {
  const out: Metric[] = [];
  for (let ms = dayMs(since); ms < dayMs(until); ms += DAY_MS) out.push(expectedMetric(accountId, toDay(ms)));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The server

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

class BadRequest extends Error {}

const error = (status: number, code: string, message: string, headers?: Record<string, string>): Answer => ({ status, body: { error: code, message }, headers });

/** Integer query parameter within [min, max], or the default; anything else is a 400. */
function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new BadRequest(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new BadRequest(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Refuses any parameter not in `known`, and any given twice. */
function onlyParams(query: URLSearchParams, known: string[]): void {
  for (const name of new Set(query.keys())) {
    if (!known.includes(name)) throw new BadRequest(`unknown parameter "${name}"; this endpoint takes ${known.join(', ') || 'none'}`);
    if (query.getAll(name).length > 1) throw new BadRequest(`parameter "${name}" given more than once`);
  }
}

export async function startGenericApi(options: GenericApiOptions = {}): Promise<GenericApi> {
  const now = options.now ?? Date.now;
  const itemCount = options.items ?? 23;
  const accounts = options.accounts ?? DEFAULT_ACCOUNTS;
  const projectsOf = (id: string) => (typeof options.projects === 'number' ? options.projects : (options.projects?.[id] ?? 2));
  const maxPageSize = options.maxPageSize ?? 50;
  const maxDays = options.maxDays ?? 31;
  const staticTokens = new Set(options.tokens ?? [DEFAULT_TOKEN]);
  const refreshTokens = new Set(options.oauth?.refreshTokens ?? []);
  const issued = new Map<string, { expiresAt: number; calls: number }>();
  const issuedTokens: string[] = [];
  const requests: ApiRequest[] = [];
  let faults: { fault: Fault; remaining: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const items = expectedItems(itemCount);

  const tokenEndpoint = (request: ApiRequest): Answer => {
    if (request.method !== 'POST') return error(405, 'invalid_request', 'use POST');
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return error(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(request.body);
    const oauth = options.oauth;
    const clientCredentials = form.get('grant_type') === 'client_credentials' ? oauth?.clientCredentials : undefined;
    if (form.get('grant_type') !== 'refresh_token' && !clientCredentials) return error(400, 'unsupported_grant_type', 'only refresh_token is supported');
    if (!oauth || form.get('client_id') !== oauth.clientId || form.get('client_secret') !== oauth.clientSecret) {
      return error(401, 'invalid_client', 'client authentication failed');
    }
    if (clientCredentials) {
      const refused = (code: string, description: string): Answer => ({ status: 400, body: { error: code, error_description: description } });
      if (form.has('refresh_token')) return refused('invalid_request', 'client_credentials takes no refresh_token');
      if (form.get('scope') !== clientCredentials.scope) return refused('invalid_scope', `scope must be "${clientCredentials.scope}", got "${form.get('scope')}"`);
      for (const [name, value] of Object.entries(clientCredentials.body ?? {})) {
        if (form.get(name) !== value) return refused('invalid_request', `${name} must be "${value}"`);
      }
      const accessToken = `cc-${randomBytes(12).toString('hex')}`;
      issued.set(accessToken, { expiresAt: now() + (oauth.expiresIn ?? 3600) * 1000, calls: 0 });
      issuedTokens.push(accessToken);
      return { status: 200, body: { access_token: accessToken, token_type: 'bearer', expires_in: oauth.expiresIn ?? 3600 } };
    }
    const refreshToken = form.get('refresh_token') ?? '';
    if (!refreshTokens.has(refreshToken)) return error(400, 'invalid_grant', 'the refresh token is invalid or revoked');
    const expiresIn = oauth.expiresIn ?? 3600;
    const accessToken = `at-${randomBytes(12).toString('hex')}`;
    issued.set(accessToken, { expiresAt: now() + expiresIn * 1000, calls: 0 });
    issuedTokens.push(accessToken);
    let next = refreshToken;
    if (oauth.rotate) {
      next = `rt-${randomBytes(12).toString('hex')}`;
      refreshTokens.delete(refreshToken);
      refreshTokens.add(next);
    }
    return { status: 200, body: { access_token: accessToken, token_type: 'bearer', expires_in: expiresIn, refresh_token: next } };
  };

  /** undefined when the bearer token may make this call, else the 401 to answer. */
  const refusal = (request: ApiRequest): Answer | undefined => {
    if (options.apiKey) {
      const { key, header, parameter } = options.apiKey;
      const given = header ? [request.headers[header.toLowerCase()]].flat() : request.query.getAll(parameter ?? '');
      return given.length === 1 && given[0] === key ? undefined : error(401, 'invalid_api_key', 'a valid API key is required');
    }
    if (options.basicAuth) {
      const encoded = /^Basic (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const { username, password } = options.basicAuth;
      return Buffer.from(encoded, 'base64').toString('utf8') === `${username}:${password}` ? undefined : error(401, 'invalid_credentials', 'wrong username or password');
    }
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return error(401, 'missing_token', 'an Authorization: Bearer header is required');
    if (staticTokens.has(token)) return undefined;
    const grant = issued.get(token);
    if (!grant) return error(401, 'invalid_token', 'the access token is not valid');
    grant.calls += 1;
    if (now() >= grant.expiresAt || (options.oauth?.tokenCallLimit !== undefined && grant.calls > options.oauth.tokenCallLimit)) {
      return error(401, 'token_expired', 'the access token has expired');
    }
    return undefined;
  };

  const api = (request: ApiRequest): Answer => {
    if (request.method !== 'GET') return error(405, 'method_not_allowed', `${request.method} is not allowed here`);
    const refused = refusal(request);
    if (refused) return refused;
    const query = new URLSearchParams(request.query);
    if (options.apiKey?.parameter) query.delete(options.apiKey.parameter);
    const parts = request.path.split('/').slice(2); // ['', 'api', ...]
    const route = parts.join('/');
    if (route === 'items') {
      onlyParams(query, ['offset', 'limit']);
      const offset = intParam(query, 'offset', 0, 0);
      const limit = intParam(query, 'limit', 10, 1, maxPageSize);
      return { status: 200, body: { items: items.slice(offset, offset + limit), total: items.length } };
    }
    if (route === 'items/pages') {
      onlyParams(query, ['page', 'per_page']);
      const page = intParam(query, 'page', 1, 1);
      const perPage = intParam(query, 'per_page', 10, 1, maxPageSize);
      return { status: 200, body: { items: items.slice((page - 1) * perPage, page * perPage), page, pages: Math.ceil(items.length / perPage) } };
    }
    if (route === 'items/feed') {
      onlyParams(query, ['cursor', 'limit']);
      const limit = intParam(query, 'limit', 10, 1, maxPageSize);
      const cursor = query.get('cursor');
      let offset = 0;
      if (cursor !== null) {
        const decoded = /^after:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
        if (!decoded) throw new BadRequest(`cursor "${cursor}" is not one this API gave`);
        offset = Number(decoded[1]);
      }
      const page = items.slice(offset, offset + limit);
      const next = offset + limit < items.length ? Buffer.from(`after:${offset + limit}`).toString('base64url') : null;
      return { status: 200, body: { items: page, next_cursor: next } };
    }
    if (route === 'items/batch') {
      onlyParams(query, ['ids']);
      return { status: 200, body: itemBatch(items, (query.get('ids') ?? '').split(',').filter(Boolean)) };
    }
    if (route === 'accounts') {
      onlyParams(query, []);
      return { status: 200, body: { accounts: accounts.map(expectedAccount) } };
    }
    const account = parts[1] === undefined ? undefined : decodeURIComponent(parts[1]);
    if (parts[0] === 'accounts' && account !== undefined) {
      if (!accounts.includes(account)) return error(404, 'not_found', `no account "${account}"`);
      if (parts.length === 2) {
        onlyParams(query, []);
        return { status: 200, body: expectedAccount(account) };
      }
      if (parts.length === 3 && parts[2] === 'projects') {
        onlyParams(query, []);
        return { status: 200, body: { projects: expectedProjects(account, projectsOf(account)) } };
      }
      if (parts.length === 3 && parts[2] === 'metrics') {
        onlyParams(query, ['since', 'until']);
        const since = query.get('since');
        const until = query.get('until');
        for (const [name, value] of [['since', since], ['until', until]] as const) {
          if (value === null) throw new BadRequest(`${name} is required`);
          if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(dayMs(value))) throw new BadRequest(`${name} must be a date YYYY-MM-DD, got "${value}"`);
        }
        const days = (dayMs(until!) - dayMs(since!)) / DAY_MS;
        if (days < 1) throw new BadRequest('until must be after since');
        if (days > maxDays) throw new BadRequest(`at most ${maxDays} days per request, got ${days}`);
        const today = Math.floor(now() / DAY_MS) * DAY_MS;
        if (dayMs(until!) > today) throw new BadRequest(`until must not be after today (${toDay(today)}): the figures of today are not final`);
        return { status: 200, body: { metrics: expectedMetrics(account, since!, until!) } };
      }
    }
    return error(404, 'not_found', `no route ${request.path}`);
  };

  const answer = (request: ApiRequest): Answer => {
    try {
      if (request.path === TOKEN_PATH) return tokenEndpoint(request);
      if (request.path === '/api' || request.path.startsWith('/api/')) return api(request);
      return error(404, 'not_found', `no route ${request.path}`);
    } catch (caught) {
      if (caught instanceof BadRequest) return error(400, 'bad_request', caught.message);
      throw caught;
    }
  };

  const takeFault = (request: ApiRequest): Fault | undefined => {
    for (const active of faults) {
      const { match } = active.fault;
      const matches = match === undefined || (typeof match === 'function' ? match(request) : request.url.includes(match));
      if (active.remaining <= 0 || !matches) continue;
      active.remaining -= 1;
      faults = faults.filter((f) => f.remaining > 0);
      return active.fault;
    }
    return undefined;
  };

  let closed = false;
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || closed) { resolve(); return; }
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = http.createServer((req, res) => {
    void receive(req).then((seen) => {
      const request: ApiRequest = { ...seen, status: 0 };
      requests.push(request);
      const counted = request.path.startsWith('/api');
      if (counted) {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        let done = false;
        const finish = () => {
          if (!done) inFlight -= 1;
          done = true;
        };
        res.on('finish', finish);
        res.on('close', finish);
      }
      const fault = takeFault(request);
      void (async () => {
        await wait((options.latencyMs ?? 0) + (fault?.delayMs ?? 0));
        if (closed || res.destroyed) return;
        if (fault?.reset) {
          req.socket.destroy();
          return;
        }
        const reply: Answer =
          fault?.status !== undefined
            ? {
                status: fault.status,
                body: fault.echoAuthorization
                  ? { error: 'fault', ...(fault.body as object | undefined), authorization: request.headers.authorization ?? null }
                  : fault.echo
                    ? { error: 'fault', ...(fault.body as object | undefined), echo: fault.echo.map((name) => (name === 'url' ? request.url : request.headers[name.toLowerCase()])) }
                    : (fault.body ?? { error: 'fault', message: `injected ${fault.status}` }),
                headers: fault.headers,
              }
            : answer(request);
        const headers = fault?.status === undefined && fault?.headers ? { ...reply.headers, ...fault.headers } : reply.headers;
        request.status = reply.status;
        const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'content-type': 'application/json', ...headers });
        res.end(body);
      })().catch((caught: unknown) => {
        if (res.headersSent || res.destroyed) return;
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'server_bug', message: String(caught) }));
      });
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return {
    url,
    apiUrl: `${url}/api`,
    tokenUrl: `${url}${TOKEN_PATH}`,
    requests,
    issuedTokens,
    refreshTokens: () => [...refreshTokens],
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    resetInFlight: () => {
      maxInFlight = inFlight;
    },
    addFault: (fault) => {
      const times = fault.times ?? 1;
      if (!(times > 0)) throw new Error('fault.times must be positive');
      faults.push({ fault, remaining: times });
    },
    clearFaults: () => {
      faults = [];
    },
    close: () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return close();
    },
  };
}
