// A small code-hosting API on 127.0.0.1 (port 0), shaped like public REST APIs of its kind, for the example manifest
// in examples/code-hosting/. Repositories paged by Link headers, newest-first commits filtered by `since`/`until`,
// issues after a number, teams as JSON Lines, collaborators of a repository or a team, traffic of several
// repositories per request (results and errors keyed by repository), a gzipped CSV report, a search endpoint taking
// a JSON body with a cursor in it, and an audit log queried with PUT and a form body. It takes an API key header,
// HTTP basic credentials or OAuth client-credentials tokens. It is strict: an unknown parameter or body field is a
// 400, wrong credentials a 401. The data is computed, so tests can state exactly what a read returns; commits and
// issues can be added between reads. Switches: a rate limit (429 with an epoch reset header) and faults per route.
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { listenOnLoopback, receive, type SeenRequest } from '../../helpers/index.js';

export const OWNER = 'acme';
export const API_KEY = 'ch-key-7f3a9c';
export const BASIC = { username: 'octo', password: 'pa55-w0rd!' };
export const OAUTH = { clientId: 'ch-client', clientSecret: 'ch-secret-41d2', scope: 'repo read:org', audience: 'code-api' };
export const ACCESS_TOKEN = 'ch-access-token-e81b';
export const REPOS = ['anvil', 'bolt', 'crane', 'drill', 'easel'];
export const TEAMS = ['core', 'docs'];
/** Commits before any added are hourly from here on. */
export const COMMITS_FROM = Date.UTC(2026, 10, 20, 0, 0, 0);
export const REPO_PAGE_SIZE = 2;
export const COMMIT_PAGE_SIZE = 2;
/** The archived repository: traffic reports an error for it. */
export const ARCHIVED = 'easel';

export type Route = 'repos' | 'commits' | 'checks' | 'issues' | 'teams' | 'collaborators' | 'traffic' | 'contributors' | 'graphql' | 'audit-log' | 'token';

export interface Fault {
  route: Route;
  /** Only requests of this repository (commits, issues). */
  repo?: string;
  status?: number;
  /** Body sent instead of the data (e.g. broken JSON). */
  body?: string;
  /** How many matching requests it answers (default: all). */
  times?: number;
}

