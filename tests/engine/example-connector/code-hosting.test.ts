// The example connector of examples/code-hosting/ read end to end through the CLI (in this process, fake clock)
// against its simulator: every stream's records exactly, with each of the three authenticators; commits, checks
// and issues incremental across two reads of the same day; a sync into SQLite; `validate` keeping every secret out.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  catalog, expectCompleteStream, expectNoSecrets, expectProtocolOnly, FakeClock, finalState, logs, records, runInProcess, runInProcessText,
  sortedCanonical, TEST_NOW, traces, writeFiles, type RunResult,
} from '../../helpers/index.js';
import {
  ACCESS_TOKEN, API_KEY, ARCHIVED, auditEvents, BASIC, check, initialCommits, initialIssues, OAUTH, OWNER, pullRequests, REPOS, repositories, startCodeHostingApi,
  TEAMS, traffic, type CodeHostingApi, type Commit,
} from '../example-api/code-hosting-api.js';
import { CREDENTIALS, exampleConfig, INCREMENTAL, MANIFEST, STREAMS } from './code-hosting-connector.js';

const commitRecord = (repo: string, commit: Commit) => ({ ...commit, repo });

/** What each stream reads from a fresh simulator. */
function expectedRecords(): Record<string, unknown[]> {
  return {
    repositories: repositories().map((repo: any) => ({
      id: repo.id, name: repo.name, full_name: repo.fullName, login: OWNER, site_admin: false, stargazers_count: repo.stargazersCount, is_archived: repo.isArchived,
    })),
    commits: REPOS.flatMap((repo) => initialCommits(repo).map((commit) => commitRecord(repo, commit))),
    issues: REPOS.flatMap((repo) => initialIssues(repo).filter((issue) => issue.state !== 'spam').map((issue) => ({ ...issue, repo }))),
    commit_checks: REPOS.flatMap((repo) => initialCommits(repo).map((commit) => withoutInternalId(check(commit.sha)))),
    teams: TEAMS.map((slug) => ({ slug, name: `${slug} team` })),
    collaborators: [
      ...REPOS.map((repo) => ({ login: `${repo}-maintainer`, permission: 'admin', scope: `repo:${repo}` })),
      ...TEAMS.map((team) => ({ login: `${team}-lead`, permission: 'write', scope: `team:${team}` })),
    ],
    traffic: ['views', 'clones'].flatMap((kind) => REPOS.filter((repo) => repo !== ARCHIVED).map((repo) => ({ ...traffic(kind, repo), repo, kind }))),
    contributors: [{ login: 'alice', contributions: '12' }, { login: 'carol', contributions: '5' }],
    pull_requests: pullRequests().map((pr: any) => ({ number: pr.number, title: pr.title, head_ref_name: pr.headRefName, login: pr.author.login })),
    audit_log: auditEvents(),
  };
}

function withoutInternalId({ internal_id: _dropped, ...rest }: ReturnType<typeof check>) {
  return rest;
}

describe('the code-hosting example connector', () => {
  let api: CodeHostingApi;
  const clock = new FakeClock(TEST_NOW);
  beforeAll(async () => {
    api = await startCodeHostingApi({ now: () => clock.now() });
  });
  afterAll(() => api.close());
  beforeEach(() => clock.set(TEST_NOW));

  const files = (config: object, extra: Record<string, unknown> = {}) =>
    writeFiles({ 'config.json': config, 'catalog.json': catalog(STREAMS, (name) => (INCREMENTAL.includes(name) ? 'incremental' : 'full_refresh')), ...extra });

  const read = (paths: Record<string, string>, state?: string): Promise<RunResult> =>
    runInProcess(['read', '--manifest', MANIFEST, '--config', paths['config.json'], '--catalog', paths['catalog.json'], ...(state ? ['--state', state] : [])], { clock });

  it('reads every stream exactly, with an API key', async () => {
    const result = await read(files(exampleConfig(api.url)));
    expectProtocolOnly(result);
    expect(traces(result.messages, 'ERROR')).toEqual([]);
    const expected = expectedRecords();
    for (const stream of STREAMS) {
      expect({ stream, records: sortedCanonical(records(result.messages, stream)) }).toEqual({ stream, records: sortedCanonical(expected[stream]) });
      expectCompleteStream(result.messages, stream);
    }
  });
});