export interface CodeHostingApi {
  url: string;
  requests: (SeenRequest & { route: Route | 'unknown' })[];
  /** Adds a commit at this time (epoch ms) to a repository; gives its sha. */
  addCommit(repo: string, at: number): string;
  /** Adds an open issue to a repository; gives its number. */
  addIssue(repo: string): number;
  /** The next `count` API requests are answered 429 with X-RateLimit-Reset `resetInSeconds` after now. */
  rateLimit(count: number, resetInSeconds: number): void;
  fault(fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export interface Commit {
  sha: string;
  message: string;
  committed_at: string;
  author: { login: string };
}

export interface Issue {
  number: number;
  title: string;
  state: 'open' | 'closed' | 'spam';
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The repositories as the API sends them. */
export function repositories(): Record<string, unknown>[] {
  return REPOS.map((name, index) => ({
    id: 101 + index,
    name,
    fullName: `${OWNER}/${name}`,
    ownerInfo: { login: OWNER, siteAdmin: false },
    stargazersCount: (index + 1) * 7,
    isArchived: name === ARCHIVED,
  }));
}

/** Three hourly commits per repository to begin with. */
export function initialCommits(repo: string): Commit[] {
  const index = REPOS.indexOf(repo);
  return [0, 1, 2].map((k) => commit(repo, `${repo}-c${k}`, COMMITS_FROM + (index * 3 + k) * 3_600_000));
}

function commit(repo: string, sha: string, at: number): Commit {
  return { sha, message: `${sha} in ${repo}`, committed_at: iso(at), author: { login: `${repo}-dev` } };
}

/** The check run of a commit, computed from its sha: a byte sum divisible by 4 fails. */
export function check(sha: string): { sha: string; state: string; total_count: number; internal_id: string } {
  const sum = Array.from(Buffer.from(sha, 'utf8')).reduce((total, byte) => total + byte, 0);
  return { sha, state: sum % 4 === 0 ? 'failure' : 'success', total_count: (sum % 3) + 1, internal_id: `run-${sum}` };
}

/** Issues 1..(index + 2) per repository; every third is spam. */
export function initialIssues(repo: string): Issue[] {
  const count = REPOS.indexOf(repo) + 2;
  return Array.from({ length: count }, (_, k) => issue(repo, k + 1));
}

function issue(repo: string, number: number): Issue {
  return { number, title: `${repo} issue ${number}`, state: number % 3 === 0 ? 'spam' : number % 2 === 0 ? 'closed' : 'open' };
}

export function traffic(kind: string, repo: string): { count: number; uniques: number } {
  const index = REPOS.indexOf(repo) + 1;
  return kind === 'views' ? { count: index * 100, uniques: index * 10 } : { count: index * 5, uniques: index };
}

export const CONTRIBUTORS_CSV = 'login,contributions\nalice,12\nbob,0\ncarol,5\n';

export function pullRequests(): Record<string, unknown>[] {
  return [1, 2, 3, 4, 5].map((number) => ({ number, title: `Change ${number}`, headRefName: `feature-${number}`, author: { login: number % 2 ? 'alice' : 'carol' } }));
}

export function auditEvents(): Record<string, unknown>[] {
  return [
    { id: 'ev1', action: 'repo.create', actor: 'alice', created_at: '2026-11-20T08:00:00Z' },
    { id: 'ev2', action: 'repo.archive', actor: 'carol', created_at: '2026-11-21T09:30:00Z' },
  ];
}

class BadRequest extends Error {}

function allowOnly(query: URLSearchParams, allowed: string[]): void {
  for (const key of query.keys()) if (!allowed.includes(key)) throw new BadRequest(`unknown parameter ${key}`);
}

interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

const json = (value: unknown, headers: Record<string, string> = {}): Answer => ({ headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) });

export async function startCodeHostingApi(options: { now?: () => number } = {}): Promise<CodeHostingApi> {
  const now = options.now ?? Date.now;
  const commits = new Map(REPOS.map((repo) => [repo, initialCommits(repo)]));
  const issues = new Map(REPOS.map((repo) => [repo, initialIssues(repo)]));
  const requests: CodeHostingApi['requests'] = [];
  let faults: Fault[] = [];
  let limited = 0;
  let resetIn = 0;
  let base = '';

  const routeOf = (request: SeenRequest): { route: Route | 'unknown'; repo?: string; rest: string[] } => {
    const parts = request.path.split('/').filter(Boolean);
    if (request.path === '/oauth/token') return { route: 'token', rest: [] };
    if (request.path === `/orgs/${OWNER}/repos`) return { route: 'repos', rest: [] };
    if (parts[0] === 'repos' && parts[1] === OWNER && parts[3] === 'commits' && parts.length === 4) return { route: 'commits', repo: parts[2], rest: [] };
    if (parts[0] === 'repos' && parts[1] === OWNER && parts[3] === 'commits' && parts[5] === 'check' && parts.length === 6) return { route: 'checks', repo: parts[2], rest: [parts[4]] };
    if (parts[0] === 'repos' && parts[1] === OWNER && parts[3] === 'issues' && parts.length === 4) return { route: 'issues', repo: parts[2], rest: [] };
    if (request.path === `/orgs/${OWNER}/teams.jsonl`) return { route: 'teams', rest: [] };
    if (request.path === '/collaborators') return { route: 'collaborators', rest: [] };
    if (parts[0] === 'traffic' && parts.length === 2) return { route: 'traffic', rest: [parts[1]] };
    if (request.path === `/orgs/${OWNER}/reports/contributors.csv.gz`) return { route: 'contributors', rest: [] };
    if (request.path === '/graphql') return { route: 'graphql', rest: [] };
    if (request.path === `/orgs/${OWNER}/audit-log`) return { route: 'audit-log', rest: [] };
    return { route: 'unknown', rest: [] };
  };

  const authorized = (request: SeenRequest): boolean => {
    const key = request.headers['x-api-key'];
    const authorization = request.headers.authorization ?? '';
    if (key !== undefined) return key === API_KEY && authorization === '';
    if (authorization.startsWith('Basic ')) return authorization === `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`;
    return authorization === `Bearer ${ACCESS_TOKEN}`;
  };

  const token = (request: SeenRequest): Answer => {
    if (request.method !== 'POST') throw new BadRequest('POST only');
    const form = new URLSearchParams(request.body);
    const expected = { grant_type: 'client_credentials', client_id: OAUTH.clientId, client_secret: OAUTH.clientSecret, scope: OAUTH.scope, audience: OAUTH.audience };
    const given = Object.fromEntries(form);
    if (JSON.stringify(Object.keys(given).sort()) !== JSON.stringify(Object.keys(expected).sort())) throw new BadRequest(`token form fields ${Object.keys(given).join(',')}`);
    for (const [name, value] of Object.entries(expected)) {
      if (given[name] !== value) return { status: 401, ...json({ error: 'invalid_client', field: name }) };
    }
    return json({ access_token: ACCESS_TOKEN, token_type: 'bearer', expires_in: 3600 });
  };

  const linked = (path: string, query: URLSearchParams, page: number, last: boolean): Record<string, string> => {
    if (last) return {};
    const next = new URLSearchParams(query);
    next.set('page', String(page + 1));
    return { link: `<${base}${path}?${next.toString()}>; rel="next", <${base}${path}?page=1>; rel="first"` };
  };

  const pageOf = <T>(items: T[], query: URLSearchParams, size: number): { items: T[]; page: number; last: boolean } => {
    const page = Number(query.get('page') ?? '1');
    if (!Number.isInteger(page) || page < 1) throw new BadRequest('page');
    const perPage = Number(query.get('per_page') ?? String(size));
    if (perPage !== size) throw new BadRequest(`per_page must be ${size}`);
    const start = (page - 1) * size;
    return { items: items.slice(start, start + size), page, last: start + size >= items.length };
  };

  const parseTime = (value: string | null, name: string): number | undefined => {
    if (value === null) return undefined;
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value)) throw new BadRequest(`${name} must be YYYY-MM-DDTHH:MM:SSZ`);
    return Date.parse(value);
  };

  const answer = (request: SeenRequest, route: Route, repo: string | undefined, rest: string[]): Answer => {
    const query = request.query;
    const method = (expected: string) => {
      if (request.method !== expected) throw new BadRequest(`${route} takes ${expected}`);
    };
    if (repo !== undefined && !REPOS.includes(repo)) return { status: 404, ...json({ message: 'Not Found' }) };
    switch (route) {
      case 'repos': {
        method('GET');
        allowOnly(query, ['per_page', 'page']);
        const page = pageOf(repositories(), query, REPO_PAGE_SIZE);
        return json(page.items, linked(request.path, query, page.page, page.last));
      }
      case 'commits': {
        method('GET');
        allowOnly(query, ['since', 'until', 'per_page', 'page']);
        const since = parseTime(query.get('since'), 'since') ?? -Infinity;
        const until = parseTime(query.get('until'), 'until') ?? Infinity;
        const matching = commits
          .get(repo!)!
          .filter((c) => Date.parse(c.committed_at) >= since && Date.parse(c.committed_at) <= until)
          .sort((a, b) => b.committed_at.localeCompare(a.committed_at));
        const page = pageOf(matching, query, COMMIT_PAGE_SIZE);
        return json(page.items, linked(request.path, query, page.page, page.last));
      }
      case 'checks': {
        method('GET');
        allowOnly(query, []);
        const found = commits.get(repo!)!.find((c) => c.sha === rest[0]);
        return found ? json(check(found.sha)) : { status: 404, ...json({ message: 'Not Found' }) };
      }
      case 'issues': {
        method('GET');
        allowOnly(query, ['after_number']);
        const after = Number(query.get('after_number') ?? '0');
        return json(issues.get(repo!)!.filter((i) => i.number > after));
      }
      case 'teams':
        method('GET');
        allowOnly(query, []);
        return { headers: { 'content-type': 'application/x-ndjson' }, body: TEAMS.map((slug) => JSON.stringify({ slug, name: `${slug} team` })).join('\n') + '\n' };
      case 'collaborators': {
        method('GET');
        allowOnly(query, ['repo', 'team']);
        const [repoName, team] = [query.get('repo'), query.get('team')];
        if ((repoName === null) === (team === null)) throw new BadRequest('give repo or team');
        if (repoName !== null) return REPOS.includes(repoName) ? json([{ login: `${repoName}-maintainer`, permission: 'admin', scope: `repo:${repoName}` }]) : { status: 404, ...json({ message: 'Not Found' }) };
        return TEAMS.includes(team!) ? json([{ login: `${team}-lead`, permission: 'write', scope: `team:${team}` }]) : { status: 404, ...json({ message: 'Not Found' }) };
      }
      case 'traffic': {
        method('GET');
        allowOnly(query, ['repo']);
        const kind = rest[0];
        if (kind !== 'views' && kind !== 'clones') return { status: 404, ...json({ message: 'Not Found' }) };
        const names = query.getAll('repo');
        if (names.length === 0 || names.length > 2) throw new BadRequest('1 or 2 repo parameters');
        const results: Record<string, unknown> = {};
        const errors: Record<string, unknown> = {};
        for (const name of names) {
          if (name === ARCHIVED) errors[name] = { message: 'repository is archived' };
          else if (REPOS.includes(name)) results[name] = traffic(kind, name);
          else errors[name] = { message: 'no such repository' };
        }
        return json({ results, errors });
      }
      case 'contributors':
        method('GET');
        allowOnly(query, []);
        return { headers: { 'content-type': 'application/gzip' }, body: gzipSync(CONTRIBUTORS_CSV) };
      case 'graphql': {
        method('POST');
        allowOnly(query, []);
        const body = JSON.parse(request.body || 'null') as { query?: unknown; variables?: Record<string, unknown> } | null;
        if (body === null || typeof body.query !== 'string' || !body.query.includes('pullRequests')) throw new BadRequest('a query');
        const { owner, first, after, ...others } = body.variables ?? {};
        if (Object.keys(body).some((key) => key !== 'query' && key !== 'variables') || Object.keys(others).length > 0) throw new BadRequest('unknown body field');
        if (owner !== OWNER || first !== 2) throw new BadRequest('variables.owner and variables.first: 2');
        const start = typeof after === 'string' ? Number(after.replace('cursor-', '')) : 0;
        if (after !== undefined && typeof after !== 'string') throw new BadRequest('variables.after must be a string');
        const all = pullRequests();
        const nodes = all.slice(start, start + 2);
        const end = start + nodes.length;
        return json({ data: { search: { nodes, pageInfo: { hasNextPage: end < all.length, endCursor: end < all.length ? `cursor-${end}` : null } } } });
      }
      case 'audit-log': {
        method('PUT');
        allowOnly(query, []);
        if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) throw new BadRequest('a form body');
        const form = Object.fromEntries(new URLSearchParams(request.body));
        if (JSON.stringify(form) !== JSON.stringify({ phrase: 'action:repo', include: 'all' })) throw new BadRequest(`form ${request.body}`);
        return json(auditEvents());
      }
      case 'token':
        return token(request);
    }
  };

  /** The answer to a request: switches first (rate limit, credentials, faults), then the route's data. */
  const reply = (request: SeenRequest, route: Route | 'unknown', repo: string | undefined, rest: string[]): Answer => {
    if (route === 'unknown') return { status: 404, ...json({ message: `no route ${request.path}` }) };
    if (route !== 'token') {
      if (limited > 0) {
        limited--;
        return { status: 429, ...json({ message: 'API rate limit exceeded' }, { 'x-ratelimit-reset': String(Math.floor(now() / 1000) + resetIn), 'x-ratelimit-remaining': '0' }) };
      }
      if (!authorized(request)) return { status: 401, ...json({ message: 'Bad credentials' }) };
    }
    const fault = faults.find((f) => f.route === route && (f.repo === undefined || f.repo === repo) && (f.times ?? Infinity) > 0);
    if (fault) {
      if (fault.times !== undefined) fault.times--;
      if (fault.body !== undefined) return { status: fault.status ?? 200, headers: { 'content-type': 'application/json' }, body: fault.body };
      return { status: fault.status ?? 500, ...json({ message: `fault ${fault.status ?? 500}` }) };
    }
    try {
      return answer(request, route, repo, rest);
    } catch (error) {
      if (!(error instanceof BadRequest) && !(error instanceof SyntaxError)) throw error;
      return { status: 400, ...json({ message: error.message }) };
    }
  };

  const server = http.createServer((req, res) => {
    void receive(req).then((request) => {
      const { route, repo, rest } = routeOf(request);
      requests.push({ ...request, route });
      const answered = reply(request, route, repo, rest);
      res.writeHead(answered.status ?? 200, answered.headers ?? { 'content-type': 'application/json' });
      res.end(answered.body);
    });
  });
  const { url, close } = await listenOnLoopback(server);
  base = url;
  return {
    url,
    requests,
    addCommit(repo, at) {
      const list = commits.get(repo)!;
      const sha = `${repo}-c${list.length}`;
      list.push(commit(repo, sha, at));
      return sha;
    },
    addIssue(repo) {
      const list = issues.get(repo)!;
      const added = issue(repo, list.length + 1);
      list.push(added);
      return added.number;
    },
    rateLimit(count, resetInSeconds) {
      limited = count;
      resetIn = resetInSeconds;
    },
    fault(fault) {
      faults.push({ ...fault });
    },
    clearFaults() {
      faults = [];
    },
    close,
  };
}