describe('the code-hosting example connector, request by request', () => {
  let api: CodeHostingApi;
  const clock = new FakeClock(TEST_NOW);
  beforeAll(async () => {
    api = await startCodeHostingApi({ now: () => clock.now() });
  });
  afterAll(() => api.close());
  beforeEach(() => {
    clock.set(TEST_NOW);
    api.clearFaults();
  });

  const paths = (config: object, streams = STREAMS) =>
    writeFiles({ 'config.json': config, 'catalog.json': catalog(streams, (name) => (INCREMENTAL.includes(name) ? 'incremental' : 'full_refresh')) });
  const read = (files: Record<string, string>, state?: string) =>
    runInProcess(['read', '--manifest', MANIFEST, '--config', files['config.json'], '--catalog', files['catalog.json'], ...(state ? ['--state', state] : [])], { clock });

  it.each([
    ['basic', `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`],
    ['oauth', `Bearer ${ACCESS_TOKEN}`],
  ] as const)('reads with %s credentials too', async (method, authorization) => {
    const before = api.requests.length;
    const result = await read(paths(exampleConfig(api.url, CREDENTIALS[method]), ['repositories', 'teams']));
    expect(traces(result.messages, 'ERROR')).toEqual([]);
    expect(records(result.messages, 'repositories').map((repo) => repo.name)).toEqual(REPOS);
    expect(records(result.messages, 'teams').map((team) => team.slug)).toEqual(TEAMS);
    const sent = api.requests.slice(before).filter((request) => request.route !== 'token');
    expect(sent.map((request) => request.headers.authorization)).toEqual(sent.map(() => authorization));
    expect(sent.every((request) => request.headers['x-api-key'] === undefined)).toBe(true);
    // One token request for the run, with the scopes and the extra field of the manifest.
    expect(api.requests.slice(before).filter((request) => request.route === 'token')).toHaveLength(method === 'oauth' ? 1 : 0);
  });

  it.each([
    ['api_key', { ...CREDENTIALS.api_key, api_key: 'wrong-key-93' }],
    ['basic', { ...CREDENTIALS.basic, password: 'wrong-password-93' }],
    ['oauth', { ...CREDENTIALS.oauth, client_secret: 'wrong-secret-93' }],
  ] as const)('check with wrong %s credentials fails with a config message naming no secret', async (_method, credentials) => {
    const config = paths(exampleConfig(api.url, credentials))['config.json'];
    const result = await runInProcess(['check', '--manifest', MANIFEST, '--config', config], { clock });
    const status = result.messages.find((message) => message.type === 'CONNECTION_STATUS')?.connectionStatus;
    expect(status?.status).toBe('FAILED');
    expect(status?.message).toMatch(/credentials|invalid_client|401/);
    expectNoSecrets(result, ['wrong-key-93', 'wrong-password-93', 'wrong-secret-93', Buffer.from(`${BASIC.username}:wrong-password-93`).toString('base64')]);
  });

  it('pages repositories by Link header, once for its four children, and commits by page number, with since/until from the cursor', async () => {
    const before = api.requests.length;
    const result = await read(paths(exampleConfig(api.url), ['commits', 'issues', 'collaborators', 'traffic']));
    expect(traces(result.messages, 'ERROR')).toEqual([]);
    const sent = api.requests.slice(before);
    const query = (route: string) => sent.filter((request) => request.route === route).map((request) => request.url);
    expect(query('repos')).toEqual([`/orgs/${OWNER}/repos?per_page=2`, `/orgs/${OWNER}/repos?per_page=2&page=2`, `/orgs/${OWNER}/repos?per_page=2&page=3`]);
    const range = 'since=2026-11-01T00%3A00%3A00Z&until=2026-11-29T09%3A59%3A59Z';
    expect(query('commits').filter((url) => url.includes('/anvil/'))).toEqual([
      `/repos/${OWNER}/anvil/commits?${range}&page=1&per_page=2`,
      `/repos/${OWNER}/anvil/commits?${range}&page=2&per_page=2`,
    ]);
    // Two repositories per traffic request; the archived one is a warning, not a failure.
    expect(query('traffic').sort()).toEqual(
      ['clones', 'views'].flatMap((kind) => [`/traffic/${kind}?repo=anvil&repo=bolt`, `/traffic/${kind}?repo=crane&repo=drill`, `/traffic/${kind}?repo=easel`]),
    );
    const warnings = logs(result.messages).filter((log) => log.level === 'WARN').map((log) => log.message);
    expect(warnings).toHaveLength(2);
    for (const warning of warnings) expect(warning).toMatch(/traffic.*easel.*repository is archived/);
  });

  it('waits for a rate limit until the epoch second the reset header names', async () => {
    api.rateLimit(2, 45);
    const result = await read(paths(exampleConfig(api.url), ['teams']));
    expect(traces(result.messages, 'ERROR')).toEqual([]);
    expect(records(result.messages, 'teams')).toHaveLength(TEAMS.length);
    expect(clock.sleeps).toEqual(expect.arrayContaining([45_000]));
    expect(clock.now()).toBeGreaterThanOrEqual(TEST_NOW + 90_000);
  });

  it('retries a server error twice, two seconds apart', async () => {
    api.fault({ route: 'teams', status: 503, times: 2 });
    const result = await read(paths(exampleConfig(api.url), ['teams']));
    expect(traces(result.messages, 'ERROR')).toEqual([]);
    expect(records(result.messages, 'teams')).toHaveLength(TEAMS.length);
    expect(clock.sleeps.slice(-2)).toEqual([2000, 2000]);
  });

  it('incremental on the same day: the second read brings what changed between the reads, and only that', async () => {
    const files = paths(exampleConfig(api.url));
    const first = await read(files);
    expect(traces(first.messages, 'ERROR')).toEqual([]);
    const state = writeFiles({ 'state.json': finalState(first.messages) })['state.json'];

    // An hour later: a commit in bolt (older than the newest commit elsewhere), an issue in crane.
    clock.advance(3_600_000);
    const sha = api.addCommit('bolt', TEST_NOW + 1_800_000);
    const number = api.addIssue('crane');
    const before = api.requests.length;
    const second = await read(files, state);
    expect(traces(second.messages, 'ERROR')).toEqual([]);
    expect(records(second.messages, 'commits')).toEqual([
      { sha, message: `${sha} in bolt`, committed_at: '2026-11-29T10:30:00Z', author: { login: 'bolt-dev' }, repo: 'bolt' },
    ]);
    expect(records(second.messages, 'commit_checks')).toEqual([withoutInternalId(check(sha))]);
    expect(records(second.messages, 'issues')).toEqual([{ number, title: `crane issue ${number}`, state: number % 2 === 0 ? 'closed' : 'open', repo: 'crane' }]);
    // Each repository's commits are asked for from one second after its newest commit read.
    // (commit_checks reads the commits again as its parent, from the parent state it keeps itself.)
    const since = api.requests.slice(before).filter((request) => request.route === 'commits').map((request) => request.query.get('since'));
    expect([...new Set(since)].sort()).toEqual(REPOS.map((repo) => initialCommits(repo)[2].committed_at.replace(/00Z$/, '01Z')).sort());
    // A third read, nothing changed: nothing new.
    const third = await read(files, writeFiles({ 'state.json': finalState(second.messages) })['state.json']);
    for (const stream of INCREMENTAL) expect({ stream, records: records(third.messages, stream) }).toEqual({ stream, records: [] });
  });

  it('syncs into SQLite, where the records can be queried', async () => {
    const output = join(writeFiles({}).dir, 'code.sqlite');
    const sync = await runInProcessText(['sync', '--manifest', MANIFEST, '--config', paths(exampleConfig(api.url))['config.json'], '--output', output], { clock });
    expect({ code: sync.code, stdout: sync.stdout }).toEqual({ code: 0, stdout: expect.any(String) });
    const db = new Database(output, { readonly: true });
    try {
      const stars = db.prepare('SELECT name, stargazers_count FROM repositories ORDER BY stargazers_count DESC LIMIT 2').all();
      expect(stars).toEqual([{ name: 'easel', stargazers_count: 35 }, { name: 'drill', stargazers_count: 28 }]);
      const perRepo = db.prepare('SELECT repo, COUNT(*) AS commits FROM commits GROUP BY repo ORDER BY repo').all();
      expect(perRepo).toEqual(REPOS.map((repo) => ({ repo, commits: 3 })));
      const views = db.prepare(`SELECT SUM(count) AS total FROM traffic WHERE kind = 'views'`).get();
      expect(views).toEqual({ total: 1000 });
      expect(db.prepare('SELECT COUNT(*) AS n FROM pull_requests').get()).toEqual({ n: 5 });
    } finally {
      db.close();
    }
  });

  it.each(Object.keys(CREDENTIALS) as (keyof typeof CREDENTIALS)[])('validate with %s credentials prints no secret', async (method) => {
    const config = paths(exampleConfig(api.url, CREDENTIALS[method]))['config.json'];
    const basic = Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64');
    const secrets = [API_KEY, BASIC.password, basic, OAUTH.clientSecret, ACCESS_TOKEN];
    for (const json of [[], ['--json']]) {
      const before = api.requests.length;
      const result = await runInProcessText(['validate', '--manifest', MANIFEST, '--config', config, ...json], { clock });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout).toContain('/collaborators');
      expectNoSecrets({ ...result, messages: [] }, secrets);
      expect(api.requests.length).toBe(before);
    }
  });
});
